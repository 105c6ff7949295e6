"""Cluster assignments in the store: which cluster each event belongs to and why it joined, and
each cluster's summary (model.ClusterState), which merging reads instead of the cluster's members.

Tables live on the store's one `metadata` (store.schema), so they are created with the rest.
Functions taking a Connection run inside the caller's transaction: an ingest clusters its events
in the transaction that stores them. Conflicts are not stored: they are computed from events
when asked (frontwatch.conflicts).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Date,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    Row,
    Select,
    String,
    Table,
    Text,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)

from frontwatch.model import ClusterState, Event, MergeReason, Modality
from frontwatch.store.read import chunks, events_from_rows
from frontwatch.store.schema import ID, articles, events, metadata

log = logging.getLogger(__name__)

event_clusters = Table(
    "event_clusters",
    metadata,
    Column("event_id", ID, ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("cluster_id", ID, nullable=False),
    Column("is_canonical", Boolean, nullable=False),
    Column("source_key", Text, nullable=False),  # the independent source this report counts as
    # why it joined: the report it was compared with (NULL: it started the cluster) and what matched
    Column("matched_event_id", ID, nullable=True),
    Column("type_match", Text, nullable=False),
    Column("same_place", Boolean, nullable=False),
    Column("distance_km", Float, nullable=True),
    Column("overlap_from", Date, nullable=True),
    Column("overlap_to", Date, nullable=True),
    Column("actors", Text, nullable=False),
    Column("rules_version", String(100), nullable=False),
    Index(None, "cluster_id"),
)

# One row per cluster, rewritten in place when reports join it (migration 6 added it).
cluster_summaries = Table(
    "cluster_summaries",
    metadata,
    Column("cluster_id", ID, primary_key=True),
    Column("event_type", String(100), nullable=False),
    Column("sub_event_type", String(100), nullable=False),
    Column("first_id", ID, nullable=False),
    Column("canonical_id", ID, nullable=False),
    Column("size", Integer, nullable=False),
    Column("entry_id", ID, nullable=False),  # the first report's place: where the cluster is found
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("coarse", Boolean, nullable=False),
    Column("day_lo", Date, nullable=False),  # the days every member's date span allows
    Column("day_hi", Date, nullable=False),
    Column("facts", JSON, nullable=False),  # places, sides, weapons, markers (ClusterState's sets)
    Index(None, "event_type", "sub_event_type", "lat", "lon"),
    Index(None, "entry_id"),
)

CLUSTER_TABLES = (event_clusters, cluster_summaries)


@dataclass(frozen=True, slots=True)
class Assignment:
    """One stored row: an event's cluster, whether it is the canonical report, and why it is there."""

    reason: MergeReason
    is_canonical: bool
    source_key: str

    @property
    def cluster_id(self) -> str:
        return self.reason.cluster_id


@dataclass(frozen=True, slots=True)
class Explanation:
    """An event's cluster: every member's assignment, canonical first; `event_id` is the one asked about."""

    event_id: str
    cluster_id: str
    members: tuple[Assignment, ...]

    @property
    def independent_sources(self) -> int:
        return len({m.source_key for m in self.members})

    def of(self, event_id: str) -> Assignment:
        return next(m for m in self.members if m.reason.event_id == event_id)


def ensure_tables(engine: Engine) -> None:
    """Create the cluster tables if missing (the store creates them with the rest when it imports this)."""
    metadata.create_all(engine, tables=list(CLUSTER_TABLES))


def assignment_row(reason: MergeReason, *, is_canonical: bool, source_key: str) -> dict[str, Any]:
    """An event_clusters row."""
    lo, hi = reason.date_overlap or (None, None)
    return {
        "event_id": reason.event_id,
        "cluster_id": reason.cluster_id,
        "is_canonical": is_canonical,
        "source_key": source_key,
        "matched_event_id": reason.matched_event_id,
        "type_match": reason.type_match,
        "same_place": reason.same_place,
        "distance_km": reason.distance_km,
        "overlap_from": lo,
        "overlap_to": hi,
        "actors": reason.actors,
        "rules_version": reason.rules_version,
    }


