"""The derive stage over a store: merge stored events, and control timelines and conflicts from them.

Glue between frontwatch.store (rows ↔ records) and the pure functions of frontwatch.clusters,
frontwatch.control and frontwatch.conflicts; the CLI and the API call these.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from frontwatch.clusters import DEFAULT_RULES, Cluster, MergeRules, merge, source_key
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
