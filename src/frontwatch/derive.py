"""The derive stage over a store: merge stored events, and control timelines and conflicts from them.

Glue between frontwatch.store (rows ↔ records) and the pure functions of frontwatch.clusters,
frontwatch.control and frontwatch.conflicts; the CLI and the API call these.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from frontwatch.clusters import (
    COARSE,
    DEFAULT_RULES,
    Cluster,
    MergeRules,
    date_interval,
    merge,
    source_key,
)
from frontwatch.conflicts import Conflict, find_conflicts
from frontwatch.control import ControlInterval, held_on, timeline
from frontwatch.model import Event, GazetteerEntry
from frontwatch.store import Store
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
    everything = store.events()
    assignments = {} if rebuild else stored.load_assignments(store.engine)
    outlets = stored.article_outlets(store.engine)
    by_id = {e.id: e for e in everything}
    grouped: dict[str, list[Event]] = defaultdict(list)
    for event_id, assignment in assignments.items():
        if event_id in by_id:
            grouped[assignment.cluster_id].append(by_id[event_id])
    existing = [_rebuilt(cid, members, assignments, outlets) for cid, members in grouped.items()]
    fresh = [e for e in everything if e.id not in assignments]
    clusters = merge(fresh, existing=existing, outlets=outlets, rules=rules)
    fresh_ids = {e.id for e in fresh}
    # rewrite the clusters a new report joined (their canonical report may have changed), and new ones
    touched = [c for c in clusters if fresh_ids.intersection(c.event_ids)]
    keys = {m.id: source_key(m, outlets=outlets) for c in touched for m in c.members}
    stored.save_assignments(store.engine, touched, keys)
    return MergeSummary(
        reports=len(everything),
        new=len(fresh),
        clusters=len(clusters),
        multi=sum(len(c.members) > 1 for c in clusters),
    )


@dataclass(frozen=True, slots=True)
class JoinSummary:
    """What `merge_new` did with the new reports."""

    new: int  # reports given a cluster now
    joined: int  # of those, reports that joined a cluster with other reports
    started: int  # clusters started by them


# a stored report's anchor date may lie this far from the days it covers (a year-precision report)
_ANCHOR_PAD = timedelta(days=366)


def merge_new(store: Store, article_ids: Sequence[str], *, rules: MergeRules = DEFAULT_RULES) -> JoinSummary:
    """Give the unmerged events of these (newly stored) articles their clusters, reading only the
    stored clusters near them in space and time; called after every ingest. The same as
    `merge_store` restricted to those events: existing clusters keep their ids, new reports join them."""
    fresh = stored.unassigned_events(store.engine, list(article_ids))
    if not fresh:
        return JoinSummary(0, 0, 0)
    members, assignments = stored.clusters_near(store.engine, [w for e in fresh if (w := _window(e, rules))])
    outlets = stored.article_outlets_of(store.engine, sorted({e.article_id for e in [*fresh, *members]}))
    grouped: dict[str, list[Event]] = defaultdict(list)
    for member in members:
        grouped[assignments[member.id].cluster_id].append(member)
    existing = [_rebuilt(cid, group, assignments, outlets) for cid, group in grouped.items()]
    clusters = merge(fresh, existing=existing, outlets=outlets, rules=rules)
    fresh_ids = {e.id for e in fresh}
    touched = [c for c in clusters if fresh_ids.intersection(c.event_ids)]
    keys = {m.id: source_key(m, outlets=outlets) for c in touched for m in c.members}
    stored.save_assignments(store.engine, touched, keys)
    started = sum(c.id not in grouped for c in touched)
    joined = sum(len(c.members) > 1 for c in touched for m in c.members if m.id in fresh_ids)
    log.info("merged %d new reports: %d joined others, %d new clusters", len(fresh), joined, started)
    return JoinSummary(new=len(fresh), joined=joined, started=started)


def _window(event: Event, rules: MergeRules) -> stored.Window | None:
    span = date_interval(event, rules=rules)
    if event.place is None or span is None:
        return None  # merging never joins a report without place or date
    entry = event.place.entry
    # a cluster may be joined through any member within twice max_km (clusters.merge's rule)
    dlat = 2 * rules.max_km / 111.0 + 0.001
    dlon = dlat / max(math.cos(math.radians(min(abs(entry.lat), 89.0))), 0.01)
    return stored.Window(
        entry_id=entry.id,
        coarse=entry.precision in COARSE,
        min_lat=entry.lat - dlat,
        max_lat=entry.lat + dlat,
        min_lon=entry.lon - dlon,
        max_lon=entry.lon + dlon,
        day_from=span[0] - _ANCHOR_PAD,
        day_to=span[1] + _ANCHOR_PAD,
    )


def _rebuilt(
    cluster_id: str, members: list[Event], assignments: dict[str, stored.Assignment], outlets: dict[str, str]
) -> Cluster:
    members.sort(key=lambda e: (not assignments[e.id].is_canonical, e.id))
    return Cluster(
        id=cluster_id,
        canonical=members[0],
        members=tuple(members),
        reasons=tuple(assignments[e.id].reason for e in members),
        sources=tuple(sorted({source_key(e, outlets=outlets) for e in members})),
    )


def explain(store: Store, event_id: str) -> stored.Explanation | None:
    """Why a stored event is in its cluster (None until `merge_store` has seen it)."""
    return stored.explain(store.engine, event_id)


@dataclass(frozen=True, slots=True)
class ClusterMember:
    """One report of a cluster, for people: where it was published and why it is in the cluster."""

    event: Event
    canonical: bool
    source: str  # its independent source key ("claimant:ua-general-staff", "outlet:reuters")
    why: str  # MergeReason.text()
    outlet: str | None
    title: str
    published: date | None


@dataclass(frozen=True, slots=True)
class EventCluster:
    """The cluster of one stored event: every report of it, canonical first."""

    event_id: str
    cluster_id: str
    independent_sources: int
    members: tuple[ClusterMember, ...]

    @property
    def others(self) -> tuple[ClusterMember, ...]:
        return tuple(m for m in self.members if m.event.id != self.event_id)


def event_cluster(store: Store, event_id: str) -> EventCluster | None:
    """The cluster of a stored event with its members' reports; an event stored before merging on
    ingest is merged first. None when there is no such event."""
    from frontwatch.store import query

    explanation = stored.explain(store.engine, event_id)
    if explanation is None:
        found = query.event_with_article(store, event_id)
        if found is None:
            return None
        merge_new(store, [found[0].article_id])
        explanation = stored.explain(store.engine, event_id)
        if explanation is None:
            return None
    members = []
    for m in explanation.members:
        found = query.event_with_article(store, m.reason.event_id)
        if found is None:  # deleted since: its assignment goes with it on the next merge
            continue
        event, article = found
        members.append(
            ClusterMember(
                event=event,
                canonical=m.is_canonical,
                source=m.source_key,
                why=m.reason.text(),
                outlet=article.source,
                title=article.title,
                published=article.published,
            )
        )
    return EventCluster(
        event_id=event_id,
        cluster_id=explanation.cluster_id,
        independent_sources=explanation.independent_sources,
        members=tuple(members),
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
