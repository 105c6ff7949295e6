"""Small ordered migrations, each recorded in `schema_migrations` (version, name, applied_at).

Tables that are new on `metadata` (e.g. store.clusters') are created at every open with
``create_all(checkfirst=True)``; a change to a table that already exists needs a migration here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Index, bindparam, insert, select, text, update

from frontwatch.public import event_json
from frontwatch.store.read import events_from_rows
from frontwatch.store.schema import CORE_TABLES, event_actors, events, metadata, schema_migrations

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    apply: Callable[[Connection], None]
    dialects: frozenset[str] | None = None  # None: every backend


def _core_tables(conn: Connection) -> None:
    metadata.create_all(conn, tables=list(CORE_TABLES), checkfirst=True)


def _postgis_geometry(conn: Connection) -> None:
    # A generated point column keeps itself in step with lat/lon: no insert-side code on PostgreSQL.
    conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    conn.execute(
        text(
            "ALTER TABLE events ADD COLUMN IF NOT EXISTS geom geometry(Point, 4326) "
            "GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED"
        )
    )
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_events_geom ON events USING GIST (geom)"))


def _events_index(name: str) -> Index:
    return next(ix for ix in events.indexes if ix.name == name)


def _date_bbox_index(conn: Connection) -> None:
    # (date, id, lat, lon) answers the map's "time window + bbox" from the index alone, in the pages'
    # (date, id) order (without id, SQLite sorted every page in a temporary B-tree); it replaces the
    # single-column date index (migration 3) and then (date, lat, lon) (migration 8).
    _events_index("ix_events_date_id_lat_lon").create(conn, checkfirst=True)
    for old in ("ix_events_date", "ix_events_date_lat_lon"):
        conn.execute(text(f"DROP INDEX IF EXISTS {old}"))


BACKFILL_CHUNK = 1000


def _event_docs(conn: Connection) -> None:
    # A store created by this code's migration 1 has the column already (it is in schema.events).
    if conn.dialect.name == "sqlite":
        present = {row[1] for row in conn.exec_driver_sql("PRAGMA table_info(events)")}
        if "doc" not in present:
            conn.execute(text("ALTER TABLE events ADD COLUMN doc TEXT"))
    else:
        conn.execute(text("ALTER TABLE events ADD COLUMN IF NOT EXISTS doc TEXT"))
    refresh_event_docs(conn)


def refresh_event_docs(conn: Connection, *, only_missing: bool = True) -> int:
    """Write events.doc from the normalised tables (all rows, or those with none); returns rows written."""
    written = 0
    last = ""
    while True:
        stmt = select(events).where(events.c.id > last).order_by(events.c.id).limit(BACKFILL_CHUNK)
        if only_missing:
            stmt = stmt.where(events.c.doc.is_(None))
        rows = list(conn.execute(stmt).mappings())
        if not rows:
            return written
        docs = [{"b_id": e.id, "b_doc": event_json(e)} for e in events_from_rows(conn, rows)]
        conn.execute(
            update(events).where(events.c.id == bindparam("b_id")).values(doc=bindparam("b_doc")), docs
        )
        written += len(docs)
        last = rows[-1]["id"]
        log.info("events.doc: %d written", written)


def _event_cells(conn: Connection) -> None:
    # The map's zoomed-out layer (store.aggregates); its tables are new, so create them here first.
    from frontwatch.store import aggregates

    for table in (aggregates.event_cells, aggregates.event_cell_keys, aggregates.store_state):
        table.create(conn, checkfirst=True)
    aggregates.rebuild(conn)
    for index in (*events.indexes, *event_actors.indexes):
        if index.name in FACET_INDEXES:
            index.create(conn, checkfirst=True)


FACET_INDEXES = ("ix_events_sub_event_type", "ix_events_modality", "ix_event_actors_name_event_id")


def _cluster_summaries(conn: Connection) -> None:
    # Merging now reads cluster summaries (store.clusters.cluster_summaries), which older stores do
    # not have: forget their assignments, and the next ingest or `frontwatch merge` re-merges every
    # event, in the same order as a fresh store would.
    from frontwatch.store import clusters

    for table in clusters.CLUSTER_TABLES:
        table.create(conn, checkfirst=True)
    conn.execute(clusters.event_clusters.delete())
    conn.execute(clusters.cluster_summaries.delete())


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1, "core tables: runs, articles, gazetteer_places, places, events and their parts", _core_tables
    ),
    Migration(
        2, "PostGIS point column and GiST index on events", _postgis_geometry, frozenset({"postgresql"})
    ),
    Migration(3, "index events (date, lat, lon) for time window + bbox queries", _date_bbox_index),
    Migration(4, "events.doc: the public JSON object of each event, backfilled", _event_docs),
    Migration(6, "cluster_summaries: events re-merged against cluster summaries", _cluster_summaries),
    Migration(7, "event_cells: running counts per grid cell, type and day; facet indexes", _event_cells),
    Migration(8, "index events (date, id, lat, lon): map pages in index order", _date_bbox_index),
)


def migrate(conn: Connection) -> list[int]:
    """Apply the migrations not yet recorded, in order; returns the versions applied now."""
    schema_migrations.create(conn, checkfirst=True)
    done = set(conn.execute(select(schema_migrations.c.version)).scalars())
    dialect = conn.dialect.name
    applied = []
    for migration in MIGRATIONS:
        if migration.version in done:
            continue
        if migration.dialects is not None and dialect not in migration.dialects:
            continue
        log.info("store migration %d: %s", migration.version, migration.name)
        migration.apply(conn)
        conn.execute(
            insert(schema_migrations).values(
                version=migration.version, name=migration.name, applied_at=datetime.now(UTC)
            )
        )
        applied.append(migration.version)
    # Tables added to `metadata` by other store modules (clusters) after these migrations were written.
    metadata.create_all(conn, checkfirst=True)
    return applied
