"""Resolution: each name found in an article becomes a Place, chosen among homonyms by context.

Context is what the article itself says: regions it names, the other places it names (nearby
candidates win), the role words around a name ("X region", "X river"), with population and kind
as a weak prior. Names inside a PERSON or ORG entity are not places unless a role word says so.
"""

from __future__ import annotations

import bisect
import functools
import math
import re
from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from frontwatch.gazetteer import Gazetteer, NameMatch
from frontwatch.gazetteer.keys import name_key
from frontwatch.geometry import equirectangular_km
from frontwatch.model import (
    AnnotatedArticle,
    Candidate,
    GazetteerEntry,
    Mention,
    Place,
    PlaceKind,
    Precision,
    ResolvedArticle,
)
from frontwatch.resolve_rules import (
    SETTLEMENTS,
    Layout,
    Work,
    context_data,
    scoring,
)
from frontwatch.resolve_units import FORMER_RAION_ROLE, former_raion, narrow

__all__ = ["Work", "former_raion", "resolve"]

ENTITY_ALONE_NOT_PLACE = frozenset({"PERSON", "WORK_OF_ART", "PRODUCT", "EVENT", "LAW"})
# "Mariupol Drama Theater", "Kharkiv National University": an institution named first by its town is there.
LOCATED_ENTITIES = frozenset({"ORG"})
ROLE_KINDS = {
    "region": (PlaceKind.ADMIN1,),
    "district": (PlaceKind.ADMIN2,),
    "community": (PlaceKind.ADMIN3,),
    "river": (PlaceKind.RIVER, PlaceKind.FEATURE),
}
# "Kiev says", "Kiev forces": a party; "Gagarin Stadium", "Gorky park": what a facility is named after.
NOT_PLACE_ROLES = frozenset({"actor", "facility"})
NOT_ANCHORS = (PlaceKind.COUNTRY, PlaceKind.ADMIN1, PlaceKind.RIVER, PlaceKind.FEATURE)


def _prior(entry: GazetteerEntry, role: str | None, front: frozenset[str]) -> float:
    w = scoring()
    if entry.kind in SETTLEMENTS:
        score = w.population_weight * math.log10(max(entry.population or 0, w.population_floor))
        score += w.exact_point_bonus if entry.precision is Precision.EXACT else 0.0
    else:
        score = w.kind_prior[entry.kind]
    if role in ROLE_KINDS and entry.kind in ROLE_KINDS[role]:
        score += w.role_bonus
    if entry.admin1 in front:
        score += w.front_prior
    return score + w.country_prior.get(entry.country, 0.0)


@dataclass(frozen=True, slots=True)
class _PersonAsPlace:
    population: int
    cues: frozenset[str]
    titles: frozenset[str]


@functools.cache
def _person_rules() -> _PersonAsPlace:
    data = context_data()["person_as_place"]
    return _PersonAsPlace(
        population=int(data["population"]),
        cues=frozenset(w.lower() for w in data["prepositions"]),
        titles=frozenset(data["titles"]),
    )


_PREVIOUS_WORD = re.compile(r"([A-Za-z]+)\.?[\s]*$")


def _person_is_place(match: NameMatch, layout: Layout, gazetteer: Gazetteer) -> bool:
    """A one-word PERSON that is exactly a well-known town, or follows a place preposition, is a place
    the small model mislabelled ("captured Kupiansk"); a surname after a title or a first name is not."""
    if any(ch.isspace() for ch in match.surface):
        return False
    text = layout.text
    for s, e, label in layout.entities_over(match.start, match.end):
        exact_person = label == "PERSON" and (s, e) == (match.start, match.end)
        if s < match.end and match.start < e and not exact_person:
            return False
    rules = _person_rules()
    before = _PREVIOUS_WORD.search(text, max(0, match.start - 30), match.start)
    word = before.group(1) if before else ""
    if word in rules.titles or (
        word[:1].isupper()
        and word.lower() not in rules.cues
        and before
        and not text[before.end(1) : match.start].strip(" ")
    ):
        return False  # "General Pavlov", "Maxim Strelnik" (a capitalised word right before: a given name)
    if word.lower() in rules.cues:
        return True
    for entry_id in match.candidate_ids:
        entry = gazetteer.entry(entry_id)
        if entry.kind in (PlaceKind.CITY, PlaceKind.TOWN) or (entry.population or 0) >= rules.population:
            return True
    return False


