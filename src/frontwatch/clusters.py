"""Event merging: reports of the same real-world event become one cluster with a canonical event.

Pure functions over model records. Two reports merge when they have the same ACLED type and
sub-type (and the same control change), the same gazetteer entry or points within `max_km`, dates
that overlap once their precisions are taken into account, and compatible actors; nothing marks
them as distinct (same article, different weapons, parts of the day or "another"/"second" strike).
Merging is greedy over a total order of the reports, so the same input gives the same clusters in
any order. A new report is compared with each nearby cluster's `Summary` (its first report and the
distinct facts of all its members), found through an index keyed by type, grid cell and week, so
the cost of a report does not grow with the size of the clusters (a story carried a thousand
times); `ClusterState` is a summary's stored form (frontwatch.derive merges against the store).
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
from functools import cache, lru_cache
from importlib import resources

from frontwatch.geometry import KM_PER_DEGREE, haversine_km, min_cos_lat
from frontwatch.model import (
    MERGE_RULES_VERSION,
    ClusterState,
    DatePrecision,
    Event,
    MergeReason,
    Modality,
    Precision,
    Span,
)

log = logging.getLogger(__name__)

RULES_VERSION = MERGE_RULES_VERSION
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


def _sides(event: Event) -> frozenset[str]:
    return frozenset(a.side for a in event.actors if a.side)


def _first_side(event: Event) -> str | None:
    return event.actors[0].side if event.actors else None


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
    km = haversine_km(a.place.entry.lat, a.place.entry.lon, b.place.entry.lat, b.place.entry.lon)
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
    (ta, ra), (tb, rb) = _text_markers(a.evidence.text), _text_markers(b.evidence.text)
    if ta and tb and not ta & tb:
        return "different part of the day"
    if ra != rb:
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


@lru_cache(maxsize=8192)
def _text_markers(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """The time-of-day and repeat markers of an evidence text (looked up once per text)."""
    vocab = _vocabulary()
    return (
        frozenset(key for key, pattern in vocab.time_of_day if pattern.search(text)),
        frozenset(key for key, pattern in vocab.repeat if pattern.search(text)),
    )


@dataclass(slots=True)
class Summary:
    """A cluster as merging sees it, updated in place as reports join: the first report (every
    joiner must match it) and the distinct facts of all members (`ClusterState` is its stored
    form). Its size does not grow with the number of reports that repeat the same facts."""

    id: str
    first: Event
    canonical: Event
    size: int
    places: dict[str, tuple[float, float, bool]]  # entry id → lat, lon, coarse
    day_lo: date
    day_hi: date
    first_sides: set[str] = field(default_factory=set)
    side_sets: set[frozenset[str]] = field(default_factory=set)
    weapon_sets: set[frozenset[str]] = field(default_factory=set)
    time_sets: set[frozenset[str]] = field(default_factory=set)
    repeat_sets: set[frozenset[str]] = field(default_factory=set)
    # members merged in this process, by article: (evidence, entry id) — two events of one article
    # never merge. A stored cluster's older members come from articles stored in other transactions.
    articles: dict[str, set[tuple[Span, str]]] = field(default_factory=dict)

    @classmethod
    def start(cls, cluster_id: str, event: Event, *, rules: MergeRules = DEFAULT_RULES) -> Summary:
        span = date_interval(event, rules=rules)
        assert span is not None and event.place is not None  # merging never seeds from these
        summary = cls(cluster_id, event, event, 0, {}, span[0], span[1])
        summary.add(event, rules=rules)
        return summary

    def add(self, event: Event, *, rules: MergeRules = DEFAULT_RULES) -> None:
        """Take in one more member."""
        assert event.place is not None
        entry = event.place.entry
        span = date_interval(event, rules=rules)
        assert span is not None
        self.size += 1
        self.places[entry.id] = (entry.lat, entry.lon, entry.precision in COARSE)
        self.day_lo, self.day_hi = max(self.day_lo, span[0]), min(self.day_hi, span[1])
        if first := _first_side(event):
            self.first_sides.add(first)
        if sides := _sides(event):
            self.side_sets.add(sides)
        if weapons := _weapon_classes(event):
            self.weapon_sets.add(weapons)
        times, repeats = _text_markers(event.evidence.text)
        if times:
            self.time_sets.add(times)
        self.repeat_sets.add(repeats)
        self.articles.setdefault(event.article_id, set()).add((event.evidence, entry.id))
        if sort_key(event) < sort_key(self.canonical):
            self.canonical = event

    def admits(self, event: Event, *, rules: MergeRules) -> bool:
        """Whether `event` is compatible with every member, within `rules.max_km` of each (the
        pairwise test of compare(), answered from the distinct facts)."""
        assert event.place is not None
        entry = event.place.entry
        coarse = entry.precision in COARSE
        for entry_id, (lat, lon, member_coarse) in self.places.items():
            if entry_id == entry.id:
                continue
            if event.control_to is not None or coarse or member_coarse:
                return False
            if haversine_km(lat, lon, entry.lat, entry.lon) > rules.max_km:
                return False
        for evidence, entry_id in self.articles.get(event.article_id, ()):
            if evidence != event.evidence or entry_id != entry.id:
                return False
        span = date_interval(event, rules=rules)
        if span is None or span[0] > self.day_hi or span[1] < self.day_lo:
            return False
        first = _first_side(event)
        if first and any(side != first for side in self.first_sides):
            return False
        sides = _sides(event)
        if sides and any(not sides & other for other in self.side_sets):
            return False
        weapons = _weapon_classes(event)
        if any(not weapons_compatible(other, weapons) for other in self.weapon_sets):
            return False
        times, repeats = _text_markers(event.evidence.text)
        if times and any(not times & other for other in self.time_sets):
            return False
        return all(other == repeats for other in self.repeat_sets)

    def state(self) -> ClusterState:
        """The stored form."""
        assert self.first.place is not None
        entry = self.first.place.entry
        return ClusterState(
            id=self.id,
            event_type=self.first.event_type,
            sub_event_type=self.first.sub_event_type,
            first_id=self.first.id,
            canonical_id=self.canonical.id,
            size=self.size,
            entry_id=entry.id,
            lat=entry.lat,
            lon=entry.lon,
            coarse=entry.precision in COARSE,
            day_lo=self.day_lo,
            day_hi=self.day_hi,
            places=tuple(sorted((k, *v) for k, v in self.places.items())),
            first_sides=tuple(sorted(self.first_sides)),
            side_sets=_sorted_sets(self.side_sets),
            weapon_sets=_sorted_sets(self.weapon_sets),
            time_sets=_sorted_sets(self.time_sets),
            repeat_sets=_sorted_sets(self.repeat_sets),
        )

    @classmethod
    def of_state(cls, state: ClusterState, first: Event, canonical: Event) -> Summary:
        """The summary of a stored cluster, given its first and canonical reports."""
        return cls(
            id=state.id,
            first=first,
            canonical=canonical,
            size=state.size,
            places={p[0]: (p[1], p[2], p[3]) for p in state.places},
            day_lo=state.day_lo,
            day_hi=state.day_hi,
            first_sides=set(state.first_sides),
            side_sets={frozenset(s) for s in state.side_sets},
            weapon_sets={frozenset(s) for s in state.weapon_sets},
            time_sets={frozenset(s) for s in state.time_sets},
            repeat_sets={frozenset(s) for s in state.repeat_sets},
        )


def _sorted_sets(sets: set[frozenset[str]]) -> tuple[tuple[str, ...], ...]:
    return tuple(sorted(tuple(sorted(s)) for s in sets))


_WEEK = 7  # days per index bucket: a year-precision report touches 53 buckets, not 366


class _Index:
    """Clusters by (type, grid cell of the first report or its coarse entry, week): a new report
    meets only the clusters whose first report it could match, never their other members (the
    exact day overlap is checked by the comparison)."""

    def __init__(self, rules: MergeRules) -> None:
        self.rules = rules
        self.cell_deg = max(rules.max_km / KM_PER_DEGREE, 0.01)
        self.by_key: dict[tuple, list[str]] = defaultdict(list)

    def _cells(self, event: Event, *, neighbours: bool) -> list[tuple]:
        assert event.place is not None
        entry = event.place.entry
        kind = (event.event_type, event.sub_event_type)
        cells: list[tuple] = [(*kind, "entry", entry.id)]
        if entry.precision in COARSE:
            return cells
        cy, cx = math.floor(entry.lat / self.cell_deg), math.floor(entry.lon / self.cell_deg)
        if not neighbours:
            return [*cells, (*kind, "cell", cy, cx)]
        # a degree of longitude shrinks with latitude: widen the search in x so max_km stays covered
        dx = math.ceil(1 / min_cos_lat(entry.lat, self.cell_deg))
        cells += [(*kind, "cell", y, x) for y in range(cy - 1, cy + 2) for x in range(cx - dx, cx + dx + 1)]
        return cells

    @staticmethod
    def _weeks(lo: date, hi: date) -> range:
        return range(lo.toordinal() // _WEEK, hi.toordinal() // _WEEK + 1)

    def add(self, summary: Summary) -> None:
        weeks = self._weeks(summary.day_lo, summary.day_hi)
        for cell in self._cells(summary.first, neighbours=False):
            for week in weeks:
                self.by_key[(*cell, week)].append(summary.id)

    def candidates(self, event: Event) -> list[str]:
        span = date_interval(event, rules=self.rules)
        if event.place is None or span is None:
            return []
        found: set[str] = set()
        weeks = self._weeks(*span)
        for cell in self._cells(event, neighbours=True):
            for week in weeks:
                found.update(self.by_key.get((*cell, week), ()))
        return sorted(found)


class Merger:
    """Greedy merging over cluster summaries: `place` each report (in `sort_key` order for the
    same clusters in any input order); `summaries` are updated in place."""

    def __init__(self, summaries: Iterable[Summary] = (), *, rules: MergeRules = DEFAULT_RULES) -> None:
        self.rules = rules
        self._wider = replace(rules, max_km=2 * rules.max_km)
        self._index = _Index(rules)
        self.summaries: dict[str, Summary] = {}
        for summary in sorted(summaries, key=lambda s: s.id):
            self.summaries[summary.id] = summary
            self._index.add(summary)

    def place(self, event: Event) -> MergeReason:
        """Join the best matching cluster (same place first, then nearest, then cluster id) or start
        one; a report without place or date is a cluster of its own, which nothing joins."""
        if event.place is None or date_interval(event, rules=self.rules) is None:
            return _alone(event, self.rules)
        chosen: tuple[tuple, Summary, MergeReason] | None = None
        for cid in self._index.candidates(event):
            summary = self.summaries[cid]
            # within max_km of the first report and compatible with every member within twice
            # that: clusters stay compact, never chain, and each member can be explained
            reason = compare(summary.first, event, rules=self.rules)
            if isinstance(reason, str) or not summary.admits(event, rules=self._wider):
                continue
            rank = (not reason.same_place, reason.distance_km or 0.0, cid)
            if chosen is None or rank < chosen[0]:
                chosen = (rank, summary, reason)
        if chosen is None:
            reason = _alone(event, self.rules)
            summary = Summary.start(reason.cluster_id, event, rules=self.rules)
            self.summaries[summary.id] = summary
            self._index.add(summary)
            return reason
        _, summary, reason = chosen
        summary.add(event, rules=self.rules)
        return replace(reason, cluster_id=summary.id)


def _alone(event: Event, rules: MergeRules) -> MergeReason:
    """The reason of a report that starts its own cluster."""
    return MergeReason(event.id, cluster_id_for(event.id), None, rules_version=rules.version)


def merge(
    events: Iterable[Event],
    *,
    existing: Iterable[Cluster] = (),
    outlets: Mapping[str, str] | None = None,
    rules: MergeRules = DEFAULT_RULES,
) -> list[Cluster]:
    """Group reports of the same event. `existing` clusters keep their members and ids; new reports
    join them or start new clusters. `outlets` maps article id → outlet for counting sources."""
    members: dict[str, list[Event]] = {}
    reasons: dict[str, list[MergeReason]] = {}
    summaries = []
    seen: set[str] = set()
    for cluster in existing:
        first = next((m for m in cluster.members if cluster.reason(m.id).matched_event_id is None), None)
        first = first or cluster.members[0]
        summary = Summary.start(cluster.id, first, rules=rules)
        for member in cluster.members:
            seen.add(member.id)
            if member.id != first.id:
                summary.add(member, rules=rules)
        summaries.append(summary)
        members[cluster.id] = list(cluster.members)
        reasons[cluster.id] = list(cluster.reasons)
    merger = Merger(summaries, rules=rules)
    fresh = sorted({e.id: e for e in events if e.id not in seen}.values(), key=sort_key)
    for event in fresh:
        reason = merger.place(event)
        members.setdefault(reason.cluster_id, []).append(event)
        reasons.setdefault(reason.cluster_id, []).append(reason)
    clusters = [_finish(cid, members[cid], reasons[cid], outlets) for cid in members]
    clusters.sort(key=lambda c: c.id)
    log.info("merged %d new reports into %d clusters", len(fresh), len(clusters))
    return clusters


def _finish(
    cluster_id: str, members: list[Event], reasons: list[MergeReason], outlets: Mapping[str, str] | None
) -> Cluster:
    canonical = min(members, key=sort_key)
    order = [canonical, *(m for m in members if m.id != canonical.id)]
    by_id = {r.event_id: r for r in reasons}
    sources = sorted({source_key(m, outlets=outlets) for m in members})
    return Cluster(
        id=cluster_id,
        canonical=canonical,
        members=tuple(order),
        reasons=tuple(by_id[m.id] for m in order),
        sources=tuple(sources),
    )


def cluster_of(clusters: Iterable[Cluster]) -> dict[str, Cluster]:
    """Event id → its cluster."""
    return {event_id: c for c in clusters for event_id in c.event_ids}
