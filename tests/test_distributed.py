"""`ingest --scheduler`: the analysis on a dask.distributed cluster (here a LocalCluster with two
worker processes), the store written by the client; the store equals a local run's."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from frontwatch.pipeline import ingest
from frontwatch.store import open_store


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory, shared: Path) -> Path:
    """The example report (three outlets) and six news reports."""
    seed = (shared / "seed" / "izyum-counterattack.txt").read_text(encoding="utf-8")
    title, _, body = seed.strip().partition("\n\n")
    news = [json.loads(line) for line in (shared / "eval" / "news" / "dev.jsonl").open(encoding="utf-8")]
    records = [
        {
            "title": title,
            "text": f"{body}\n\nVia outlet {i}.",
            "published": "2022-05-10",
            "source": f"outlet {i}",
        }
        for i in range(3)
    ]
    records += [{k: n[k] for k in ("title", "text", "url", "published")} for n in news[:6]]
    path = tmp_path_factory.mktemp("distributed") / "reports.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def _contents(db: Path) -> dict[str, list[tuple]]:
    tables = {
        "articles": "SELECT id, title, text, source FROM articles",
        "places": "SELECT article_id, ordinal, start_char, end_char, entry_id, score FROM places",
        "events": "SELECT id, article_id, doc FROM events",
        "clusters": "SELECT event_id, cluster_id, is_canonical, source_key, matched_event_id "
        "FROM event_clusters",
        "summaries": "SELECT * FROM cluster_summaries",
        "runs": "SELECT gazetteer_version, rules_version FROM runs",
    }
    with sqlite3.connect(db) as conn:
        return {name: sorted(conn.execute(sql).fetchall()) for name, sql in tables.items()}


def _worker_opened_the_gazetteer() -> bool:
    from frontwatch import pipeline

    return pipeline._WORKER_GAZETTEER is not None


def test_ingest_on_a_local_dask_cluster_stores_what_a_local_run_stores(
    tmp_path: Path, reports: Path, monkeypatch
):
    from distributed import Client, LocalCluster  # a dependency of frontwatch: no skip if missing

    from frontwatch import pipeline

    local_db, cluster_db = tmp_path / "local.db", tmp_path / "cluster.db"
    with open_store(local_db) as store:
        local = ingest([reports], store=store)
    monkeypatch.setattr(pipeline, "BATCH", 3)  # three partitions of the nine reports
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        open_store(cluster_db) as store,
    ):
        remote = ingest([reports], store=store, scheduler=cluster.scheduler_address)
        with Client(cluster) as client:
            analysed = client.run(_worker_opened_the_gazetteer)
    # each of the two worker processes analysed a part (and opened its own gazetteer for it)
    assert list(analysed.values()) == [True, True]

    assert remote.stored == local.stored == 9 and remote.events == local.events > 0
    assert not remote.skipped
    assert _contents(cluster_db) == _contents(local_db)


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path: Path, reports: Path, monkeypatch):
    from frontwatch import pipeline
    from frontwatch.pipeline import PipelineError

    monkeypatch.setattr(pipeline, "SCHEDULER_TIMEOUT", "1s")
    with open_store(tmp_path / "x.db") as store, pytest.raises(PipelineError, match="Dask scheduler at"):
        ingest([reports], store=store, scheduler="tcp://127.0.0.1:9")