def _summary_row(state: ClusterState) -> dict[str, Any]:
    return {
        "cluster_id": state.id,
        "event_type": state.event_type,
        "sub_event_type": state.sub_event_type,
        "first_id": state.first_id,
        "canonical_id": state.canonical_id,
        "size": state.size,
        "entry_id": state.entry_id,
        "lat": state.lat,
        "lon": state.lon,
        "coarse": state.coarse,
        "day_lo": state.day_lo,
        "day_hi": state.day_hi,
        "facts": {
            "places": [list(p) for p in state.places],
            "first_sides": list(state.first_sides),
            "side_sets": [list(s) for s in state.side_sets],
            "weapon_sets": [list(s) for s in state.weapon_sets],
            "time_sets": [list(s) for s in state.time_sets],
            "repeat_sets": [list(s) for s in state.repeat_sets],
        },
    }


def _state(row: Row) -> ClusterState:
    facts = row.facts

    def sets(name: str) -> tuple[tuple[str, ...], ...]:
        return tuple(tuple(s) for s in facts.get(name, ()))

    return ClusterState(
        id=row.cluster_id,
        event_type=row.event_type,
        sub_event_type=row.sub_event_type,
        first_id=row.first_id,
        canonical_id=row.canonical_id,
        size=row.size,
        entry_id=row.entry_id,
        lat=row.lat,
        lon=row.lon,
        coarse=row.coarse,
        day_lo=row.day_lo,
        day_hi=row.day_hi,
        places=tuple((p[0], float(p[1]), float(p[2]), bool(p[3])) for p in facts.get("places", ())),
        first_sides=tuple(facts.get("first_sides", ())),
        side_sets=sets("side_sets"),
        weapon_sets=sets("weapon_sets"),
        time_sets=sets("time_sets"),
        repeat_sets=sets("repeat_sets"),
    )


_MERGE_LOCK = 0x66776D67  # "fwmg": PostgreSQL advisory lock id of merging


def lock_for_merging(conn: Connection) -> None:
    """Serialise merging between concurrent writers until the caller's transaction ends: two
    ingests must not both start a cluster for one event, nor both rewrite one summary. SQLite's
    one writer holds its lock already (the events were written first in the same transaction)."""
    if conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock(_MERGE_LOCK)))


def write_merge(
    conn: Connection,
    rows: Sequence[dict[str, Any]],
    states: Sequence[ClusterState],
    *,
    known: Iterable[str],
    no_longer_canonical: Sequence[str] = (),
) -> None:
    """Store new assignments (`assignment_row`s), the summaries of the clusters they touched
    (updated in place for the `known` cluster ids, inserted for new ones) and clear the canonical
    flag of stored reports that lost it, in the caller's transaction."""
    if rows:
        conn.execute(insert(event_clusters), list(rows))
    known = set(known)
    fresh = [_summary_row(s) for s in states if s.id not in known]
    # bound names must differ from the column names in an executemany UPDATE
    changed = [{f"b_{k}": v for k, v in _summary_row(s).items()} for s in states if s.id in known]
    if fresh:
        # a summary left by events since deleted (its cluster is named after an event id that
        # is being stored again) gives way to the new one
        for chunk in chunks([row["cluster_id"] for row in fresh]):
            conn.execute(delete(cluster_summaries).where(cluster_summaries.c.cluster_id.in_(chunk)))
        conn.execute(insert(cluster_summaries), fresh)
    if changed:
        values: dict[str, Any] = {
            c.name: bindparam(f"b_{c.name}") for c in cluster_summaries.c if c.name != "cluster_id"
        }
        where = cluster_summaries.c.cluster_id == bindparam("b_cluster_id")
        conn.execute(update(cluster_summaries).where(where).values(values), changed)
    for chunk in chunks(no_longer_canonical):
        conn.execute(
            update(event_clusters).where(event_clusters.c.event_id.in_(chunk)).values(is_canonical=False)
        )


@dataclass(frozen=True, slots=True)
class Window:
    """Where the first report of a cluster a new report may join lies: within `km` of its point
    (or at its coarse entry only), same type, with days its dates overlap."""

    event_type: str
    sub_event_type: str
    entry_id: str
    coarse: bool
    min_lat: float
    max_lat: float
    min_lon: float
    max_lon: float
    day_from: date
    day_to: date


