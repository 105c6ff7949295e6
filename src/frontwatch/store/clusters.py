"""Cluster assignments in the store: which cluster each event belongs to and why it joined.

Tables live on the store's one `metadata` (store.schema), so they are created with the rest.
Conflicts are not stored: they are computed from events when asked (frontwatch.conflicts).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Engine,
    Float,
    ForeignKey,
    Index,
    Row,
    String,
    Table,
    Text,
    and_,
    delete,
    insert,
    or_,
    select,
)

from frontwatch.clusters import Cluster, MergeReason
from frontwatch.model import Event, Modality
from frontwatch.store.read import events_from_rows
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

CLUSTER_TABLES = (event_clusters,)


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


def _row(cluster: Cluster, reason: MergeReason, source_keys: dict[str, str]) -> dict:
    lo, hi = reason.date_overlap or (None, None)
    return {
        "event_id": reason.event_id,
        "cluster_id": cluster.id,
        "is_canonical": reason.event_id == cluster.canonical.id,
        "source_key": source_keys[reason.event_id],
        "matched_event_id": reason.matched_event_id,
        "type_match": reason.type_match,
        "same_place": reason.same_place,
        "distance_km": reason.distance_km,
        "overlap_from": lo,
        "overlap_to": hi,
        "actors": reason.actors,
        "rules_version": reason.rules_version,
    }


def save_assignments(engine: Engine, clusters: Iterable[Cluster], source_keys: dict[str, str]) -> int:
    """Replace the stored assignments of these clusters' events; returns the rows written."""
    rows = [_row(c, r, source_keys) for c in clusters for r in c.reasons]
    with engine.begin() as conn:
        ids = [r["event_id"] for r in rows]
        for start in range(0, len(ids), 500):  # stay under SQLite's bound-parameter limit
            conn.execute(
                delete(event_clusters).where(event_clusters.c.event_id.in_(ids[start : start + 500]))
            )
        if rows:
            conn.execute(insert(event_clusters), rows)
    log.info("saved %d cluster assignments", len(rows))
    return len(rows)


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


def unassigned_events(engine: Engine, article_ids: Sequence[str]) -> list[Event]:
    """The events of these articles that have no cluster yet."""
    found: list[Event] = []
    with engine.connect() as conn:
        for start in range(0, len(article_ids), 500):
            stmt = (
                select(events)
                .outerjoin(event_clusters, event_clusters.c.event_id == events.c.id)
                .where(events.c.article_id.in_(article_ids[start : start + 500]))
                .where(event_clusters.c.event_id.is_(None))
                .order_by(events.c.id)
            )
            found += events_from_rows(conn, list(conn.execute(stmt).mappings()))
    return found


@dataclass(frozen=True, slots=True)
class Window:
    """Where and when stored reports may match a new one: a box around its point (or its coarse
    entry only) and the days of stored reports' anchor dates that can overlap its dates."""

    entry_id: str
    coarse: bool
    min_lat: float
    max_lat: float
    min_lon: float
    max_lon: float
    day_from: date
    day_to: date


def clusters_near(engine: Engine, windows: Sequence[Window]) -> tuple[list[Event], dict[str, Assignment]]:
    """Every member (and its assignment) of the stored clusters with a report inside one of `windows`."""
    cluster_ids: set[str] = set()
    windows = _coalesced(windows)
    with engine.connect() as conn:
        for start in range(0, len(windows), 100):
            conditions = []
            for w in windows[start : start + 100]:
                when = events.c.date.between(w.day_from, w.day_to)
                if w.coarse:
                    conditions.append(and_(when, events.c.place_entry_id == w.entry_id))
                else:
                    where = and_(
                        events.c.lat.between(w.min_lat, w.max_lat), events.c.lon.between(w.min_lon, w.max_lon)
                    )
                    conditions.append(and_(when, or_(where, events.c.place_entry_id == w.entry_id)))
            stmt = (
                select(event_clusters.c.cluster_id)
                .join(events, events.c.id == event_clusters.c.event_id)
                .where(or_(*conditions))
                .distinct()
            )
            cluster_ids.update(conn.execute(stmt).scalars())
        ordered = sorted(cluster_ids)
        rows: list[Row] = []
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            rows += conn.execute(select(event_clusters).where(event_clusters.c.cluster_id.in_(chunk))).all()
        assignments = {row.event_id: _assignment(row) for row in rows}
        ids = sorted(assignments)
        members: list[Event] = []
        for start in range(0, len(ids), 500):
            stmt = select(events).where(events.c.id.in_(ids[start : start + 500])).order_by(events.c.id)
            members += events_from_rows(conn, list(conn.execute(stmt).mappings()))
    return members, assignments


def _coalesced(windows: Sequence[Window]) -> list[Window]:
    """One window per place and run of overlapping days: a large ingest has many reports per place,
    and one OR-term per report makes the query (and SQLAlchemy compiling it) grow with the batch."""
    by_place: dict[tuple, list[Window]] = {}
    for w in windows:
        by_place.setdefault((w.entry_id, w.coarse, w.min_lat, w.max_lat, w.min_lon, w.max_lon), []).append(w)
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


def clear(engine: Engine) -> None:
    """Forget every assignment (before re-merging from scratch with new rules)."""
    with engine.begin() as conn:
        conn.execute(delete(event_clusters))


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


def article_outlets_of(engine: Engine, article_ids: Sequence[str]) -> dict[str, str]:
    """`article_outlets` for these articles only."""
    found: dict[str, str] = {}
    with engine.connect() as conn:
        for start in range(0, len(article_ids), 500):
            stmt = (
                select(articles.c.id, articles.c.source)
                .where(articles.c.id.in_(article_ids[start : start + 500]))
                .where(articles.c.source.is_not(None))
            )
            found.update({row.id: row.source for row in conn.execute(stmt)})
    return found
