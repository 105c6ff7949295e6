"""Rivers and reservoirs from the State Register of geographical names (../shared/gazetteer/ua-physgeo)."""

from __future__ import annotations

import csv
import io
import logging
import re
import tarfile
from pathlib import Path

from frontwatch.gazetteer.draft import Draft
from frontwatch.model import PlaceKind, Precision

log = logging.getLogger(__name__)

# Register object types we index, and the English word news uses after the name.
TYPES = {
    "річка": (PlaceKind.RIVER, "River"),
    "річка, що пересихає": (PlaceKind.RIVER, "River"),
    "водосховище": (PlaceKind.FEATURE, "Reservoir"),
    # Heights and burial mounds fought over (Savur-Mohyla); only names of two or more words, since a
    # one-word hill name is usually a village's or a common word too.
    "гора": (PlaceKind.FEATURE, "height"),
    "курган": (PlaceKind.FEATURE, "mound"),
    "пагорб": (PlaceKind.FEATURE, "hill"),
    "горб": (PlaceKind.FEATURE, "hill"),
}
HEIGHTS = frozenset({"гора", "курган", "пагорб", "горб"})
_WORDS = re.compile(r"[\s\-‐]+")
_DMS = re.compile(r"([NSEW])\s*(\d+)°\s*(\d+)[’']\s*(\d+)")


def parse_dms(text: str) -> float | None:
    match = _DMS.search(text)
    if not match:
        return None
    hemi, deg, minutes, sec = match.groups()
    value = int(deg) + int(minutes) / 60 + int(sec) / 3600
    return -value if hemi in "SW" else value


def load(path: Path) -> list[Draft]:
    drafts: dict[str, Draft] = {}
    with tarfile.open(path) as tar:
        for member in tar.getmembers():
            if not member.name.endswith(".tsv"):
                continue
            handle = tar.extractfile(member)
            if handle is None:
                continue
            reader = csv.reader(io.TextIOWrapper(handle, encoding="utf-8"), delimiter="\t")
            next(reader, None)
            for row in reader:
                if len(row) < 8 or row[3].strip() not in TYPES or row[0] in drafts:
                    continue
                lat, lon = parse_dms(row[6]), parse_dms(row[7])
                if lat is None or lon is None:
                    continue
                kind, word = TYPES[row[3].strip()]
                latin = row[2].strip()
                if row[3].strip() in HEIGHTS and len(_WORDS.split(latin)) < 2:
                    continue
                draft = Draft(
                    id=f"pgo:{row[0]}",
                    name=f"{latin} {word}" if latin else row[1],
                    kind=kind,
                    lat=lat,
                    lon=lon,
                    precision=Precision.FEATURE,
                    country="UA",
                )
                draft.add_names(
                    [row[1].strip(), latin, f"{latin} {word}", f"{word} {latin}", f"{word.lower()} {latin}"]
                )
                drafts[row[0]] = draft
    log.info("physical features: %d rivers, reservoirs and heights from %s", len(drafts), path)
    return list(drafts.values())
