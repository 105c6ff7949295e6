"""Resolution: each name found in an article becomes a Place, chosen among homonyms by context.

Context is what the article itself says: regions it names, the other places it names (nearby
candidates win), the role words around a name ("X region", "X river"), with population and kind
as a weak prior. Names inside a PERSON or ORG entity are not places unless a role word says so.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import re
import tomllib
from dataclasses import replace
from importlib import resources

import numpy as np

from frontwatch.gazetteer import Gazetteer, NameMatch
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

NOT_PLACE_ENTITIES = frozenset({"PERSON", "ORG", "NORP", "WORK_OF_ART", "PRODUCT", "EVENT", "LAW"})
ROLE_KINDS = {
    "region": (PlaceKind.ADMIN1,),
    "district": (PlaceKind.ADMIN2,),
    "community": (PlaceKind.ADMIN3,),
    "river": (PlaceKind.RIVER, PlaceKind.FEATURE),
}
SETTLEMENTS = (PlaceKind.CITY, PlaceKind.TOWN, PlaceKind.VILLAGE)
KIND_PRIOR = {
    PlaceKind.COUNTRY: 4.0,
    PlaceKind.ADMIN1: 3.0,
    PlaceKind.ADMIN2: 1.5,
    PlaceKind.ADMIN3: 1.0,
    PlaceKind.RIVER: 0.3,
    PlaceKind.FEATURE: 0.2,
}
COUNTRY_PRIOR = {"UA": 1.0, "RU": 0.3}  # the war's reporting is mostly about Ukraine, then Russia
PROXIMITY_WEIGHT, PROXIMITY_KM, PROXIMITY_CAP = 4.0, 40.0, 2.5
REGION_BONUS = 1.0
ATTACHED_UNIT_BONUS = 4.0  # the text itself says which region: stronger than any prior
_ATTACH_GAP = re.compile(r"\s*[,(]\s*(?:in\s+)?(?:the\s+)?")
FRONT_PRIOR = 0.8  # a place in a front-line region (admin1.toml) is likelier in war reporting
ITERATIONS = 4
AMBIGUOUS_ANCHOR_WEIGHT = 0.6  # a place still being chosen says less about its neighbours
EARTH_KM = 6371.0
NOT_ANCHORS = (PlaceKind.COUNTRY, PlaceKind.ADMIN1, PlaceKind.RIVER, PlaceKind.FEATURE)


def _prior(entry: GazetteerEntry, role: str | None, front: frozenset[str]) -> float:
    if entry.kind in SETTLEMENTS:
        score = 0.5 * math.log10(max(entry.population or 0, 100))
        score += 0.2 if entry.precision is Precision.EXACT else 0.0
    else:
        score = KIND_PRIOR[entry.kind]
    if role in ROLE_KINDS and entry.kind in ROLE_KINDS[role]:
        score += 2.0
    if entry.admin1 in front:
        score += FRONT_PRIOR
    return score + COUNTRY_PRIOR.get(entry.country, 0.0)


@functools.cache
def _context_pattern() -> tuple[re.Pattern[str], dict[str, tuple[str, ...]]]:
    text = resources.files("frontwatch").joinpath("resolve_context.toml").read_text(encoding="utf-8")
    regions = {name: tuple(r) for name, r in tomllib.loads(text)["regions"].items()}
    names = sorted((re.escape(n) for n in regions), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(names) + r")\b"), regions


def _context_regions(text: str) -> set[str]:
    """Regions the article names through its parties and areas (DPR, Donbas), not as places."""
    pattern, regions = _context_pattern()
    return {region for m in pattern.finditer(text) for region in regions[m.group()]}


def _blocked(annotated: AnnotatedArticle) -> list[tuple[int, int]]:
    return sorted((e.start_char, e.end_char) for e in annotated.entities if e.label in NOT_PLACE_ENTITIES)


def _inside_entity(match: NameMatch, spans: list[tuple[int, int]]) -> bool:
    return any(s < match.end and match.start < e for s, e in spans)


def _filter_by_role(ids: tuple[str, ...], role: str | None, gazetteer: Gazetteer) -> tuple[str, ...]:
    kinds = ROLE_KINDS.get(role or "")
    if kinds:
        fitting = tuple(i for i in ids if gazetteer.entry(i).kind in kinds)
        if fitting:
            return fitting
    # Without a role word a bare name means the settlement, not the raion or hromada named after it.
    plain = tuple(i for i in ids if gazetteer.entry(i).kind not in (PlaceKind.ADMIN2, PlaceKind.ADMIN3))
    return plain or ids


class _Group:
    """Mentions sharing one candidate set and role: one choice for all (Barvenkove = Barvinkove)."""

    def __init__(self, ids: tuple[str, ...], role: str | None, gazetteer: Gazetteer) -> None:
        self.ids = ids
        self.role = role
        self.entries = [gazetteer.entry(i) for i in ids]
        self.points = [gazetteer.points(i) for i in ids]
        self.priors = [_prior(e, role, gazetteer.front_regions) for e in self.entries]
        self.scores = list(self.priors)
        self.choice = max(range(len(ids)), key=lambda k: self.priors[k])
        self.attached: set[str] = set()  # units written right after the name: "Lukashivka, Chernihiv Oblast"

    @property
    def chosen(self) -> GazetteerEntry:
        return self.entries[self.choice]


def _anchors(groups: list[_Group]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Radian lat, lon, weight and group index of every point chosen so far (settlements and units)."""
    rows = []
    for g, group in enumerate(groups):
        # Countries, regions and long rivers are too big to say where the other places are.
        if group.chosen.kind in NOT_ANCHORS:
            continue
        weight = 1.0 if len(group.ids) == 1 else AMBIGUOUS_ANCHOR_WEIGHT
        rows += [(lat, lon, weight, g) for lat, lon in group.points[group.choice]]
    if not rows:
        empty = np.zeros(0)
        return empty, empty, empty, empty
    table = np.array(rows, dtype=float)
    return np.radians(table[:, 0]), np.radians(table[:, 1]), table[:, 2], table[:, 3]