def _near_statement() -> Select:
    """One window's look-up, with bound parameters: compiled once and cached by SQLAlchemy (a
    single OR of every window of a batch had to be compiled anew each time, which cost more than
    the merging itself)."""
    s = cluster_summaries.c
    box = and_(
        s.lat.between(bindparam("min_lat"), bindparam("max_lat")),
        s.lon.between(bindparam("min_lon"), bindparam("max_lon")),
        s.coarse.is_(False),
        bindparam("fine"),
    )
    return select(cluster_summaries).where(
        s.event_type == bindparam("event_type"),
        s.sub_event_type == bindparam("sub_event_type"),
        s.day_lo <= bindparam("day_to"),
        s.day_hi >= bindparam("day_from"),
        or_(s.entry_id == bindparam("entry_id"), box),
    )


_NEAR = _near_statement()


def summaries_near(conn: Connection, windows: Sequence[Window]) -> list[ClusterState]:
    """The summaries of the stored clusters a report inside one of `windows` may join, by cluster id."""
    found: dict[str, ClusterState] = {}
    for w in _coalesced(windows):
        params = {
            "event_type": w.event_type,
            "sub_event_type": w.sub_event_type,
            "day_from": w.day_from,
            "day_to": w.day_to,
            "entry_id": w.entry_id,
            "min_lat": w.min_lat,
            "max_lat": w.max_lat,
            "min_lon": w.min_lon,
            "max_lon": w.max_lon,
            "fine": not w.coarse,  # a coarse report matches its own entry only
        }
        for row in conn.execute(_NEAR, params):
            if row.cluster_id not in found:
                found[row.cluster_id] = _state(row)
    return [found[k] for k in sorted(found)]


def _coalesced(windows: Sequence[Window]) -> list[Window]:
    """One window per type and place and run of overlapping days: a large ingest has many reports
    per place, and one OR-term per report makes the query grow with the batch."""
    by_place: dict[tuple, list[Window]] = {}
    for w in windows:
        place = (w.entry_id, w.coarse, w.min_lat, w.max_lat, w.min_lon, w.max_lon)
        by_place.setdefault((w.event_type, w.sub_event_type, *place), []).append(w)
    merged: list[Window] = []
    for group in by_place.values():
        group.sort(key=lambda w: w.day_from)
        current = group[0]
        for w in group[1:]:
            if w.day_from <= current.day_to:
                current = replace(current, day_to=max(current.day_to, w.day_to))
            else:
                merged.append(current)
                current = w
        merged.append(current)
    return merged


def events_by_id(conn: Connection, ids: Iterable[str]) -> dict[str, Event]:
    """These stored events (the first and canonical reports of clusters), by id."""
    found: dict[str, Event] = {}
    for chunk in chunks(sorted(set(ids))):
        rows = list(conn.execute(select(events).where(events.c.id.in_(chunk))).mappings())
        found.update((e.id, e) for e in events_from_rows(conn, rows))
    return found


def unassigned_events(conn: Connection, article_ids: Sequence[str] | None = None) -> list[Event]:
    """The stored events (of these articles, else all) that have no cluster yet."""
    base = (
        select(events)
        .outerjoin(event_clusters, event_clusters.c.event_id == events.c.id)
        .where(event_clusters.c.event_id.is_(None))
        .order_by(events.c.id)
    )
    if article_ids is None:
        return events_from_rows(conn, list(conn.execute(base).mappings()))
    found: list[Event] = []
    for chunk in chunks(article_ids):
        rows = conn.execute(base.where(events.c.article_id.in_(chunk))).mappings()
        found += events_from_rows(conn, list(rows))
    return found


def all_assigned(conn: Connection) -> bool:
    """Whether every stored event has a cluster: one assignment per event (they are deleted with
    their event), so two counts answer it without the anti-join `unassigned_events` needs."""
    n_events = conn.execute(select(func.count()).select_from(events)).scalar_one()
    return n_events == conn.execute(select(func.count()).select_from(event_clusters)).scalar_one()


