"""The OpenAPI document says what the server does: schemathesis (pinned in the test extras) runs every
check against a served store holding the seed report, with a fixed seed and a short profile.

The longer run is one command in the README's development section; tests/schemathesis.toml says which
schema-valid requests the server may still refuse with 422 (rules OpenAPI cannot state) and why.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from api_records import seed_article
from api_server import serving
from frontwatch.settings import Settings

TOKEN = "contract-write-token"
CONFIG = Path(__file__).with_name("schemathesis.toml")
SEED = 1
# Per operation and phase: 12 makes ~1,000 requests, well under a minute on two cores. The longer run
# in the README's development section sets FRONTWATCH_CONTRACT_EXAMPLES.
EXAMPLES = int(os.environ.get("FRONTWATCH_CONTRACT_EXAMPLES", "12"))


def test_schemathesis_finds_no_failure(shared: Path, tmp_path: Path) -> None:
    from frontwatch.gazetteer import Gazetteer
    from frontwatch.pipeline import ingest_items
    from frontwatch.store import open_store

    db = str(tmp_path / "contract.db")
    with open_store(db) as store:
        ingest_items([seed_article(shared)], store=store, gazetteer=Gazetteer.open_default())
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with serving(Settings(db_url=db, write_token=TOKEN)) as base:
        # The first POST loads spaCy and the gazetteer into the server: done here, not in a timed request.
        warm = httpx.post(
            f"{base}/articles", json={"title": "Warm-up", "text": "Kharkiv."}, headers=auth, timeout=120
        )
        assert warm.status_code == 201, warm.text
        st = Path(sys.executable).with_name("st")
        # One worker: on CPython 3.11 `ast.parse` keeps its recursion depth per interpreter, so two
        # schemathesis threads describing Hypothesis filters at once can raise a spurious SystemError
        # ("AST constructor recursion depth mismatch", python/cpython#106905).
        command = [
            str(st), "--config-file", str(CONFIG), "run", f"{base}/openapi.json",
            "--checks", "all", "--seed", str(SEED), "--max-examples", str(EXAMPLES), "--workers", "1",
            "--header", f"Authorization: Bearer {TOKEN}", "--generation-database", "none",
            "--request-timeout", "60", "--no-color",
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, timeout=3600, check=False)
    summary = result.stdout[result.stdout.find("SUMMARY") :]
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "No issues found" in summary, summary
