"""Resolution: each name found in an article becomes a Place, chosen among homonyms by context.

Context is what the article itself says: regions it names, the other places it names (nearby
candidates win), the role words around a name ("X region", "X river"), with population and kind
as a weak prior. Names inside a PERSON or ORG entity are not places unless a role word says so.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import replace

from frontwatch.gazetteer import Gazetteer, NameMatch
from frontwatch.gazetteer.geo import km
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
    PlaceKind.COUNTRY: 4.0, PlaceKind.ADMIN1: 3.0, PlaceKind.ADMIN2: 1.5, PlaceKind.ADMIN3: 1.0,
    PlaceKind.RIVER: 0.3, PlaceKind.FEATURE: 0.2,
}
COUNTRY_PRIOR = {"UA": 1.0, "RU": 0.3}  # the war's reporting is mostly about Ukraine, then Russia
PROXIMITY_WEIGHT, PROXIMITY_KM, PROXIMITY_CAP = 4.0, 40.0, 2.5
REGION_BONUS = 1.0
FRONT_PRIOR = 0.8  # a place in a front-line region (admin1.toml) is likelier in war reporting
ITERATIONS = 3
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

    @property
    def chosen(self) -> GazetteerEntry:
        return self.entries[self.choice]


def _anchor_points(groups: list[_Group], skip: _Group) -> list[tuple[float, float, float]]:
    """(lat, lon, weight) of the places chosen for the other groups; settlements and units only."""
    anchors = []
    for group in groups:
        # Countries, regions and long rivers are too big to say where the other places are.
        if group is skip or group.chosen.kind in NOT_ANCHORS:
            continue
        weight = 1.0 if len(group.ids) == 1 else 0.6
        anchors += [(lat, lon, weight) for lat, lon in group.points[group.choice]]
    return anchors


def _score(group: _Group, groups: list[_Group], regions: set[str]) -> None:
    anchors = _anchor_points(groups, group)
    for k, entry in enumerate(group.entries):
        score = group.priors[k]
        if entry.admin1 and entry.admin1 in regions and entry.kind is not PlaceKind.ADMIN1:
            score += REGION_BONUS
        if anchors:
            # Summed, so a candidate amid several of the article's places beats one near a single place.
            near = sum(
                max(w * math.exp(-km(lat, lon, plat, plon) / PROXIMITY_KM) for plat, plon in group.points[k])
                for lat, lon, w in anchors
            )
            score += PROXIMITY_WEIGHT * min(near, PROXIMITY_CAP)
        group.scores[k] = score
    group.choice = max(range(len(group.ids)), key=lambda k: group.scores[k])


def _placed(entry: GazetteerEntry, points: tuple[tuple[float, float], ...], anchors: list) -> GazetteerEntry:
    """A long feature is placed at its point nearest the article's other places."""
    if len(points) < 2 or not anchors:
        return entry
    lat, lon = min(points, key=lambda p: min(km(p[0], p[1], a[0], a[1]) for a in anchors))
    return replace(entry, lat=lat, lon=lon)


def resolve(annotated: AnnotatedArticle, *, gazetteer: Gazetteer) -> ResolvedArticle:
    """Every place named in the article, resolved to one gazetteer entry with its runners-up."""
    text = annotated.article.text
    blocked = _blocked(annotated)
    kept: list[tuple[NameMatch, tuple[str, ...]]] = []
    for match in gazetteer.match(text):
        if match.role not in ROLE_KINDS and _inside_entity(match, blocked):
            continue
        kept.append((match, _filter_by_role(match.candidate_ids, match.role, gazetteer)))
    groups: dict[tuple[tuple[str, ...], str | None], _Group] = {}
    for match, ids in kept:
        role = match.role if match.role in ROLE_KINDS else None
        if (ids, role) not in groups:
            groups[(ids, role)] = _Group(ids, role, gazetteer)
    all_groups = list(groups.values())
    regions = {g.chosen.name for g in all_groups if g.chosen.kind is PlaceKind.ADMIN1}
    for _ in range(ITERATIONS):
        # Unambiguous names anchor the rest; each pass lets the ambiguous ones settle on each other.
        for group in all_groups:
            if len(group.ids) > 1:
                _score(group, all_groups, regions)
    starts = [s.start_char for s in annotated.sentences]
    places = []
    for match, ids in kept:
        role = match.role if match.role in ROLE_KINDS else None
        group = groups[(ids, role)]
        weights = [math.exp(s - max(group.scores)) for s in group.scores]
        total = sum(weights)
        ranked = sorted(range(len(ids)), key=lambda k: -weights[k])
        entry = _placed(group.chosen, group.points[group.choice], _anchor_points(all_groups, group))
        mention = Mention(
            surface=match.surface, start_char=match.start, end_char=match.end,
            sentence=max(0, bisect.bisect_right(starts, match.start) - 1), candidate_ids=match.candidate_ids,
            role=match.role,
        )
        runners = tuple(Candidate(ids[k], round(weights[k] / total, 4)) for k in ranked if k != group.choice)
        places.append(Place(mention=mention, entry=entry, score=round(weights[group.choice] / total, 4),
                            candidates=runners[:5]))
    return ResolvedArticle(annotated=annotated, places=tuple(places))