def cluster_counts(conn: Connection) -> tuple[int, int, int]:
    """(events, clusters, clusters with more than one report) in the store."""
    n_events = conn.execute(select(func.count()).select_from(events)).scalar_one()
    sizes = select(event_clusters.c.cluster_id, func.count().label("n")).group_by(event_clusters.c.cluster_id)
    sub = sizes.subquery()
    n_clusters = conn.execute(select(func.count()).select_from(sub)).scalar_one()
    multi = conn.execute(select(func.count()).select_from(sub).where(sub.c.n > 1)).scalar_one()
    return n_events, n_clusters, multi


def clusters_of(conn: Connection, event_ids: Sequence[str]) -> dict[str, str]:
    """Event id → cluster id, for those of these events that have one."""
    found: dict[str, str] = {}
    c = event_clusters.c
    for chunk in chunks(event_ids):
        rows = conn.execute(select(c.event_id, c.cluster_id).where(c.event_id.in_(chunk)))
        found.update((row.event_id, row.cluster_id) for row in rows)
    return found


def _assignment(row: Row) -> Assignment:
    overlap = (row.overlap_from, row.overlap_to) if row.overlap_from is not None else None
    reason = MergeReason(
        event_id=row.event_id,
        cluster_id=row.cluster_id,
        matched_event_id=row.matched_event_id,
        type_match=row.type_match,
        same_place=row.same_place,
        distance_km=row.distance_km,
        date_overlap=overlap,
        actors=row.actors,
        rules_version=row.rules_version,
    )
    return Assignment(reason=reason, is_canonical=row.is_canonical, source_key=row.source_key)


def load_assignments(engine: Engine) -> dict[str, Assignment]:
    """Event id → its stored assignment."""
    with engine.connect() as conn:
        rows = conn.execute(select(event_clusters)).all()
    return {row.event_id: _assignment(row) for row in rows}


def explain(engine: Engine, event_id: str) -> Explanation | None:
    """Why an event is in its cluster, with the cluster's other members; None if not merged yet."""
    with engine.connect() as conn:
        cluster_id = conn.execute(
            select(event_clusters.c.cluster_id).where(event_clusters.c.event_id == event_id)
        ).scalar_one_or_none()
        if cluster_id is None:
            return None
        rows = conn.execute(select(event_clusters).where(event_clusters.c.cluster_id == cluster_id)).all()
    members = sorted((_assignment(r) for r in rows), key=lambda a: (not a.is_canonical, a.reason.event_id))
    return Explanation(event_id=event_id, cluster_id=cluster_id, members=tuple(members))


def clear(engine: Engine) -> None:
    """Forget every assignment (before re-merging from scratch with new rules)."""
    with engine.begin() as conn:
        conn.execute(delete(event_clusters))
        conn.execute(delete(cluster_summaries))


def control_events(engine: Engine) -> list[Event]:
    """Events that say who controls their place: a side taking it, or a denial (which may name none)."""
    stmt = (
        select(events)
        .where(events.c.place_entry_id.is_not(None))
        .where(or_(events.c.control_to.is_not(None), events.c.modality == str(Modality.DENIED)))
        .order_by(events.c.id)
    )
    with engine.connect() as conn:
        return events_from_rows(conn, list(conn.execute(stmt).mappings()))


def article_outlets(engine: Engine) -> dict[str, str]:
    """Article id → outlet, for the articles that name one (an independent source when no claimant)."""
    stmt = select(articles.c.id, articles.c.source).where(articles.c.source.is_not(None))
    with engine.connect() as conn:
        return {row.id: row.source for row in conn.execute(stmt)}


def article_outlets_of(conn: Connection, article_ids: Sequence[str]) -> dict[str, str]:
    """`article_outlets` for these articles only."""
    found: dict[str, str] = {}
    for chunk in chunks(article_ids):
        stmt = select(articles.c.id, articles.c.source).where(
            articles.c.id.in_(chunk), articles.c.source.is_not(None)
        )
        found.update((row.id, row.source) for row in conn.execute(stmt))
    return found
