"""The tiny gazetteer for fast resolution tests: the seed article's places and their homonyms.

tests/data/gazetteer/fixture.json is an excerpt of the default index (the other Lymans, the other
Spivakivka, ...); it is written into a real index file with the builder's own writer.
"""

from __future__ import annotations

import json
from pathlib import Path

from frontwatch.gazetteer import Gazetteer
from frontwatch.gazetteer.build import write_index
from frontwatch.gazetteer.draft import Draft
from frontwatch.model import PlaceKind, Precision

FIXTURE = Path(__file__).parent / "data" / "gazetteer" / "fixture.json"


def fixture_drafts() -> list[Draft]:
    drafts = []
    for row in json.loads(FIXTURE.read_text(encoding="utf-8"))["entries"]:
        points = [tuple(p) for p in row.pop("points", [])]
        row["kind"], row["precision"] = PlaceKind(row["kind"]), Precision(row["precision"])
        draft = Draft(**row)
        draft.points = points
        drafts.append(draft)
    return drafts


def fixture_gazetteer(directory: Path) -> Gazetteer:
    path = directory / "fixture.sqlite"
    write_index(path, fixture_drafts(), {"fixture": 0})
    return Gazetteer(path)
