"""PostgreSQL + PostGIS specifics: the PostGIS migration and its generated point column.

Needs the server test.sh starts (FRONTWATCH_TEST_PG); FAILS with instructions when it is unset.
The shared store tests (test_store.py) also run on PostgreSQL.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from frontwatch.store import open_store
from frontwatch.store.migrations import MIGRATIONS
from frontwatch.store.schema import schema_migrations
from store_backends import IZIUM, SPIVAKIVKA, extracted, pg_schema_url

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_store():
    with pg_schema_url() as url:
        store = open_store(url)
        try:
            yield store
        finally:
            store.close()


def test_postgis_migration_is_recorded(pg_store):
    with pg_store.connect() as conn:
        versions = list(conn.execute(select(schema_migrations.c.version)).scalars())

    expected = [m.version for m in MIGRATIONS]  # every one applies on PostgreSQL, the PostGIS one (2) too
    assert pg_store.dialect == "postgresql"
    assert 2 in expected
    assert sorted(versions) == expected


def test_event_geometry_follows_lat_lon_and_is_indexed(pg_store):
    pg_store.save(extracted(1))

    with pg_store.connect() as conn:
        rows = conn.execute(
            text("SELECT id, ST_X(geom), ST_Y(geom), ST_SRID(geom) FROM events ORDER BY id")
        ).all()
        index = conn.execute(
            text(
                "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                "AND tablename = 'events' AND indexname = 'ix_events_geom'"
            )
        ).scalar_one()

    assert rows[0][1:] == pytest.approx((SPIVAKIVKA.lon, SPIVAKIVKA.lat, 4326))
    assert rows[1][1] is None  # an event without a place has no point
    assert "gist" in index.lower()


def test_spatial_query_finds_events_near_izium(pg_store):
    pg_store.save(extracted(1))

    with pg_store.connect() as conn:
        near = (
            conn.execute(
                text(
                    "SELECT id FROM events WHERE ST_DWithin(geom::geography, "
                    "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, 30000)"
                ),
                {"lon": IZIUM.lon, "lat": IZIUM.lat},
            )
            .scalars()
            .all()
        )

    assert near == ["ev0001a"]  # Spivakivka is ~20 km from Izium


def test_statements_are_planned_for_their_own_values(pg_store):
    # a prepared map page kept on a generic plan read the (lat, lon) index for seconds at 1M events
    with pg_store.connect() as conn:
        mode = conn.exec_driver_sql("SHOW plan_cache_mode").scalar()

    assert mode == "force_custom_plan"
