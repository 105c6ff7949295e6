"""The map's grid counts (store.aggregates, GET /aggregates) and the caches that the events' changes drop.

Real reports (the seed report and Bellingcat/CIR rows through the real pipeline) are saved one by one,
so the running counts are kept up article by article, in publication order that is not date order;
every answer is checked against the events themselves, counted here in Python.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api_records import analysed
from frontwatch.api import create_app
from frontwatch.model import Event
from frontwatch.settings import Settings
from frontwatch.store import aggregates, open_store
from frontwatch.store.query import BBox, EventFilter
from store_backends import backend_url

WINDOWS = [
    (None, None),
    (dt.date(2022, 3, 1), dt.date(2022, 5, 31)),
    (dt.date(2022, 1, 1), dt.date(2022, 12, 31)),
    (None, dt.date(2022, 6, 30)),
    (dt.date(2022, 7, 1), None),
    (dt.date(2030, 1, 1), dt.date(2030, 2, 1)),
]
BBOXES = [None, BBox(22.0, 44.0, 40.5, 52.5), BBox(35.0, 48.0, 38.5, 50.5)]


def expected_cells(
    found: list[Event], *, cell: float, since: dt.date | None, until: dt.date | None, bbox: BBox | None
) -> Counter[tuple[float, float, str]]:
    """Counted by hand: the events with a point, in the window, in the cells that meet the bbox."""
    out: Counter[tuple[float, float, str]] = Counter()
    for e in found:
        if e.place is None:
            continue
        if (since or until) and e.date is None:
            continue
        if (since and e.date < since) or (until and e.date > until):
            continue
        gx = math.floor((e.place.entry.lon + 180) / cell)
        gy = math.floor((e.place.entry.lat + 90) / cell)
        if bbox is not None:
            x0, y0 = math.floor((bbox.minlon + 180) / cell), math.floor((bbox.minlat + 90) / cell)
            x1, y1 = math.floor((bbox.maxlon + 180) / cell), math.floor((bbox.maxlat + 90) / cell)
            if not (x0 <= gx <= x1 and y0 <= gy <= y1):
                continue
        out[(gx * cell - 180 + cell / 2, gy * cell - 90 + cell / 2, e.event_type)] += 1
    return out


def as_counter(grid: aggregates.Grid) -> Counter[tuple[float, float, str]]:
    return Counter({(c.lon, c.lat, c.event_type): c.count for c in grid.cells})


@pytest.fixture(scope="module")
def records(shared: Path):
    found = analysed(shared)
    assert sum(1 for r in found for e in r.events if e.place) > 30
    return found


def _check_every_window(store, found: list[Event]) -> None:
    for level in aggregates.LEVELS:
        cell = aggregates.cell_size(level)
        counts = aggregates.running_counts(store, level)  # the API's copy in memory: the same answers
        for since, until in WINDOWS:
            for bbox in BBOXES:
                flt = EventFilter(since=since, until=until, bbox=bbox)
                result = aggregates.grid(store, flt, cell=cell)
                in_memory = aggregates.grid(store, flt, cell=cell, counts=counts)
                expected = expected_cells(found, cell=cell, since=since, until=until, bbox=bbox)
                assert as_counter(result) == expected, (cell, since, until, bbox)
                assert result.total == sum(expected.values())
                assert in_memory == result, (cell, since, until, bbox)


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_running_counts_match_the_events_saved_one_by_one(backend, records, tmp_path):
    with backend_url(backend, tmp_path) as url:
        store = open_store(url)
        try:
            # Newest first: every article but the first lands before days already counted. Half in one
            # batch (Store.save_many, as ingest saves), the rest one by one (Store.save, as POST does).
            ordered = sorted(records, key=lambda r: r.resolved.annotated.article.published, reverse=True)
            half = len(ordered) // 2
            assert all(store.save_many(ordered[:half]))
            for item in ordered[half:]:
                store.save(item)
            found = store.events()
            _check_every_window(store, found)
            with store.connect() as conn:
                before = conn.execute(select(func.count()).select_from(aggregates.event_cells)).scalar()
            with store.begin() as conn:
                aggregates.rebuild(conn)  # the one-statement rebuild agrees with the kept counts
            with store.connect() as conn:
                after = conn.execute(select(func.count()).select_from(aggregates.event_cells)).scalar()
            assert after == before
            _check_every_window(store, found)
        finally:
            store.close()


def test_other_filters_count_the_events_themselves(records, tmp_path):
    store = open_store(tmp_path / "f.db")
    try:
        for item in records:
            store.save(item)
        found = store.events()
        kind = Counter(e.event_type for e in found if e.place).most_common(1)[0][0]
        flt = EventFilter(type=kind, since=dt.date(2022, 1, 1), bbox=BBox(22.0, 44.0, 40.5, 52.5))
        result = aggregates.grid(store, flt, cell=0.5)
        typed = [e for e in found if e.event_type == kind]
        expected = expected_cells(typed, cell=0.5, since=flt.since, until=None, bbox=flt.bbox)
        assert as_counter(result) == expected
        assert expected
    finally:
        store.close()


def test_api_answers_and_caches_until_the_events_change(records, tmp_path):
    db = str(tmp_path / "api.db")
    store = open_store(db)
    first, rest = records[:5], records[5:]
    for item in first:
        store.save(item)
    with TestClient(create_app(Settings(db_url=db))) as client:
        result = client.get("/aggregates", params={"cell": 1, "bbox": "22,44,40.5,52.5"})
        assert result.status_code == 200, result.text
        body = result.json()
        expected = expected_cells(
            store.events(), cell=1.0, since=None, until=None, bbox=BBox(22, 44, 40.5, 52.5)
        )
        assert body["total"] == sum(expected.values())
        assert {(c["lon"], c["lat"], c["event_type"]): c["count"] for c in body["cells"]} == dict(expected)

        facets = client.get("/facets").json()
        assert facets["count"] == len(store.events())

        # Another process (here: this store object) saves more reports: both answers follow.
        for item in rest:
            store.save(item)
        all_events = store.events()
        assert client.get("/facets").json()["count"] == len(all_events)
        body = client.get("/aggregates", params={"cell": 1, "bbox": "22,44,40.5,52.5"}).json()
        expected = expected_cells(all_events, cell=1.0, since=None, until=None, bbox=BBox(22, 44, 40.5, 52.5))
        assert body["total"] == sum(expected.values())

        bad = client.get("/aggregates", params={"cell": 0.3})
        assert bad.status_code == 422
        assert "cell" in bad.json()["error"]["message"]
    store.close()