@functools.cache
def _surname_endings() -> tuple[str, ...]:
    return tuple(context_data()["surname_line"]["endings"])


def _surname_alone(match: NameMatch, layout: Layout, gazetteer: Gazetteer) -> bool:
    """One capitalised surname-like word forming a whole line, matching only villages: a person's name."""
    if not match.surface[:1].isupper() or any(ch.isspace() or ch == "-" for ch in match.surface):
        return False
    line = layout.line(match.start, match.end)
    if line.strip(" \t.,:;-\u2013\u2014\"'") != match.surface:
        return False
    if not match.surface.lower().endswith(_surname_endings()):
        return False
    return all(gazetteer.entry(i).kind is PlaceKind.VILLAGE for i in match.candidate_ids)


@functools.cache
def _front_periods() -> tuple[tuple[date | None, frozenset[str] | None], ...]:
    """(until, regions) per period from resolve_context.toml; None regions: admin1.toml's `front`."""
    periods = []
    for period in context_data()["front"]:
        regions = period["regions"]
        periods.append((period.get("until"), None if regions == "admin1.toml" else frozenset(regions)))
    return tuple(periods)


def _front(annotated: AnnotatedArticle, gazetteer: Gazetteer) -> frozenset[str]:
    """The front-line regions when the report was published; an undated report gets the latest."""
    published = annotated.article.published
    periods = _front_periods()
    chosen = periods[-1][1]
    for until, regions in periods:
        if published is not None and until is not None and published < until:
            chosen = regions
            break
    return gazetteer.front_regions if chosen is None else chosen


def _inside_entity(match: NameMatch, layout: Layout) -> bool:
    """Inside a person's or a work's name, or inside a longer name ("Security Service of Ukraine"). A lone
    ORG or NORP that is just a place name is the small model's mislabel ("tanks drive into Slavutych"),
    and an ORG that opens with a town's name is in that town ("Mariupol Drama Theater"): places."""
    for s, e, label in layout.entities_over(match.start, match.end):
        alone = (s, e) == (match.start, match.end)
        located = s == match.start and label in LOCATED_ENTITIES
        if label in ENTITY_ALONE_NOT_PLACE or not (alone or located):
            return True
    return False


def _filter_by_role(
    ids: tuple[str, ...], role: str | None, gazetteer: Gazetteer, surface: str = ""
) -> tuple[str, ...]:
    kinds = ROLE_KINDS.get(role or "")
    if kinds:
        fitting = tuple(i for i in ids if gazetteer.entry(i).kind in kinds)
        if fitting:
            return fitting
        if role == "region":  # "Donetsk Obl": the oblast named after the city
            oblasts = tuple(i for i in gazetteer.candidates(f"{surface} Oblast") if i not in ids)
            if oblasts:
                return oblasts
    # Without a role word a bare name means the settlement, not the raion or hromada named after it.
    plain = tuple(i for i in ids if gazetteer.entry(i).kind not in (PlaceKind.ADMIN2, PlaceKind.ADMIN3))
    return plain or ids


class _Group:
    """Mentions sharing one candidate set and role: one choice for all (Barvenkove = Barvinkove)."""

    def __init__(
        self,
        ids: tuple[str, ...],
        role: str | None,
        gazetteer: Gazetteer,
        front: frozenset[str],
        surface: str,
    ) -> None:
        self.ids = ids
        self.role = role
        self.entries = [gazetteer.entry(i) for i in ids]
        self.points = [gazetteer.points(i) for i in ids]
        key = name_key(surface)
        # A Ukrainian place called so today (its KATOTTH name) beats one that only once had the name
        # ("Krasne": not Valianivske, renamed in 2016); names abroad are transliterations, no evidence.
        fit = scoring().own_name_bonus
        self.priors = [
            _prior(e, role, front) + (fit if e.country == "UA" and name_key(e.name) == key else 0.0)
            for e in self.entries
        ]
        self.scores = list(self.priors)
        self.choice = max(range(len(ids)), key=lambda k: self.priors[k])

    @property
    def chosen(self) -> GazetteerEntry:
        return self.entries[self.choice]


