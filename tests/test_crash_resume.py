"""kill -9 in the middle of an ingest, then a rerun: the same events and clusters as a run that was
never interrupted, every event clustered (issue 12, item 4), and the rerun goes on where the first
run stopped instead of starting over (issue 10's resumable backfill).

Real subprocesses running `frontwatch ingest`, with small storage batches so that a short input
spans several transactions; the kill comes after the first batches are stored.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO

BATCH = 3  # articles per storage transaction in the subprocesses (the default is 32)
DRIVER = f"""
import sys
from frontwatch import pipeline
from frontwatch.cli import main
pipeline.BATCH = {BATCH}
sys.exit(main(sys.argv[1:]))
"""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, shared: Path) -> Path:
    """Copies of the example report (one story, many outlets) interleaved with news reports."""
    seed = (shared / "seed" / "izyum-counterattack.txt").read_text(encoding="utf-8")
    title, _, body = seed.strip().partition("\n\n")
    news = [json.loads(line) for line in (shared / "eval" / "news" / "dev.jsonl").open(encoding="utf-8")]
    records = []
    for i in range(6):
        records.append(
            {
                "title": title,
                "text": f"{body}\n\nCarried by Outlet {i}.",
                "url": f"https://outlet-{i}.example/izyum",
                "published": "2022-05-10",
                "source": f"Outlet {i}",
            }
        )
        for item in news[2 * i : 2 * i + 2]:
            records.append(
                {k: item[k] for k in ("title", "text", "url", "published")} | {"source": item["outlet"]}
            )
    path = tmp_path_factory.mktemp("crash") / "corpus.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def _command(db: Path, corpus: Path) -> list[str]:
    return [sys.executable, "-c", DRIVER, "--db", str(db), "ingest", str(corpus)]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO / "src")}


def _ingest(db: Path, corpus: Path) -> str:
    """Run an ingest to its end; returns what it printed on stderr (its summary line)."""
    done = subprocess.run(_command(db, corpus), env=_env(), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stderr


def _articles(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=30) as conn:
            return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.OperationalError:  # not created yet
        return 0


def _killed_after(db: Path, corpus: Path, articles: int) -> int:
    """Start an ingest and kill -9 it once `articles` are stored; returns how many were."""
    proc = subprocess.Popen(
        _command(db, corpus), env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 300
        while _articles(db) < articles and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert proc.poll() is None, "the ingest ended before it could be killed"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
        assert proc.stderr is not None
        proc.stderr.close()
    return _articles(db)


def _state(db: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(db) as conn:
        events = sorted(conn.execute("SELECT id, article_id, doc FROM events").fetchall())
        clusters = sorted(
            conn.execute(
                "SELECT event_id, cluster_id, is_canonical, source_key, matched_event_id, distance_km "
                "FROM event_clusters"
            ).fetchall()
        )
        summaries = sorted(conn.execute("SELECT * FROM cluster_summaries").fetchall())
        articles = sorted(conn.execute("SELECT id FROM articles").fetchall())
    return {"articles": articles, "events": events, "clusters": clusters, "summaries": summaries}


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> dict[str, list[tuple]]:
    db = tmp_path_factory.mktemp("whole") / "whole.db"
    _ingest(db, corpus)
    return _state(db)


@pytest.mark.parametrize("stored_before_kill", [1, 2 * BATCH + 1])
def test_kill_9_then_rerun_gives_the_uninterrupted_events_and_clusters(
    tmp_path: Path, corpus: Path, uninterrupted: dict[str, list[tuple]], stored_before_kill: int
):
    db = tmp_path / "killed.db"
    stored = _killed_after(db, corpus, stored_before_kill)
    n_articles = len(uninterrupted["articles"])
    assert 0 < stored < n_articles  # killed in the middle, with some batches committed
    kept = _state(db)
    assert {e[0] for e in kept["events"]} == {c[0] for c in kept["clusters"]}

    rerun = _ingest(db, corpus)

    # it went on where the killed run stopped: what was stored is "already present", not analysed again
    assert f"{n_articles - stored} stored" in rerun and f"{stored} already present" in rerun
    resumed = _state(db)
    for key in ("articles", "events", "clusters", "summaries"):
        assert set(resumed[key]) - set(uninterrupted[key]) == set(), key
        assert set(uninterrupted[key]) - set(resumed[key]) == set(), key
    assert resumed == uninterrupted
    clustered = {c[0] for c in resumed["clusters"]}
    assert clustered == {e[0] for e in resumed["events"]}
    # the story carried by six outlets is one cluster per event of it, with six independent sources
    sources: dict[str, set[str]] = {}
    for _, cluster_id, _, source_key, _, _ in resumed["clusters"]:
        sources.setdefault(cluster_id, set()).add(source_key)
    assert max(len(s) for s in sources.values()) >= 6
