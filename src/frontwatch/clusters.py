"""Event merging: reports of the same real-world event become one cluster with a canonical event.

Pure functions over model records. Two reports merge when they have the same ACLED type and
sub-type (and the same control change), the same gazetteer entry or points within `max_km`, dates
that overlap once their precisions are taken into account, and compatible actors; nothing marks
them as distinct (same article, different weapons, parts of the day or "another"/"second" strike).
Merging is greedy over a total order of the reports, so the same input gives the same clusters in
any order; a spatial grid and day buckets keep it near-linear.
"""

from __future__ import annotations

import calendar
import logging
import math
import re
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cache
from importlib import resources

from frontwatch.model import DatePrecision, Event, Modality, Precision

log = logging.getLogger(__name__)

RULES_VERSION = "clusters.rules.v1"
EARTH_KM = 6371.0088
COARSE = frozenset({Precision.RAION, Precision.REGION, Precision.COUNTRY})
DATE_RANK = {
    DatePrecision.DAY: 0,
    DatePrecision.RANGE: 1,
    DatePrecision.ON_OR_BEFORE: 2,
    DatePrecision.ON_OR_AFTER: 2,
    DatePrecision.MONTH: 3,
    DatePrecision.YEAR: 4,
    DatePrecision.UNKNOWN: 5,
}
PLACE_RANK = {
    Precision.EXACT: 0,
    Precision.FEATURE: 1,
    Precision.HROMADA: 2,
    Precision.RAION: 3,
    Precision.REGION: 4,
    Precision.COUNTRY: 5,
}
MODALITY_RANK = {
    Modality.ASSERTED: 0,
    Modality.CLAIMED: 1,
    Modality.UNNAMED_SOURCE: 2,
    Modality.ESTIMATED: 3,
    Modality.DENIED: 4,
    Modality.HOPED: 5,
}


@dataclass(frozen=True, slots=True)
class MergeRules:
    """The knobs of merging; `version` is stored with every assignment."""

    max_km: float = 5.0
    open_window_days: int = 14  # how far back "on or before" (forward "on or after") reaches
    version: str = RULES_VERSION


DEFAULT_RULES = MergeRules()


@dataclass(frozen=True, slots=True)
class MergeReason:
    """Why one report is in its cluster: the seed, or what matched the report it was compared to."""

    event_id: str
    cluster_id: str
    matched_event_id: str | None  # None for the report that started the cluster
    type_match: str = ""  # "Battles / Armed clash"
    same_place: bool = False  # same gazetteer entry
    distance_km: float | None = None
    date_overlap: tuple[date, date] | None = None
    actors: str = ""
    rules_version: str = RULES_VERSION

    def text(self) -> str:
        """One line for people: why this report joined."""
        if self.matched_event_id is None:
            return "started the cluster (most precise report)"
        where = "same place" if self.same_place else f"{self.distance_km:.1f} km apart"
        when = ""
        if self.date_overlap is not None:
            lo, hi = self.date_overlap
            when = f"dates overlap {lo.isoformat()}" + ("" if lo == hi else f"..{hi.isoformat()}")
        parts = [f"same type {self.type_match}", where, when, f"actors {self.actors}"]
        return f"joined {self.matched_event_id}: " + ", ".join(p for p in parts if p)


@dataclass(frozen=True, slots=True)
class Cluster:
    """One real-world event: its canonical report, every report of it and who independently said it."""

    id: str
    canonical: Event
    members: tuple[Event, ...]  # canonical first, then in merge order
    reasons: tuple[MergeReason, ...]  # one per member, same order
    sources: tuple[str, ...]  # independent source keys, sorted

    @property
    def independent_sources(self) -> int:
        return len(self.sources)

    @property
    def event_ids(self) -> tuple[str, ...]:
        return tuple(e.id for e in self.members)

    def reason(self, event_id: str) -> MergeReason:
        for r in self.reasons:
            if r.event_id == event_id:
                return r
        raise KeyError(event_id)


# --- vocabulary --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Vocabulary:
    claimants: tuple[tuple[str, re.Pattern[str]], ...]
    time_of_day: tuple[tuple[str, re.Pattern[str]], ...]
    repeat: tuple[tuple[str, re.Pattern[str]], ...]
    weapon_families: Mapping[str, frozenset[str]]  # generic class → the specific classes it covers


