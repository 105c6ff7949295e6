"""Exports round-trip: what `frontwatch export` writes, a standard reader reads back unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import geojson
import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from api_records import analysed, fill_store
from frontwatch.api.schemas import EventOut
from frontwatch.cli import main
from frontwatch.export import ACLED_COLUMNS, CSV_COLUMNS, acled_vocabulary


@pytest.fixture(scope="module")
def stored(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[EventOut]]:
    records = analysed(shared)
    url = str(tmp_path_factory.mktemp("export") / "export.db")
    fill_store(url, records)
    events = [EventOut.from_event(e) for item in records for e in item.events]
    return url, sorted(events, key=lambda e: (e.date is None, e.date or "", e.id))


def run_export(db: str, fmt: str, out: Path, *args: str) -> Path:
    result = CliRunner().invoke(main, ["--db", db, "export", "--format", fmt, "-o", str(out), *args])
    assert result.exit_code == 0, result.output
    return out


def test_csv_round_trips(stored, tmp_path):
    db, events = stored
    frame = pd.read_csv(run_export(db, "csv", tmp_path / "events.csv"), dtype={"date": str, "katotth": str})
    assert list(frame.columns) == list(CSV_COLUMNS)
    assert len(frame) == len(events)
    by_id = frame.set_index("id")
    for event in events:
        row = by_id.loc[event.id]
        assert row["event_type"] == event.event_type
        assert row["sub_event_type"] == event.sub_event_type
        assert row["evidence"] == event.evidence.text
        assert row["evidence_start"] == event.evidence.start_char
        assert (row["date"] if isinstance(row["date"], str) else None) == (
            event.date.isoformat() if event.date else None
        )
        if event.place:
            assert row["latitude"] == pytest.approx(event.place.lat)
            assert row["longitude"] == pytest.approx(event.place.lon)
            assert row["place_name"] == event.place.name
        else:
            assert pd.isna(row["latitude"])


def test_acled_csv_uses_acled_columns_and_vocabularies(stored, tmp_path):
    db, events = stored
    frame = pd.read_csv(run_export(db, "acled-csv", tmp_path / "acled.csv"), dtype={"event_date": str})
    assert list(frame.columns) == list(ACLED_COLUMNS)
    exportable = [e for e in events if e.place and e.date]
    assert len(frame) == len(exportable)
    vocab = acled_vocabulary()
    known = {a.name for a in [*vocab.by_name.values(), *vocab.by_side.values()]}
    for event, (_, row) in zip(exportable, frame.iterrows(), strict=True):
        assert row["event_date"] == event.date.isoformat()
        assert row["year"] == event.date.year
        assert row["event_type"] == event.event_type
        assert row["sub_event_type"] == event.sub_event_type
        assert row["latitude"] == pytest.approx(event.place.lat, abs=1e-5)
        assert row["longitude"] == pytest.approx(event.place.lon, abs=1e-5)
        assert row["location"] == event.place.name
        assert row["geo_precision"] in (1, 2, 3)
        assert row["time_precision"] in (1, 2, 3)
        assert row["disorder_type"] in ("Political violence", "Demonstrations", "Strategic developments")
        if event.actors:
            assert row["actor1"] in known | {a.name for a in event.actors}
        assert event.evidence.text in row["notes"]
    izyum = frame[frame["location"].str.lower().isin(["izyum", "izium"])]
    assert not izyum.empty
    assert set(izyum["country"]) == {"Ukraine"}
    assert set(izyum["iso"]) == {804}
    assert set(frame["actor1"].dropna()) & {
        "Military Forces of Russia (2000-)",
        "Military Forces of Ukraine (2019-)",
    }


def test_parquet_round_trips_every_field(stored, tmp_path):
    db, events = stored
    table = pq.read_table(run_export(db, "parquet", tmp_path / "events.parquet"))
    # cluster ids come from merging at ingest: the fixture's events do not know them
    result = table.drop_columns(["geometry", "cluster_id"]).to_pylist()
    expected = [e.model_dump(mode="python", by_alias=True, exclude={"cluster_id"}) for e in events]
    assert table.num_rows == len(events)
    assert result == expected


def test_parquet_is_geoparquet_read_by_geopandas_as_points(stored, tmp_path, monkeypatch):
    import geopandas

    from frontwatch import export as export_module

    db, events = stored
    monkeypatch.setattr(export_module, "ROW_GROUP", 7)  # several row groups even for this small store
    path = run_export(db, "parquet", tmp_path / "events.parquet")
    assert pq.ParquetFile(path).num_row_groups == -(-len(events) // 7)
    frame = geopandas.read_parquet(path)
    assert frame.crs is not None and frame.crs.to_epsg() == 4326
    assert frame.geometry.name == "geometry"
    placed = frame[frame.geometry.notna()]
    assert set(placed.geom_type) == {"Point"}
    expected = {e.id: (e.place.lon, e.place.lat) for e in events if e.place}
    result = {i: (g.x, g.y) for i, g in zip(placed["id"], placed.geometry, strict=True)}
    assert result == expected
    assert set(frame[frame.geometry.isna()]["id"]) == {e.id for e in events if e.place is None}


def test_geojson_round_trips_and_validates(stored, tmp_path):
    db, events = stored
    path = run_export(db, "geojson", tmp_path / "events.geojson")
    collection = geojson.loads(path.read_text(encoding="utf-8"))
    assert collection.is_valid, collection.errors()
    placed = [e for e in events if e.place]
    assert [f["id"] for f in collection["features"]] == [e.id for e in placed]
    for feature, event in zip(json.loads(path.read_text())["features"], placed, strict=True):
        assert feature["geometry"]["coordinates"] == [event.place.lon, event.place.lat]
        assert feature["properties"]["evidence"] == event.evidence.text
        assert feature["properties"]["place_name"] == event.place.name
        assert feature["properties"]["actors"] == [a.name for a in event.actors]


def test_export_applies_filters(stored, tmp_path):
    db, events = stored
    path = run_export(db, "csv", tmp_path / "april.csv", "--since", "2022-04-01", "--until", "2022-04-30")
    frame = pd.read_csv(path)
    expected = {e.id for e in events if e.date and "2022-04-01" <= e.date.isoformat() <= "2022-04-30"}
    assert expected
    assert set(frame["id"]) == expected


def test_export_rejects_an_unknown_format(stored, tmp_path):
    db, _ = stored
    result = CliRunner().invoke(main, ["--db", db, "export", "--format", "xlsx", "-o", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "xlsx" in result.output
