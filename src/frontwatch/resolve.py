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
import tomllib
from dataclasses import dataclass, replace
from datetime import date
from importlib import resources

import numpy as np

from frontwatch.gazetteer import Gazetteer, NameMatch
from frontwatch.gazetteer.keys import name_key
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

ENTITY_ALONE_NOT_PLACE = frozenset({"PERSON", "WORK_OF_ART", "PRODUCT", "EVENT", "LAW"})
# "Mariupol Drama Theater", "Kharkiv National University": an institution named first by its town is there.
LOCATED_ENTITIES = frozenset({"ORG"})
NOT_PLACE_ENTITIES = frozenset({"PERSON", "ORG", "NORP", "WORK_OF_ART", "PRODUCT", "EVENT", "LAW"})
ROLE_KINDS = {
    "region": (PlaceKind.ADMIN1,),
    "district": (PlaceKind.ADMIN2,),
    "community": (PlaceKind.ADMIN3,),
    "river": (PlaceKind.RIVER, PlaceKind.FEATURE),
}
# "Kiev says", "Kiev forces": a party; "Gagarin Stadium", "Gorky park": what a facility is named after.
NOT_PLACE_ROLES = frozenset({"actor", "facility"})
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
# What may stand between a name and the unit that says where it is, and between two such units.
_UNIT_GAP = re.compile(
    r"\s*(?:(?:village|town|city|settlement|urban-type settlement|township)\b\s*)?[,(\[]?\s*"
    r"(?:(?:in|of)\s+)?(?:the\s+)?",
    re.I,
)
_NEXT_UNIT_GAP = re.compile(r"[\s,()\[\]]*(?:(?:in|of)\s+)?(?:the\s+)?", re.I)
# A pre-2020 raion, written as an adjective: "Starobeshivskiy district", "Amvrosievsky region".
_FORMER_RAION = re.compile(
    r"\b([A-Z][a-z'’]+?(?:-[A-Z][a-z'’]+?)?)'?s[ck](?:yi|iy|ii|ij|yy|y|oy|oho|ogo|a|e|i)\s+"
    r"(?:district|raion|rayon|region)\b"
)
FORMER_RAION_SUFFIXES = ("", "e", "a", "o", "ka", "ye", "ia", "aya", "sk", "ske", "ne", "ove", "ive")
OBLAST_CENTRE_POPULATION = 200_000
FORMER_RAION_ROLE = "former district"  # the role of a pre-2020 raion's mention
FORMER_RAION_KM = 50.0  # a former raion reached about this far from its centre town
FRONT_PRIOR = 1.2  # a place in a front-line region (admin1.toml) is likelier in war reporting
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


@dataclass(frozen=True, slots=True)
class _PersonAsPlace:
    population: int
    cues: frozenset[str]
    titles: frozenset[str]