def _alternation(words: Sequence[str]) -> re.Pattern[str]:
    ordered = sorted(words, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in ordered) + r")\b", re.IGNORECASE)


@cache
def _vocabulary() -> _Vocabulary:
    raw = tomllib.loads(resources.files("frontwatch").joinpath("clusters.toml").read_text(encoding="utf-8"))

    def table(name: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
        return tuple((key, _alternation(words)) for key, words in raw[name].items())

    def patterns(name: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
        return tuple(
            (key, re.compile(r"\b(?:" + "|".join(regexes) + r")\b", re.IGNORECASE))
            for key, regexes in raw[name].items()
        )

    claimants = tuple(
        (key, re.compile(r"^(?:" + "|".join(re.escape(normalise_name(w)) for w in words) + r")$"))
        for key, words in raw["claimants"].items()
    )
    families = {generic: frozenset(specific) for generic, specific in raw["weapon_families"].items()}
    return _Vocabulary(claimants, table("time_of_day"), patterns("repeat_markers"), families)


# --- sources -----------------------------------------------------------------------------------


def normalise_name(name: str) -> str:
    """Lower case, no punctuation or possessive, no leading/trailing "the"; spaces collapsed."""
    text = re.sub(r"['’]s\b", "s", name.lower())
    text = re.sub(r"[^\w\s]", " ", text)
    words = [w for w in text.split() if w != "the"]
    return " ".join(words)


def source_key(event: Event, *, outlets: Mapping[str, str] | None = None) -> str:
    """The independent source behind a report: its claimant, else its outlet, else its article."""
    claimant = event.claimant
    if claimant is not None and claimant.name:
        name = normalise_name(claimant.name)
        for key, pattern in _vocabulary().claimants:
            if pattern.match(name):
                return f"claimant:{key}"
        return f"claimant:{name}"
    outlet = (claimant.outlet if claimant is not None else None) or (outlets or {}).get(event.article_id)
    if outlet:
        return f"outlet:{normalise_name(outlet)}"
    return f"article:{event.article_id}"


# --- comparisons -------------------------------------------------------------------------------


def date_interval(event: Event, *, rules: MergeRules = DEFAULT_RULES) -> tuple[date, date] | None:
    """The days an event may have happened on, given its date precision; None when undated."""
    d = event.date
    if d is None:
        return None
    window = timedelta(days=rules.open_window_days)
    match event.date_precision:
        case DatePrecision.DAY:
            return d, d
        case DatePrecision.ON_OR_BEFORE:
            return d - window, d
        case DatePrecision.ON_OR_AFTER:
            return d, d + window
        case DatePrecision.RANGE:
            end = event.date_end or d
            return (d, end) if end >= d else (end, d)
        case DatePrecision.MONTH:
            return d.replace(day=1), d.replace(day=calendar.monthrange(d.year, d.month)[1])
        case DatePrecision.YEAR:
            return date(d.year, 1, 1), date(d.year, 12, 31)
        case _:
            return d - window, d + window


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


def _sides(event: Event) -> frozenset[str]:
    return frozenset(a.side for a in event.actors if a.side)


def _first_side(event: Event) -> str | None:
    return event.actors[0].side if event.actors else None


def _markers(event: Event, table: tuple[tuple[str, re.Pattern[str]], ...]) -> frozenset[str]:
    return frozenset(key for key, pattern in table if pattern.search(event.evidence.text))


def _weapon_classes(event: Event) -> frozenset[str]:
    return frozenset(w.weapon_class for w in event.weapons)


def weapons_compatible(a: frozenset[str], b: frozenset[str]) -> bool:
    """Two reports' weapon classes can describe one attack: either names none, they share a class,
    or one names a generic class ("artillery") covering a class the other names ("multiple rocket
    launcher"); reports differ in how precisely they name a weapon, not in which one it was."""
    if not a or not b or a & b:
        return True
    families = _vocabulary().weapon_families
    covered_a = frozenset().union(*(families.get(x, frozenset()) for x in a))
    covered_b = frozenset().union(*(families.get(y, frozenset()) for y in b))
    return bool(covered_a & b or covered_b & a)


def sort_key(event: Event) -> tuple:
    """Total order of reports: most precise date, then place, then modality first; then date, id."""
    place_rank = PLACE_RANK.get(event.place.entry.precision, 6) if event.place else 7
    return (
        DATE_RANK.get(event.date_precision, 5),
        place_rank,
        MODALITY_RANK.get(event.modality, 6),
        event.date or date.max,
        event.id,
    )


def compare(a: Event, b: Event, *, rules: MergeRules = DEFAULT_RULES) -> MergeReason | str:
    """Whether report `b` may be the same event as report `a`: a reason to merge, or why not (a str)."""
    if (a.event_type, a.sub_event_type) != (b.event_type, b.sub_event_type):
        return "different type"
    if a.control_to != b.control_to:
        return "different control change"
    if (a.modality == Modality.DENIED) != (b.modality == Modality.DENIED):
        return "one denies what the other reports"
    if a.place is None or b.place is None:
        return "no place"
    same_place = a.place.entry.id == b.place.entry.id
    if a.article_id == b.article_id and (a.evidence != b.evidence or not same_place):
        return "two events of the same article"
    if a.control_to is not None and not same_place:
        # taking a village is not taking its neighbour 3 km away
        return "control of different places"
    km = distance_km(a.place.entry.lat, a.place.entry.lon, b.place.entry.lat, b.place.entry.lon)
    if not same_place:
        # a region's centroid says nothing about where in the region: only the same entry matches
        if a.place.entry.precision in COARSE or b.place.entry.precision in COARSE:
            return "different coarse places"
        if km > rules.max_km:
            return f"{km:.1f} km apart"
    da, db = date_interval(a, rules=rules), date_interval(b, rules=rules)
    if da is None or db is None:
        return "undated"
    lo, hi = max(da[0], db[0]), min(da[1], db[1])
    if lo > hi:
        return "dates do not overlap"
    sides_a, sides_b = _sides(a), _sides(b)
    first_a, first_b = _first_side(a), _first_side(b)
    if first_a and first_b and first_a != first_b:
        return "different initiators"
    if sides_a and sides_b and not sides_a & sides_b:
        return "different actors"
    if not weapons_compatible(_weapon_classes(a), _weapon_classes(b)):
        return "different weapons"
    vocab = _vocabulary()
    ta, tb = _markers(a, vocab.time_of_day), _markers(b, vocab.time_of_day)
    if ta and tb and not ta & tb:
        return "different part of the day"
    if _markers(a, vocab.repeat) != _markers(b, vocab.repeat):
        return "one is another/second such event"
    shared = sorted(sides_a & sides_b)
    actors = ("shared " + ", ".join(shared)) if shared else "compatible (unnamed on one side)"
    return MergeReason(
        event_id=b.id,
        cluster_id="",
        matched_event_id=a.id,
        type_match=f"{a.event_type} / {a.sub_event_type}",
        same_place=same_place,
        distance_km=round(km, 3),
        date_overlap=(lo, hi),
        actors=actors,
        rules_version=rules.version,
    )


# --- merging -----------------------------------------------------------------------------------


def cluster_id_for(event_id: str) -> str:
    """A cluster is named after the report that started it."""
    return f"cl-{event_id}"


@dataclass(slots=True)
class _Building:
    id: str
    members: list[Event]
    reasons: list[MergeReason]
    keys: list[tuple] = field(default_factory=list)


class _Index:
    """Clusters by grid cell (or coarse entry id) and day, so each report meets only its neighbours."""

    def __init__(self, rules: MergeRules) -> None:
        self.rules = rules
        self.cell_deg = max(rules.max_km / 111.0, 0.01)
        self.by_key: dict[tuple, list[str]] = defaultdict(list)

    def _days(self, event: Event) -> list[int]:
        span = date_interval(event, rules=self.rules)
        if span is None:
            return []
        return list(range(span[0].toordinal(), span[1].toordinal() + 1))

    def _cells(self, event: Event, *, neighbours: bool) -> list[tuple]:
        assert event.place is not None
        entry = event.place.entry
        cells: list[tuple] = [("entry", entry.id)]
        if entry.precision in COARSE:
            return cells
        cy, cx = math.floor(entry.lat / self.cell_deg), math.floor(entry.lon / self.cell_deg)
        if not neighbours:
            return [*cells, ("cell", cy, cx)]
        # a degree of longitude shrinks with latitude: widen the search in x so max_km stays covered
        cos_lat = max(math.cos(math.radians(min(abs(entry.lat) + self.cell_deg, 89.0))), 0.01)
        dx = math.ceil(1 / cos_lat)
        cells += [("cell", y, x) for y in range(cy - 1, cy + 2) for x in range(cx - dx, cx + dx + 1)]
        return cells

    def add(self, event: Event, cluster_id: str) -> None:
        if event.place is None:
            return
        for cell in self._cells(event, neighbours=False):
            for day in self._days(event):
                self.by_key[(*cell, day)].append(cluster_id)

    def candidates(self, event: Event) -> list[str]:
        if event.place is None:
            return []
        found: set[str] = set()
        days = self._days(event)
        for cell in self._cells(event, neighbours=True):
            for day in days:
                found.update(self.by_key.get((*cell, day), ()))
        return sorted(found)


def _try_join(event: Event, cluster: _Building, rules: MergeRules) -> MergeReason | None:
    """Within `max_km` of the cluster's first report and compatible with every other member (within
    twice that distance): clusters stay compact, never chain, and each member can be explained."""
    first, *others = cluster.members
    reason = compare(first, event, rules=rules)
    if isinstance(reason, str):
        return None
    wider = replace(rules, max_km=2 * rules.max_km)
    if any(isinstance(compare(member, event, rules=wider), str) for member in others):
        return None
    return reason


def merge(
    events: Iterable[Event],
    *,
    existing: Iterable[Cluster] = (),
    outlets: Mapping[str, str] | None = None,
    rules: MergeRules = DEFAULT_RULES,
) -> list[Cluster]:
    """Group reports of the same event. `existing` clusters keep their members and ids; new reports
    join them or start new clusters. `outlets` maps article id → outlet for counting sources."""
    building: dict[str, _Building] = {}
    index = _Index(rules)
    seen: set[str] = set()
    for cluster in sorted(existing, key=lambda c: c.id):
        b = _Building(cluster.id, list(cluster.members), list(cluster.reasons))
        building[cluster.id] = b
        for member in cluster.members:
            seen.add(member.id)
            index.add(member, cluster.id)
    fresh = sorted({e.id: e for e in events if e.id not in seen}.values(), key=sort_key)
    for event in fresh:
        chosen: tuple[tuple, str, MergeReason] | None = None
        for cid in index.candidates(event):
            reason = _try_join(event, building[cid], rules)
            if reason is None:
                continue
            rank = (not reason.same_place, reason.distance_km or 0.0, cid)
            if chosen is None or rank < chosen[0]:
                chosen = (rank, cid, reason)
        if chosen is None:
            cid = cluster_id_for(event.id)
            building[cid] = _Building(
                cid, [event], [MergeReason(event.id, cid, None, rules_version=rules.version)]
            )
        else:
            _, cid, reason = chosen
            b = building[cid]
            b.members.append(event)
            b.reasons.append(_with_cluster(reason, cid))
        index.add(event, cid)
    clusters = [_finish(b, outlets) for b in building.values()]
    clusters.sort(key=lambda c: c.id)
    log.info("merged %d new reports into %d clusters", len(fresh), len(clusters))
    return clusters


def _with_cluster(reason: MergeReason, cluster_id: str) -> MergeReason:
    return MergeReason(
        event_id=reason.event_id,
        cluster_id=cluster_id,
        matched_event_id=reason.matched_event_id,
        type_match=reason.type_match,
        same_place=reason.same_place,
        distance_km=reason.distance_km,
        date_overlap=reason.date_overlap,
        actors=reason.actors,
        rules_version=reason.rules_version,
    )


def _finish(b: _Building, outlets: Mapping[str, str] | None) -> Cluster:
    canonical = min(b.members, key=sort_key)
    order = [canonical, *(m for m in b.members if m.id != canonical.id)]
    by_id = {r.event_id: r for r in b.reasons}
    sources = sorted({source_key(m, outlets=outlets) for m in b.members})
    return Cluster(
        id=b.id,
        canonical=canonical,
        members=tuple(order),
        reasons=tuple(by_id[m.id] for m in order),
        sources=tuple(sources),
    )


def cluster_of(clusters: Iterable[Cluster]) -> dict[str, Cluster]:
    """Event id → its cluster."""
    return {event_id: c for c in clusters for event_id in c.event_ids}