def _distances_km(lat: np.ndarray, lon: np.ndarray, alat: np.ndarray, alon: np.ndarray) -> np.ndarray:
    """Equirectangular distances (points × anchors): exact enough at the scale of a region, and fast."""
    dlat = lat[:, None] - alat[None, :]
    dlon = (lon[:, None] - alon[None, :]) * np.cos((lat[:, None] + alat[None, :]) / 2)
    return EARTH_KM * np.hypot(dlat, dlon)


def _choose(groups: list[_Group], regions: set[str]) -> None:
    """Score the candidates of ambiguous groups by prior, region and nearness to the others; iterate."""
    ambiguous = [g for g, group in enumerate(groups) if len(group.ids) > 1]
    if not ambiguous:
        return
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
            bonus = REGION_BONUS if entry.admin1 in regions and entry.kind is not PlaceKind.ADMIN1 else 0.0
            if entry.admin1 in group.attached or entry.admin2 in group.attached:
                bonus += ATTACHED_UNIT_BONUS
            base.append(group.priors[k] + bonus)
    plat_r, plon_r = np.radians(np.array(lat)), np.radians(np.array(lon))
    owners, first, base_scores = np.array(owner, dtype=float), np.array(starts), np.array(base)
    for _ in range(ITERATIONS):
        alat, alon, weight, agroup = _anchors(groups)
        scores = base_scores
        if len(alat):
            near = weight[None, :] * np.exp(-_distances_km(plat_r, plon_r, alat, alon) / PROXIMITY_KM)
            near[owners[:, None] == agroup[None, :]] = 0.0  # a name is no evidence for itself
            # Summed over anchors, so a candidate amid several of the article's places beats one near a
            # single place; per anchor only the candidate's nearest point counts (rivers have many).
            per_candidate = np.maximum.reduceat(near, first, axis=0).sum(axis=1)
            scores = base_scores + PROXIMITY_WEIGHT * np.minimum(per_candidate, PROXIMITY_CAP)
        changed, offset = False, 0
        for g in ambiguous:
            group = groups[g]
            block = scores[offset : offset + len(group.ids)]
            offset += len(group.ids)
            group.scores = [float(x) for x in block]
            choice = int(np.argmax(block))
            changed |= choice != group.choice
            group.choice = choice
        if not changed:
            break


