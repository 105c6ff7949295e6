"""Admin-1 regions from data/admin1.toml, placed by the cities500 places that carry their code."""

from __future__ import annotations

import logging
import tomllib
from functools import cache
from importlib import resources

from frontwatch.gazetteer.draft import Draft
from frontwatch.gazetteer.keys import name_key
from frontwatch.geometry import mean_point
from frontwatch.model import PlaceKind, Precision

log = logging.getLogger(__name__)


@cache
def region_specs() -> list[dict]:
    text = resources.files("frontwatch.gazetteer").joinpath("data/admin1.toml").read_text(encoding="utf-8")
    return list(tomllib.loads(text)["region"])


def front_regions() -> frozenset[str]:
    """Names of the regions on or near the front line (a weak prior in resolution)."""
    return frozenset(spec["name"] for spec in region_specs() if spec.get("front"))


def region_names(spec: dict) -> list[str]:
    unit = spec.get("unit", "Oblast")
    names = [spec["name"]]
    for base in spec.get("names", []):
        names += [
            f"{base} {unit}",
            f"{base} {unit.lower()}",
            f"{base} region",
            f"{base} Region",
            f"{base} province",
            f"{base} Province",
        ]
        if unit != "Oblast":
            names += [f"{base} Oblast", f"{base} oblast"]
    return names + list(spec.get("aliases", []))


def build_regions(places: list[Draft]) -> tuple[list[Draft], dict[tuple[str, str], str]]:
    """Region drafts, and (country, GeoNames admin1 code) → region name for the places."""
    by_key: dict[tuple[str, str], list[Draft]] = {}
    by_code: dict[tuple[str, str], list[Draft]] = {}
    for place in places:
        if place.kind in (PlaceKind.CITY, PlaceKind.TOWN, PlaceKind.VILLAGE):
            for name in place.names[:1] + place.names[1:]:
                by_key.setdefault((place.country, name_key(name)), []).append(place)
            if place.admin1_code:
                by_code.setdefault((place.country, place.admin1_code), []).append(place)
    regions, code_names = [], {}
    for spec in region_specs():
        found = by_key.get((spec["country"], name_key(spec["capital"])), [])
        if not found:
            log.warning("admin1 %s: capital %s not found in cities; skipped", spec["name"], spec["capital"])
            continue
        capital = max(found, key=lambda d: (d.name == spec["capital"], d.population or 0))
        code = capital.admin1_code or ""
        members = by_code.get((spec["country"], code), [capital])
        lat, lon = mean_point([(m.lat, m.lon) for m in members])
        ident = f"adm:{spec['country']}-{spec.get('katotth') or code}"
        draft = Draft(
            id=ident,
            name=spec["name"],
            kind=PlaceKind.ADMIN1,
            lat=lat,
            lon=lon,
            precision=Precision.REGION,
            country=spec["country"],
            admin1=spec["name"],
            population=sum(m.population or 0 for m in members) or None,
        )
        draft.add_names(region_names(spec))
        draft.admin1_code = code
        regions.append(draft)
        code_names[(spec["country"], code)] = spec["name"]
    log.info("admin1: %d regions", len(regions))
    return regions, code_names