def _anchors(groups: list[_Group]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Radian lat, lon, weight and group index of the points chosen so far (settlements and units), of
    the first `max_anchors` places named: a candidate is compared with at most that many points."""
    rows: list[tuple[float, float, float, int]] = []
    limit = scoring().max_anchors
    for g, group in enumerate(groups):
        if len(rows) >= limit:
            break
        # Countries, regions and long rivers are too big to say where the other places are; a feature with
        # an exact point (a bridge, a plant) is as good an anchor as a village.
        chosen = group.chosen
        if chosen.kind in NOT_ANCHORS and not (
            chosen.kind is PlaceKind.FEATURE and chosen.precision is Precision.EXACT
        ):
            continue
        weight = 1.0 if len(group.ids) == 1 else scoring().ambiguous_anchor_weight
        rows += [(lat, lon, weight, g) for lat, lon in group.points[group.choice]]
    if not rows:
        empty = np.zeros(0)
        return empty, empty, empty, empty
    table = np.array(rows, dtype=float)
    return np.radians(table[:, 0]), np.radians(table[:, 1]), table[:, 2], table[:, 3]


def _choose(groups: list[_Group], regions: set[str], work: Work) -> None:
    """Score the candidates of ambiguous groups by prior, region and nearness to the others; iterate."""
    ambiguous = [g for g, group in enumerate(groups) if len(group.ids) > 1]
    if not ambiguous:
        return
    w = scoring()
    lat: list[float] = []
    lon: list[float] = []
    owner: list[int] = []
    starts: list[int] = []
    base: list[float] = []
    for g in ambiguous:
        group = groups[g]
        for k, entry in enumerate(group.entries):
            starts.append(len(lat))
            for plat, plon in group.points[k]:
                lat.append(plat)
                lon.append(plon)
                owner.append(g)
            bonus = w.region_bonus if entry.admin1 in regions and entry.kind is not PlaceKind.ADMIN1 else 0.0
            base.append(group.priors[k] + bonus)
    plat_r, plon_r = np.radians(np.array(lat)), np.radians(np.array(lon))
    owners, first, base_scores = np.array(owner, dtype=float), np.array(starts), np.array(base)
    for _ in range(w.iterations):
        alat, alon, weight, agroup = _anchors(groups)
        scores = base_scores
        if len(alat):
            work.candidate_anchor_pairs += len(plat_r) * len(alat)
            near = weight[None, :] * np.exp(-equirectangular_km(plat_r, plon_r, alat, alon) / w.proximity_km)
            near[owners[:, None] == agroup[None, :]] = 0.0  # a name is no evidence for itself
            # Summed over anchors, so a candidate amid several of the article's places beats one near a
            # single place; per anchor only the candidate's nearest point counts (rivers have many).
            per_candidate = np.maximum.reduceat(near, first, axis=0).sum(axis=1)
            scores = base_scores + w.proximity_weight * np.minimum(per_candidate, w.proximity_cap)
        changed, offset, values = False, 0, scores.tolist()
        for g in ambiguous:
            group = groups[g]
            block = values[offset : offset + len(group.ids)]
            offset += len(group.ids)
            group.scores = block
            choice = max(range(len(block)), key=block.__getitem__)  # the first best, as argmax
            changed |= choice != group.choice
            group.choice = choice
        if not changed:
            break


def _group_role(match: NameMatch) -> str | None:
    if match.role == FORMER_RAION_ROLE:
        return match.role
    return match.role if match.role in ROLE_KINDS else None


def _placed(
    entry: GazetteerEntry,
    points: tuple[tuple[float, float], ...],
    anchors: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    own: int,
) -> GazetteerEntry:
    """A long feature is placed at its point nearest the article's other places (not group `own`)."""
    alat, alon, _weight, agroup = anchors
    others = agroup != own
    alat, alon = alat[others], alon[others]
    if len(points) < 2 or not len(alat):
        return entry
    pts = np.radians(np.array(points))
    nearest = int(np.argmin(equirectangular_km(pts[:, 0], pts[:, 1], alat, alon).min(axis=1)))
    lat, lon = points[nearest]
    return replace(entry, lat=lat, lon=lon)


def resolve(
    annotated: AnnotatedArticle, *, gazetteer: Gazetteer, work: Work | None = None
) -> ResolvedArticle:
    """Every place named in the article, resolved to one gazetteer entry with its runners-up; `work`, when
    given, counts the steps taken (each is bounded per name, so the cost grows linearly with the text)."""
    text = annotated.article.text
    layout = Layout(annotated, work if work is not None else Work())
    kept: list[tuple[NameMatch, tuple[str, ...]]] = []
    filtered: dict[tuple[tuple[str, ...], str | None, str], tuple[str, ...]] = {}  # a name written again
    matches = gazetteer.match(text)
    matched = bytearray(len(text))  # 1 where the gazetteer matched a name, place or not
    for match in matches:
        matched[match.start : match.end] = b"\x01" * (match.end - match.start)
    for match in matches:
        if match.role in NOT_PLACE_ROLES or (match.role is None and _surname_alone(match, layout, gazetteer)):
            continue
        if (
            match.role not in ROLE_KINDS
            and _inside_entity(match, layout)
            and not _person_is_place(match, layout, gazetteer)
        ):
            continue
        key = (match.candidate_ids, match.role, match.surface)
        if key not in filtered:
            filtered[key] = _filter_by_role(match.candidate_ids, match.role, gazetteer, match.surface)
        kept.append((match, filtered[key]))
    kept = narrow(kept, matched, layout, gazetteer)
    front = _front(annotated, gazetteer)
    groups: dict[tuple[tuple[str, ...], str | None], _Group] = {}
    for match, ids in kept:
        role = _group_role(match)
        if (ids, role) not in groups:
            groups[(ids, role)] = _Group(ids, role, gazetteer, front, match.surface)
    all_groups = list(groups.values())
    regions = {g.chosen.name for g in all_groups if g.chosen.kind is PlaceKind.ADMIN1}
    regions |= {region for _, _, named in layout.context for region in named}
    _choose(all_groups, regions, layout.work)
    # built for the first long feature placed: most articles name none
    anchors: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None
    starts = [s.start_char for s in annotated.sentences]
    places = []
    placed: dict[int, GazetteerEntry] = {}
    ranking: dict[int, tuple[float, tuple[Candidate, ...]]] = {}  # per group: its score and runners-up
    for match, ids in kept:
        group = groups[(ids, _group_role(match))]
        if id(group) not in ranking:
            top = max(group.scores)
            weights = [math.exp(s - top) for s in group.scores]
            total = sum(weights)
            ranked = sorted(range(len(ids)), key=lambda k: -weights[k])
            runners = tuple(
                Candidate(ids[k], round(weights[k] / total, 4)) for k in ranked if k != group.choice
            )
            ranking[id(group)] = (round(weights[group.choice] / total, 4), runners[: scoring().runners_up])
        score, runners = ranking[id(group)]
        if len(group.points[group.choice]) < 2:
            entry = group.chosen
        elif id(group) not in placed:
            own = next(k for k, g in enumerate(all_groups) if g is group)  # once per long feature
            anchors = anchors or _anchors(all_groups)
            placed[id(group)] = entry = _placed(group.chosen, group.points[group.choice], anchors, own)
        else:
            entry = placed[id(group)]
        if match.role == FORMER_RAION_ROLE:
            entry = former_raion(entry, match.surface)
        mention = Mention(
            surface=match.surface,
            start_char=match.start,
            end_char=match.end,
            sentence=max(0, bisect.bisect_right(starts, match.start) - 1),
            candidate_ids=match.candidate_ids,
            role=match.role,
        )
        places.append(Place(mention=mention, entry=entry, score=score, candidates=runners))
    return ResolvedArticle(annotated=annotated, places=tuple(places))
