"""Fetch GeoNames per-country dumps (needs internet; the build itself never downloads)."""

from __future__ import annotations

import logging
import re
import shutil
import urllib.error
import urllib.request
from pathlib import Path

from frontwatch.errors import GazetteerError
from frontwatch.settings import data_dir

log = logging.getLogger(__name__)

DUMP_URL = "https://download.geonames.org/export/dump/{code}.zip"


def dump_dir() -> Path:
    path = data_dir() / "geonames"
    path.mkdir(parents=True, exist_ok=True)
    return path


def download_dumps(codes: list[str], *, timeout: float = 120.0) -> list[Path]:
    """Download `UA.zip`, `RU.zip`, ... into the data directory; return their paths."""
    paths = []
    for code in codes:
        code = code.upper()
        if not re.fullmatch(r"[A-Z]{2}", code):
            raise GazetteerError(f"{code!r} is not a two-letter country code")
        url, target = DUMP_URL.format(code=code), dump_dir() / f"{code}.zip"
        tmp = target.with_suffix(".zip.part")
        log.info("downloading %s", url)
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response, tmp.open("wb") as out:
                shutil.copyfileobj(response, out)
        except (urllib.error.URLError, OSError) as exc:
            tmp.unlink(missing_ok=True)
            raise GazetteerError(f"cannot download {url}: {exc}") from exc
        tmp.replace(target)
        paths.append(target)
    return paths
