"""Famous places of the war the other sources lack (data/features.toml): each with its coordinate's source."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

from frontwatch.errors import GazetteerError
from frontwatch.gazetteer.draft import Draft
from frontwatch.model import PlaceKind, Precision

RELATIVE = "data/features.toml"
REQUIRED = ("id", "name", "admin1", "lat", "lon", "source", "names")


def load(path: Path | None = None) -> list[Draft]:
    """One exact-point feature per [[feature]] table of `path` (default: the packaged file)."""
    name = str(path) if path else RELATIVE
    try:
        text = (
            path.read_text(encoding="utf-8")
            if path
            else resources.files("frontwatch.gazetteer").joinpath(RELATIVE).read_text(encoding="utf-8")
        )
        specs = tomllib.loads(text)["feature"]
    except (OSError, tomllib.TOMLDecodeError, KeyError) as exc:
        raise GazetteerError(f"{name}: cannot read the famous features: {exc}") from exc
    drafts = []
    for n, spec in enumerate(specs, start=1):
        missing = [key for key in REQUIRED if not spec.get(key)]
        if missing:
            raise GazetteerError(f"{name}: feature #{n} lacks {', '.join(missing)}")
        lat, lon = float(spec["lat"]), float(spec["lon"])
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise GazetteerError(f"{name}: feature {spec['id']!r} has no valid point ({lat}, {lon})")
        draft = Draft(
            id=f"feature:{spec['id']}",
            name=spec["name"],
            kind=PlaceKind.FEATURE,
            lat=lat,
            lon=lon,
            precision=Precision.EXACT,
            country=spec.get("country", "UA"),
            admin1=spec["admin1"],
        )
        draft.add_names([spec["name"], *spec["names"]])
        drafts.append(draft)
    return drafts