def _attach_units(
    kept: list[tuple[NameMatch, tuple[str, ...]]],
    groups: dict[tuple[tuple[str, ...], str | None], _Group],
    text: str,
    gazetteer: Gazetteer,
) -> None:
    """A region or raion written just after a name ("X, Y Oblast", "X (Y region)") says where X is."""
    for (match, ids), (unit, unit_ids) in itertools.pairwise(kept):
        if unit.role not in ("region", "district") or not _ATTACH_GAP.fullmatch(text, match.end, unit.start):
            continue
        role = match.role if match.role in ROLE_KINDS else None
        names = {gazetteer.entry(i).name for i in unit_ids}
        groups[(ids, role)].attached |= names


def _placed(
    entry: GazetteerEntry, points: tuple[tuple[float, float], ...], groups: list[_Group]
) -> GazetteerEntry:
    """A long feature is placed at its point nearest the article's other places."""
    alat, alon, _weight, _group = _anchors(groups)
    if len(points) < 2 or not len(alat):
        return entry
    pts = np.radians(np.array(points))
    nearest = int(np.argmin(_distances_km(pts[:, 0], pts[:, 1], alat, alon).min(axis=1)))
    lat, lon = points[nearest]
    return replace(entry, lat=lat, lon=lon)


def resolve(annotated: AnnotatedArticle, *, gazetteer: Gazetteer) -> ResolvedArticle:
    """Every place named in the article, resolved to one gazetteer entry with its runners-up."""
    text = annotated.article.text
    blocked = _blocked(annotated)
    kept: list[tuple[NameMatch, tuple[str, ...]]] = []
    for match in gazetteer.match(text):
        if match.role == "actor" or (match.role not in ROLE_KINDS and _inside_entity(match, blocked)):
            continue
        kept.append((match, _filter_by_role(match.candidate_ids, match.role, gazetteer)))
    groups: dict[tuple[tuple[str, ...], str | None], _Group] = {}
    for match, ids in kept:
        role = match.role if match.role in ROLE_KINDS else None
        if (ids, role) not in groups:
            groups[(ids, role)] = _Group(ids, role, gazetteer)
    all_groups = list(groups.values())
    regions = {g.chosen.name for g in all_groups if g.chosen.kind is PlaceKind.ADMIN1}
    regions |= _context_regions(text)
    _attach_units(kept, groups, text, gazetteer)
    _choose(all_groups, regions)
    starts = [s.start_char for s in annotated.sentences]
    places = []
    placed: dict[int, GazetteerEntry] = {}
    for match, ids in kept:
        role = match.role if match.role in ROLE_KINDS else None
        group = groups[(ids, role)]
        weights = [math.exp(s - max(group.scores)) for s in group.scores]
        total = sum(weights)
        ranked = sorted(range(len(ids)), key=lambda k: -weights[k])
        if len(group.points[group.choice]) < 2:
            entry = group.chosen
        elif id(group) not in placed:
            others = [g for g in all_groups if g is not group]
            placed[id(group)] = entry = _placed(group.chosen, group.points[group.choice], others)
        else:
            entry = placed[id(group)]
        mention = Mention(
            surface=match.surface,
            start_char=match.start,
            end_char=match.end,
            sentence=max(0, bisect.bisect_right(starts, match.start) - 1),
            candidate_ids=match.candidate_ids,
            role=match.role,
        )
        runners = tuple(Candidate(ids[k], round(weights[k] / total, 4)) for k in ranked if k != group.choice)
        places.append(
            Place(
                mention=mention,
                entry=entry,
                score=round(weights[group.choice] / total, 4),
                candidates=runners[:5],
            )
        )
    return ResolvedArticle(annotated=annotated, places=tuple(places))
