"""Fixtures every test module may use. Shared data is read from ../shared (or $FRONTWATCH_SHARED)."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# The gazetteer index is built once and reused across runs; tests never touch the user's own data dir.
os.environ.setdefault("FRONTWATCH_HOME", str(REPO / ".cache" / "frontwatch-home"))

SEED_PUBLISHED = date(2022, 5, 10)  # the gold file says to score the seed as published that day


@pytest.fixture(scope="session")
def shared() -> Path:
    from frontwatch.settings import shared_dir

    path = shared_dir()
    assert path.is_dir(), f"shared data folder {path} is missing: set FRONTWATCH_SHARED"
    return path


@pytest.fixture(scope="session")
def seed_path(shared: Path) -> Path:
    return shared / "seed" / "izyum-counterattack.txt"


@pytest.fixture(scope="session")
def seed_gold(shared: Path) -> dict:
    return json.loads((shared / "seed" / "izyum-counterattack.gold.json").read_text(encoding="utf-8"))
