"""Small ordered migrations, each recorded in `schema_migrations` (version, name, applied_at).

Tables that are new on `metadata` (e.g. store.clusters') are created at every open with
``create_all(checkfirst=True)``; a change to a table that already exists needs a migration here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, select, text

from frontwatch.store.schema import CORE_TABLES, metadata, schema_migrations

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


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1, "core tables: runs, articles, gazetteer_places, places, events and their parts", _core_tables
    ),
    Migration(
        2, "PostGIS point column and GiST index on events", _postgis_geometry, frozenset({"postgresql"})
    ),
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
