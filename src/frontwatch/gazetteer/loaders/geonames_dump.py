"""GeoNames per-country dumps (UA.zip / UA.txt): the 19-column tab-separated export format."""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Iterator
from pathlib import Path

from frontwatch.errors import GazetteerError
from frontwatch.gazetteer.draft import Draft, settlement_kind
from frontwatch.gazetteer.loaders.cities500 import usable_name
from frontwatch.model import PlaceKind, Precision

log = logging.getLogger(__name__)

# Feature codes we index beyond populated places (class P).
FEATURES = {
    "STM": PlaceKind.RIVER,
    "STMI": PlaceKind.RIVER,
    "RSV": PlaceKind.FEATURE,
    "LK": PlaceKind.FEATURE,
}


def _lines(path: Path) -> Iterator[str]:
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as archive:
            inner = [
                n for n in archive.namelist() if n.endswith(".txt") and not n.lower().startswith("readme")
            ]
            if not inner:
                raise GazetteerError(f"{path}: no .txt dump inside the zip")
            with archive.open(inner[0]) as handle:
                yield from io.TextIOWrapper(handle, encoding="utf-8")
    else:
        with path.open(encoding="utf-8") as handle:
            yield from handle


def load(path: Path) -> list[Draft]:
    if not path.exists():
        raise GazetteerError(f"GeoNames dump {path} not found")
    drafts = []
    for number, line in enumerate(_lines(path), 1):
        cols = line.rstrip("\n").split("\t")
        if len(cols) != 19:
            raise GazetteerError(
                f"{path}:{number}: expected 19 tab-separated GeoNames columns, got {len(cols)}"
            )
        (
            gid,
            name,
            ascii_name,
            alternates,
            lat,
            lon,
            fclass,
            fcode,
            country,
            _cc2,
            adm1,
            _adm2,
            _adm3,
            _adm4,
            population,
            *_rest,
        ) = cols
        if fclass == "P":
            pop = int(population or 0) or None
            kind = settlement_kind(pop)
            precision = Precision.EXACT
        elif fcode in FEATURES:
            pop, kind, precision = None, FEATURES[fcode], Precision.FEATURE
        else:
            continue
        draft = Draft(
            id=f"gn:{gid}",
            name=name,
            kind=kind,
            lat=float(lat),
            lon=float(lon),
            precision=precision,
            country=country,
            population=pop,
            geonameid=int(gid),
            admin1_code=adm1 or None,
        )
        draft.add_names([name, ascii_name, *(n for n in alternates.split(",") if usable_name(n))])
        drafts.append(draft)
    log.info("GeoNames dump %s: %d places and features", path, len(drafts))
    return drafts
