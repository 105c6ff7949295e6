"""Who held which settlement when: control intervals derived from capture/retake reports.

Reports of one control change are first merged (frontwatch.clusters), so three outlets repeating
"Izyum was captured on April 1" are one change with their independent sources. Per place the
changes are ordered by date; a change to the same holder adds evidence to the open interval, a
change to another holder closes it and opens the next. Denials and hopes never change control;
denials become conflicts (frontwatch.conflicts).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from frontwatch.clusters import (
    DEFAULT_RULES,
    MODALITY_RANK,
    Cluster,
    MergeRules,
    date_interval,
    merge,
    source_key,
)
from frontwatch.conflicts import Conflict, find_conflicts
from frontwatch.model import DatePrecision, Event, GazetteerEntry, Modality

log = logging.getLogger(__name__)

CONFIRMED = "confirmed"  # at least two independent sources
SINGLE_SOURCE = "single source"
CONFIRMING_SOURCES = 2


@dataclass(frozen=True, slots=True)
class ControlInterval:
    """One settlement held by one side from `since` until `until` (None: still, as far as we know)."""

    place: GazetteerEntry
    holder: str
    since: date | None
    since_precision: DatePrecision
    until: date | None
    until_precision: DatePrecision | None
    modality: Modality  # the strongest modality among its evidence: asserted > claimed > ...
    sources: tuple[str, ...]  # independent source keys
    claimants: tuple[str, ...]  # who says so, for people: "Maxim Strelnik (Espresso TV)"
    events: tuple[str, ...]  # evidence event ids, the opening change first
    conflicts: tuple[str, ...] = ()  # ids of conflicts touching its evidence

    @property
    def status(self) -> str:
        return CONFIRMED if len(self.sources) >= CONFIRMING_SOURCES else SINGLE_SOURCE

    @property
    def disputed(self) -> bool:
        return bool(self.conflicts)

    def covers(self, day: date) -> bool:
        """Held on `day`: on or after its start (an "on or before" start counts from its date)."""
        if self.since is None or day < self.since:
            return False
        return self.until is None or day < self.until


@dataclass(frozen=True, slots=True)
class _Change:
    place: GazetteerEntry
    holder: str
    day: date | None
    precision: DatePrecision
    modality: Modality
    sources: frozenset[str]
    claimants: tuple[str, ...]
    events: tuple[str, ...]


def changes_in(events: Iterable[Event]) -> list[Event]:
    """The reports that move control: a side taking the place, stated (not hoped, not denied)."""
    return [
        e
        for e in events
        if e.control_to and e.place is not None and e.modality not in (Modality.HOPED, Modality.DENIED)
    ]


def _change(cluster: Cluster, outlets: Mapping[str, str] | None, rules: MergeRules) -> _Change:
    canonical = cluster.canonical
    assert canonical.place is not None and canonical.control_to is not None
    # the latest day the change can have happened by: what "on or before" reports give
    span = date_interval(canonical, rules=rules)
    day = canonical.date if canonical.date_precision == DatePrecision.DAY or span is None else span[1]
    if canonical.date_precision == DatePrecision.ON_OR_AFTER and span is not None:
        day = span[0]
    modality = min((m.modality for m in cluster.members), key=lambda m: MODALITY_RANK.get(m, 9))
    claimants = sorted({_claimant_text(m) for m in cluster.members} - {""})
    return _Change(
        place=canonical.place.entry,
        holder=canonical.control_to,
        day=day,
        precision=canonical.date_precision,
        modality=modality,
        sources=frozenset(source_key(m, outlets=outlets) for m in cluster.members),
        claimants=tuple(claimants),
        events=cluster.event_ids,
    )


def _claimant_text(event: Event) -> str:
    c = event.claimant
    if c is None:
        return ""
    if c.name and c.outlet:
        return f"{c.name} ({c.outlet})"
    return c.name or c.outlet or ""


def timeline(
    events: Iterable[Event],
    *,
    outlets: Mapping[str, str] | None = None,
    rules: MergeRules = DEFAULT_RULES,
    conflicts: Iterable[Conflict] | None = None,
) -> dict[str, tuple[ControlInterval, ...]]:
    """Place (gazetteer entry id) → its control intervals in time order."""
    events = list(events)
    if conflicts is None:
        conflicts = find_conflicts(events, rules=rules)
    conflicts_of: dict[str, set[str]] = defaultdict(set)
    for conflict in conflicts:
        for event_id in conflict.event_ids:
            conflicts_of[event_id].add(conflict.id)
    by_place: dict[str, list[_Change]] = defaultdict(list)
    for cluster in merge(changes_in(events), outlets=outlets, rules=rules):
        change = _change(cluster, outlets, rules)
        by_place[change.place.id].append(change)
    result: dict[str, tuple[ControlInterval, ...]] = {}
    for place_id in sorted(by_place):
        changes = sorted(by_place[place_id], key=lambda c: (c.day or date.min, c.events[0]))
        result[place_id] = tuple(_intervals(changes, conflicts_of))
    log.info("control timeline: %d places", len(result))
    return result


def _intervals(changes: list[_Change], conflicts_of: Mapping[str, set[str]]) -> list[ControlInterval]:
    intervals: list[ControlInterval] = []
    current: list[_Change] = []

    def close(until: _Change | None) -> None:
        if not current:
            return
        first = current[0]
        events = tuple(e for c in current for e in c.events)
        intervals.append(
            ControlInterval(
                place=first.place,
                holder=first.holder,
                since=first.day,
                since_precision=first.precision,
                until=until.day if until else None,
                until_precision=until.precision if until else None,
                modality=min((c.modality for c in current), key=lambda m: MODALITY_RANK.get(m, 9)),
                sources=tuple(sorted(set().union(*(c.sources for c in current)))),
                claimants=tuple(sorted({n for c in current for n in c.claimants})),
                events=events,
                conflicts=tuple(sorted({cid for e in events for cid in conflicts_of.get(e, ())})),
            )
        )

    for change in changes:
        if current and change.holder == current[0].holder:
            current.append(change)  # same holder again: more evidence, same interval
            continue
        close(change)
        current = [change]
    close(None)
    return intervals


def held_on(
    intervals: Mapping[str, Iterable[ControlInterval]],
    day: date,
    *,
    bbox: tuple[float, float, float, float] | None = None,
) -> list[ControlInterval]:
    """Who held what on `day`; bbox is (min_lon, min_lat, max_lon, max_lat)."""
    result = []
    for place_intervals in intervals.values():
        for interval in place_intervals:
            if not interval.covers(day):
                continue
            p = interval.place
            if bbox is not None and not (bbox[0] <= p.lon <= bbox[2] and bbox[1] <= p.lat <= bbox[3]):
                continue
            result.append(interval)
    return sorted(result, key=lambda i: (i.place.name, i.place.id))