@functools.cache
def _person_rules() -> _PersonAsPlace:
    text = resources.files("frontwatch").joinpath("resolve_context.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)["person_as_place"]
    return _PersonAsPlace(
        population=int(data["population"]),
        cues=frozenset(w.lower() for w in data["prepositions"]),
        titles=frozenset(data["titles"]),
    )


_PREVIOUS_WORD = re.compile(r"([A-Za-z]+)\.?[\s]*$")


def _person_is_place(
    match: NameMatch, spans: list[tuple[int, int, str]], text: str, gazetteer: Gazetteer
) -> bool:
    """A one-word PERSON that is exactly a well-known town, or follows a place preposition, is a place
    the small model mislabelled ("captured Kupiansk"); a surname after a title or a first name is not."""
    if any(ch.isspace() for ch in match.surface):
        return False
    for s, e, label in spans:
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
    text = resources.files("frontwatch").joinpath("resolve_context.toml").read_text(encoding="utf-8")
    return tuple(tomllib.loads(text)["surname_line"]["endings"])


def _surname_alone(match: NameMatch, text: str, gazetteer: Gazetteer) -> bool:
    """One capitalised surname-like word forming a whole line, matching only villages: a person's name."""
    if not match.surface[:1].isupper() or any(ch.isspace() or ch == "-" for ch in match.surface):
        return False
    line_start = text.rfind("\n", 0, match.start) + 1
    line_end = text.find("\n", match.end)
    line = text[line_start : len(text) if line_end < 0 else line_end]
    if line.strip(" \t.,:;-\u2013\u2014\"'") != match.surface:
        return False
    if not match.surface.lower().endswith(_surname_endings()):
        return False
    return all(gazetteer.entry(i).kind is PlaceKind.VILLAGE for i in match.candidate_ids)


@functools.cache
def _front_before() -> tuple[date, frozenset[str]]:
    text = resources.files("frontwatch").joinpath("resolve_context.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)["front_before"]
    return data["until"], frozenset(data["regions"])


def _front(annotated: AnnotatedArticle, gazetteer: Gazetteer) -> frozenset[str]:
    """The front-line regions when the report was published (Donbas only before the invasion)."""
    published = annotated.article.published
    until, regions = _front_before()
    if published is not None and published < until:
        return regions
    return gazetteer.front_regions


def _blocked(annotated: AnnotatedArticle) -> list[tuple[int, int, str]]:
    return sorted(
        (e.start_char, e.end_char, e.label) for e in annotated.entities if e.label in NOT_PLACE_ENTITIES
    )


def _inside_entity(match: NameMatch, spans: list[tuple[int, int, str]]) -> bool:
    """Inside a person's or a work's name, or inside a longer name ("Security Service of Ukraine"). A lone
    ORG or NORP that is just a place name is the small model's mislabel ("tanks drive into Slavutych"),
    and an ORG that opens with a town's name is in that town ("Mariupol Drama Theater"): places."""
    for s, e, label in spans:
        if not (s < match.end and match.start < e):
            continue
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
        self, ids: tuple[str, ...], role: str | None, gazetteer: Gazetteer, front: frozenset[str]
    ) -> None:
        self.ids = ids
        self.role = role
        self.entries = [gazetteer.entry(i) for i in ids]
        self.points = [gazetteer.points(i) for i in ids]
        self.priors = [_prior(e, role, front) for e in self.entries]
        self.scores = list(self.priors)
        self.choice = max(range(len(ids)), key=lambda k: self.priors[k])

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


@dataclass(frozen=True, slots=True)
class _Unit:
    """A region or raion the text writes after a name: where that name's place must be."""

    start: int
    end: int
    admin1: frozenset[str]
    admin2: frozenset[str] = frozenset()
    centre: tuple[float, float] | None = None  # a former raion: its centre town
    town: GazetteerEntry | None = None  # a former raion: the town it was named after


def _former_raion_centre(stem: str, gazetteer: Gazetteer) -> GazetteerEntry | None:
    """The town a pre-2020 raion was named after: "Starobeshivskyi" → Starobesheve, "Maryinsky" → Maryinka."""
    found: dict[str, GazetteerEntry] = {}
    bases = {stem, stem[:-3] if stem.endswith(("yan", "ian")) else stem}
    for base in bases:
        for suffix in FORMER_RAION_SUFFIXES:
            for entry_id in gazetteer.candidates(base + suffix):
                entry = gazetteer.entry(entry_id)
                if entry.country == "UA" and entry.kind in SETTLEMENTS and entry.admin1:
                    found[entry_id] = entry
    if not found:
        return None
    return _town(list(found.values()), stem)


def _town(entries: list[GazetteerEntry], surface: str) -> GazetteerEntry:
    """The town a raion is named after: one written under its own name (Sloviansk, not Nikopol that
    GeoNames also knows as "Slaviansk"), then a town before a village, then the most populous."""
    key = name_key(surface.split()[0]) if surface.split() else ""
    return max(
        entries,
        key=lambda e: (
            name_key(e.name).startswith(key[: max(3, len(key) - 2)]),
            e.kind is not PlaceKind.VILLAGE,
            e.population or 0,
        ),
    )


def _units(
    kept: list[tuple[NameMatch, tuple[str, ...]]], text: str, gazetteer: Gazetteer
) -> tuple[list[_Unit], set[int]]:
    """Every region or raion the text names (also pre-2020 raions, which KATOTTH no longer has), and the
    indexes of kept matches that only named a former raion (not places: "Shakhtarskyi district")."""
    units: list[_Unit] = []
    dropped: set[int] = set()
    district_towns: list[tuple[int, NameMatch, list[GazetteerEntry]]] = []
    spans = []
    for k, (match, ids) in enumerate(kept):
        entries = [gazetteer.entry(i) for i in ids]
        if match.role == "region" and entries and all(e.kind is PlaceKind.ADMIN1 for e in entries):
            units.append(_Unit(match.start, match.end, frozenset(e.name for e in entries)))
        elif match.role == "district" and entries and all(e.kind is PlaceKind.ADMIN2 for e in entries):
            units.append(
                _Unit(
                    match.start,
                    match.end,
                    frozenset(e.admin1 for e in entries if e.admin1),
                    frozenset(e.name for e in entries),
                )
            )
        elif match.role == "district" and entries and all(e.kind in SETTLEMENTS for e in entries):
            district_towns.append((k, match, entries))
            spans.append((match.start, match.end, k))
        else:
            spans.append((match.start, match.end, k))
            capitals = [e for e in entries if e.kind is PlaceKind.CITY and e.admin1]
            capitals = [e for e in capitals if (e.population or 0) > OBLAST_CENTRE_POPULATION]
            if match.role is None and capitals:  # "Pobeda village, Donetsk": the oblast of its centre
                units.append(_Unit(match.start, match.end, frozenset(e.admin1 for e in capitals if e.admin1)))
    for m in _FORMER_RAION.finditer(text):
        if any(u.start < m.end() and m.start() < u.end for u in units):
            continue  # a current raion ("Bakhmutskyi raion") the gazetteer knows
        centre = _former_raion_centre(m.group(1), gazetteer)
        if centre is None:
            continue
        covered = [k for s, e, k in spans if s < m.end() and m.start() < e]
        if any(kept[k][0].role not in ("district", "region") for k in covered):
            continue  # "Yasynuvata district": a name already matched as a place
        dropped.update(covered)
        # An adjective of an oblast centre ("Kharkivska region") names the oblast, not a raion.
        point = None if (centre.population or 0) > OBLAST_CENTRE_POPULATION else (centre.lat, centre.lon)
        units.append(_Unit(m.start(), m.end(), frozenset({centre.admin1 or ""}), centre=point, town=centre))
    # "Krasnopolye of the Donetsk People's Republic", "Ozernoye, DPR": a party named after one region
    pattern, regions = _context_pattern()
    for m in pattern.finditer(text):
        if len(regions[m.group()]) == 1:
            units.append(_Unit(m.start(), m.end(), frozenset(regions[m.group()])))
    for k, match, entries in district_towns:
        if k in dropped or any(u.start < match.end and match.start < u.end for u in units):
            continue
        # "Novoaydar district": a raion KATOTTH no longer has, named after its town
        towns = [e for e in entries if e.country == "UA"] or entries
        town = _town(towns, match.surface)
        point = (town.lat, town.lon)
        units.append(_Unit(match.start, match.end, frozenset({town.admin1 or ""}), centre=point, town=town))
        dropped.add(k)
    units.sort(key=lambda u: u.start)
    return units, dropped


def _chain(match: NameMatch, units: list[_Unit], text: str) -> list[_Unit]:
    """The units written right after a name, one after the other: "X (Y district), Z region"."""
    chain: list[_Unit] = []
    pos = match.end
    for unit in units:
        if unit.start < pos:
            continue
        gap = _UNIT_GAP if not chain else _NEXT_UNIT_GAP
        if not gap.fullmatch(text, pos, unit.start):
            break
        chain.append(unit)
        pos = unit.end
    return chain


def _inside(entry: GazetteerEntry, unit: _Unit) -> bool:
    if entry.admin1 not in unit.admin1:
        return False
    if unit.admin2 and entry.admin2 is not None and entry.admin2 not in unit.admin2:
        return False
    if unit.centre is not None:
        lat, lon = unit.centre
        return _km(entry.lat, entry.lon, lat, lon) <= FORMER_RAION_KM
    return True


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    dlat = math.radians(lat2 - lat1)
    dlon = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return EARTH_KM * math.hypot(dlat, dlon)


def _narrow(
    kept: list[tuple[NameMatch, tuple[str, ...]]], text: str, gazetteer: Gazetteer
) -> list[tuple[NameMatch, tuple[str, ...]]]:
    """A unit the text writes after a name is a hard filter on its candidates ("Andriivka village in Kyiv
    Oblast", "Kutuzovka, Dobropolsky district, Donetsk region"); former raions narrow, are not places."""
    units, dropped = _units(kept, text, gazetteer)
    out = []
    for k, (match, ids) in enumerate(kept):
        if k in dropped:
            continue
        chain = _chain(match, units, text) if match.role not in ("region", "district") else []
        if chain and len(ids) > 1:
            inside = tuple(i for i in ids if all(_inside(gazetteer.entry(i), u) for u in chain))
            if not inside:  # a former raion's centre may sit off: the regions alone still hold
                inside = tuple(i for i in ids if all(gazetteer.entry(i).admin1 in u.admin1 for u in chain))
            ids = inside or ids
        out.append((match, ids))
    for unit in units:
        if unit.town is not None and unit.centre is not None:
            surface = text[unit.start : unit.end]
            out.append((NameMatch(unit.start, unit.end, surface, (unit.town.id,), FORMER_RAION_ROLE), ()))
    out.sort(key=lambda pair: pair[0].start)
    return [(match, ids or match.candidate_ids) for match, ids in out]


def former_raion(town: GazetteerEntry, surface: str) -> GazetteerEntry:
    """A pre-2020 raion as a place: a raion-precision point at the town it was named after (KATOTTH has
    only the new, larger raions); its id is the town's with a prefix, so it never poses as the town."""
    return replace(
        town,
        id=f"former-raion:{town.id}",
        name=surface,
        kind=PlaceKind.ADMIN2,
        precision=Precision.RAION,
        admin2=None,
        admin3=None,
        population=None,
        names=(surface,),
    )


def _group_role(match: NameMatch) -> str | None:
    if match.role == FORMER_RAION_ROLE:
        return match.role
    return match.role if match.role in ROLE_KINDS else None


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
        if match.role in NOT_PLACE_ROLES or (match.role is None and _surname_alone(match, text, gazetteer)):
            continue
        if (
            match.role not in ROLE_KINDS
            and _inside_entity(match, blocked)
            and not _person_is_place(match, blocked, text, gazetteer)
        ):
            continue
        kept.append((match, _filter_by_role(match.candidate_ids, match.role, gazetteer, match.surface)))
    kept = _narrow(kept, text, gazetteer)
    front = _front(annotated, gazetteer)
    groups: dict[tuple[tuple[str, ...], str | None], _Group] = {}
    for match, ids in kept:
        role = _group_role(match)
        if (ids, role) not in groups:
            groups[(ids, role)] = _Group(ids, role, gazetteer, front)
    all_groups = list(groups.values())
    regions = {g.chosen.name for g in all_groups if g.chosen.kind is PlaceKind.ADMIN1}
    regions |= _context_regions(text)
    _choose(all_groups, regions)
    starts = [s.start_char for s in annotated.sentences]
    places = []
    placed: dict[int, GazetteerEntry] = {}
    for match, ids in kept:
        group = groups[(ids, _group_role(match))]
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
