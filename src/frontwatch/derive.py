"""The derive stage over a store: merge stored events, and control timelines and conflicts from them.

Glue between frontwatch.store (rows ↔ records) and the pure functions of frontwatch.clusters,
frontwatch.control and frontwatch.conflicts; the CLI and the API call these.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection

from frontwatch.clusters import (
    COARSE,
    DEFAULT_RULES,
    Merger,
    MergeRules,
    Summary,
    date_interval,
    sort_key,
    source_key,
)
from frontwatch.conflicts import Conflict, find_conflicts
from frontwatch.control import ControlInterval, held_on, timeline
from frontwatch.geometry import KM_PER_DEGREE, min_cos_lat
from frontwatch.model import Event, ExtractedArticle, GazetteerEntry
from frontwatch.store import Store, query
from frontwatch.store import clusters as stored

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class MergeSummary:
    reports: int  # events in the store
    new: int  # events assigned by this run
    clusters: int
    multi: int  # clusters with more than one report

    @property
    def merge_rate(self) -> float:
        return 1 - self.clusters / self.reports if self.reports else 0.0


def merge_store(store: Store, *, rules: MergeRules = DEFAULT_RULES, rebuild: bool = False) -> MergeSummary:
    """Assign every stored event without a cluster; existing clusters keep their members and ids.

    `rebuild` forgets the stored assignments first (after a change of rules)."""
    if rebuild:
        stored.clear(store.engine)
    with store.begin() as conn:
        joined = _merge_unassigned(conn, None, rules=rules)
        reports, clusters, multi = stored.cluster_counts(conn)
    return MergeSummary(reports=reports, new=joined.new, clusters=clusters, multi=multi)


@dataclass(frozen=True, slots=True)
class JoinSummary:
    """What merging did with the new reports."""

    new: int  # reports given a cluster now
    joined: int  # of those, reports that joined a cluster with other reports
    started: int  # clusters started by them


def merge_new(store: Store, article_ids: Sequence[str], *, rules: MergeRules = DEFAULT_RULES) -> JoinSummary:
    """Give the stored events of these articles that have no cluster yet their clusters (in one
    transaction). An ingest clusters its events as it stores them (`cluster_stored`); this is for
    events stored without merging."""
    with store.begin() as conn:
        return _merge_unassigned(conn, list(article_ids), rules=rules)


def merge_pending(store: Store, *, rules: MergeRules = DEFAULT_RULES) -> JoinSummary:
    """Cluster every stored event that has none (stored by an ingest without merging, or by an
    older version), in `sort_key` order: what an ingest does first (two counts when there are none)."""
    with store.begin() as conn:
        if stored.all_assigned(conn):
            return JoinSummary(0, 0, 0)
        return _merge_unassigned(conn, None, rules=rules)


def _merge_unassigned(conn: Connection, article_ids: list[str] | None, *, rules: MergeRules) -> JoinSummary:
    fresh = stored.unassigned_events(conn, article_ids)
    if not fresh:
        return JoinSummary(0, 0, 0)
    outlets = stored.article_outlets_of(conn, sorted({e.article_id for e in fresh}))
    return cluster_events(conn, fresh, outlets, rules=rules)


def cluster_stored(
    conn: Connection, batch: Sequence[ExtractedArticle], *, rules: MergeRules = DEFAULT_RULES
) -> JoinSummary:
    """Cluster the events of just-stored articles in the transaction that stored them (the
    `then` of Store.save_many): the events come from memory, and a crash leaves none unclustered."""
    articles = [x.resolved.annotated.article for x in batch]
    outlets = {a.id: a.source for a in articles if a.source}
    return cluster_events(conn, [e for x in batch for e in x.events], outlets, rules=rules)


def cluster_events(
    conn: Connection, fresh: Sequence[Event], outlets: Mapping[str, str], *, rules: MergeRules = DEFAULT_RULES
) -> JoinSummary:
    """Merge new events (none stored in a cluster yet) against the summaries of the stored
    clusters near them, in `sort_key` order, and store the result in `conn`'s transaction:
    the assignments, the summaries updated in place, and canonical flags that moved."""
    stored.lock_for_merging(conn)
    windows = {e.id: w for e in fresh if (w := _window(e, rules)) is not None}
    states = stored.summaries_near(conn, list(windows.values()))
    loaded = stored.events_by_id(conn, [i for s in states for i in (s.first_id, s.canonical_id)])
    summaries = [
        Summary.of_state(s, loaded[s.first_id], loaded[s.canonical_id])
        for s in states
        if s.first_id in loaded and s.canonical_id in loaded  # else its reports were deleted
    ]
    before = {s.id: s.canonical.id for s in summaries}
    merger = Merger(summaries, rules=rules)
    unique = sorted({e.id: e for e in fresh}.values(), key=sort_key)
    placed = [(event, merger.place(event)) for event in unique]
    touched = {reason.cluster_id for _, reason in placed}

    def canonical(cluster_id: str, event: Event) -> bool:
        summary = merger.summaries.get(cluster_id)
        return summary is None or summary.canonical.id == event.id

    rows = [
        stored.assignment_row(
            r, is_canonical=canonical(r.cluster_id, e), source_key=source_key(e, outlets=outlets)
        )
        for e, r in placed
    ]
    states_now = [merger.summaries[cid].state() for cid in sorted(touched) if cid in merger.summaries]
    demoted = [
        old for cid, old in before.items() if cid in touched and merger.summaries[cid].canonical.id != old
    ]
    stored.write_merge(conn, rows, states_now, known=before, no_longer_canonical=demoted)
    started = sum(r.matched_event_id is None for _, r in placed)
    joined = len(placed) - started
    log.info("merged %d new reports: %d joined others, %d new clusters", len(placed), joined, started)
    return JoinSummary(new=len(placed), joined=joined, started=started)


def _window(event: Event, rules: MergeRules) -> stored.Window | None:
    span = date_interval(event, rules=rules)
    if event.place is None or span is None:
        return None  # merging never joins a report without place or date
    entry = event.place.entry
    # a report joins a cluster only within max_km of the cluster's first report (clusters.Merger)
    dlat = rules.max_km / KM_PER_DEGREE + 0.001
    dlon = dlat / min_cos_lat(entry.lat, dlat)
    return stored.Window(
        event_type=event.event_type,
        sub_event_type=event.sub_event_type,
        entry_id=entry.id,
        coarse=entry.precision in COARSE,
        min_lat=entry.lat - dlat,
        max_lat=entry.lat + dlat,
        min_lon=entry.lon - dlon,
        max_lon=entry.lon + dlon,
        day_from=span[0],
        day_to=span[1],
    )


def explain(store: Store, event_id: str) -> stored.Explanation | None:
    """Why a stored event is in its cluster (None until `merge_store` has seen it)."""
    return stored.explain(store.engine, event_id)


@dataclass(frozen=True, slots=True)
class ClusterMember:
    """One report of a cluster, for people: where it was published and why it is in the cluster."""

    report: query.EventReport  # the event's public JSON object and its article
    canonical: bool
    source: str  # its independent source key ("claimant:ua-general-staff", "outlet:reuters")
    why: str  # MergeReason.text()


MEMBERS_SHOWN = 50  # reports an event's cluster lists; a story syndicated a thousand times lists these


@dataclass(frozen=True, slots=True)
class EventCluster:
    """The cluster of one stored event: its reports, canonical first (at most `MEMBERS_SHOWN` of
    them, always with the event itself), and `size`, how many reports it has in all."""

    event_id: str
    cluster_id: str
    independent_sources: int
    members: tuple[ClusterMember, ...]
    size: int

    @property
    def others(self) -> tuple[ClusterMember, ...]:
        return tuple(m for m in self.members if m.report.event_id != self.event_id)


def event_cluster(store: Store, event_id: str, *, shown: int = MEMBERS_SHOWN) -> EventCluster | None:
    """The cluster of a stored event (its full id) with the reports of at most `shown` members.

    Reads only: None when there is no such event or it is in no cluster yet (ingest clusters the
    events it stores; `frontwatch merge` clusters those stored without merging). Merging here, on a
    read, made concurrent requests race to write the same assignment (HTTP 500)."""
    explanation = stored.explain(store.engine, event_id)
    if explanation is None:
        return None
    listed = list(explanation.members[:shown])
    if all(m.reason.event_id != event_id for m in listed):
        listed = [*listed[: max(shown - 1, 0)], explanation.of(event_id)]
    reports = query.event_reports(store, [m.reason.event_id for m in listed])
    members = [
        ClusterMember(
            report=reports[m.reason.event_id],
            canonical=m.is_canonical,
            source=m.source_key,
            why=m.reason.text(),
        )
        for m in listed
        if m.reason.event_id in reports  # else deleted since: its assignment went with it
    ]
    return EventCluster(
        event_id=event_id,
        cluster_id=explanation.cluster_id,
        independent_sources=explanation.independent_sources,
        members=tuple(members),
        size=len(explanation.members),
    )


def _control_inputs(store: Store) -> tuple[list[Event], dict[str, str]]:
    return stored.control_events(store.engine), stored.article_outlets(store.engine)


def store_timelines(store: Store) -> dict[str, tuple[ControlInterval, ...]]:
    """Every place with a control change → its intervals."""
    events, outlets = _control_inputs(store)
    return timeline(events, outlets=outlets)


def place_timelines(store: Store, key: str) -> list[tuple[GazetteerEntry, tuple[ControlInterval, ...]]]:
    """Timelines of the places with this entry id, or else this name (any of its names, any case)."""
    intervals = store_timelines(store)
    if key in intervals:
        return [(intervals[key][0].place, intervals[key])]
    wanted = key.casefold()
    found = []
    for place_intervals in intervals.values():
        entry = place_intervals[0].place
        if wanted in {n.casefold() for n in (entry.name, *entry.names)}:
            found.append((entry, place_intervals))
    return sorted(found, key=lambda pair: pair[0].id)


def place_timeline(store: Store, place_id: str) -> tuple[GazetteerEntry | None, tuple[ControlInterval, ...]]:
    """One stored place's timeline (empty when nothing changed it); entry None if the place is unknown."""
    from frontwatch.store import query

    intervals = store_timelines(store).get(place_id, ())
    if intervals:
        return intervals[0].place, intervals
    found = query.place(store, place_id)
    return (found[0] if found else None), ()


def store_held_on(
    store: Store, day: date, *, bbox: tuple[float, float, float, float] | None = None
) -> list[ControlInterval]:
    """Who held what on `day` (bbox: min_lon, min_lat, max_lon, max_lat)."""
    return held_on(store_timelines(store), day, bbox=bbox)


def store_conflicts(store: Store) -> list[Conflict]:
    """Contradicting control reports among the stored events."""
    events, _ = _control_inputs(store)
    return find_conflicts(events)
