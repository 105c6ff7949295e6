"""Syndication: the cost per report when one story is carried by 1, 100 and 1,000 outlets.

Each copy is the seed report (../shared/seed/izyum-counterattack.txt) with its own outlet, its own
URL and one extra closing line naming that outlet; all copies of a run go into one JSON Lines file
and one ingest into a fresh SQLite store. The marginal cost per report of a step is the extra wall
time divided by the extra copies; a story carried 1,000 times should cost the same per report as
one carried 100 times (ratio near 1).

By default the ingest is `pipeline.ingest` (what `frontwatch ingest` runs) in this process, with
spaCy and the gazetteer loaded beforehand, so that start-up (seconds, and noisy on a shared
machine) is not in the step from 1 to 100; the time is also split into analysis, storing and
merging. `--cli` runs each ingest as a `frontwatch ingest` subprocess instead.

    .venv/bin/python bench/syndication.py [--copies 1 100 1000] [--repeat 1] [--clock wall|cpu]
        [--cli] [--workers 1]
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from frontwatch.settings import shared_path

PUBLISHED = "2022-05-10"  # the seed report's publication day
CLOCK = [time.perf_counter]  # `--clock cpu`: time.process_time (in-process runs, one worker)


def write_copies(n: int, out: Path) -> None:
    """`n` copies of the seed report, one JSON object per line."""
    seed = shared_path("seed", "izyum-counterattack.txt").read_text(encoding="utf-8")
    title, _, body = seed.strip().partition("\n\n")
    with out.open("w", encoding="utf-8") as fh:
        for i in range(1, n + 1):
            outlet = f"Outlet {i:04d}"
            record = {
                "title": title.strip(),
                "text": f"{body.strip()}\n\nThis report was carried by {outlet}.",
                "url": f"https://outlet-{i:04d}.example/news/izyum-counterattack",
                "published": PUBLISHED,
                "source": outlet,
            }
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


def _counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return {
            "articles": conn.execute("SELECT count(*) FROM articles").fetchone()[0],
            "events": conn.execute("SELECT count(*) FROM events").fetchone()[0],
            "clustered": conn.execute("SELECT count(*) FROM event_clusters").fetchone()[0],
            "clusters": conn.execute("SELECT count(DISTINCT cluster_id) FROM event_clusters").fetchone()[0],
        }


def _fresh(n: int, tmp: Path) -> tuple[Path, Path]:
    """The corpus of `n` copies and the path of a store that does not exist yet."""
    corpus = tmp / f"copies-{n}.jsonl"
    write_copies(n, corpus)
    db = tmp / f"copies-{n}.db"
    db.unlink(missing_ok=True)
    return corpus, db


def run_cli(n: int, workers: int, tmp: Path) -> tuple[float, dict[str, float], dict[str, int]]:
    """Wall time of one `frontwatch ingest` of `n` copies into a fresh store, and what it stored."""
    corpus, db = _fresh(n, tmp)
    frontwatch = Path(sys.executable).with_name("frontwatch")  # the console script of this environment
    cmd = [str(frontwatch), "--db", str(db), "ingest", str(corpus), "--workers", str(workers)]
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy(), check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"ingest of {n} copies failed ({done.returncode}):\n{done.stderr}")
    return elapsed, {}, _counts(db)


class _Stages:
    """Seconds spent in analysis, in storing (merging included) and in merging, while installed."""

    def __init__(self) -> None:
        from frontwatch import derive, pipeline
        from frontwatch.store import Store

        self.seconds = {"analysis": 0.0, "store": 0.0, "merge": 0.0}
        self._patches = [
            (pipeline, "_analyse_batch", "analysis"),
            (Store, "save_many", "store"),
            (derive, "cluster_stored", "merge"),
        ]

    def _timed(self, fn: Callable[..., Any], stage: str) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = CLOCK[0]()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[stage] += CLOCK[0]() - started

        return timed

    def __enter__(self) -> _Stages:
        # (a version without one of these stages, e.g. one that merges after the ingest, is timed whole)
        self._patches = [p for p in self._patches if hasattr(p[0], p[1])]
        self._saved = [(owner, name, getattr(owner, name)) for owner, name, _ in self._patches]
        for (owner, name, stage), (_, _, fn) in zip(self._patches, self._saved, strict=True):
            setattr(owner, name, self._timed(fn, stage))
        return self

    def __exit__(self, *exc: object) -> None:
        for owner, name, fn in self._saved:
            setattr(owner, name, fn)


def run_in_process(n: int, workers: int, tmp: Path) -> tuple[float, dict[str, float], dict[str, int]]:
    """`pipeline.ingest` of `n` copies into a fresh store, timed whole and by stage."""
    from frontwatch.pipeline import ingest
    from frontwatch.store import open_store

    corpus, db = _fresh(n, tmp)
    store = open_store(db)
    try:
        with _Stages() as stages:
            started = CLOCK[0]()
            ingest([corpus], store=store, workers=workers)
            elapsed = CLOCK[0]() - started
    finally:
        store.close()
    seconds = dict(stages.seconds)
    seconds["store"] -= seconds["merge"]  # merging runs inside the storing transaction
    return elapsed, seconds, _counts(db)


def _warm_up(tmp: Path) -> None:
    """One ingest into a store of its own: every lazy load and cache of the pipeline is done after it."""
    run_in_process(1, 1, tmp / "warm-up")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 100, 1000])
    parser.add_argument("--repeat", type=int, default=1, help="run each size this many times, keep the best")
    parser.add_argument(
        "--cli", action="store_true", help="run each ingest as a `frontwatch ingest` subprocess"
    )
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--clock",
        choices=["wall", "cpu"],
        default="wall",
        help="cpu: this process's CPU time (in-process, one worker): steadier on a busy machine",
    )
    args = parser.parse_args()
    if args.clock == "cpu":
        if args.cli or args.workers != 1:
            parser.error("--clock cpu measures this process: not with --cli or --workers > 1")
        CLOCK[0] = time.process_time
    print(f"clock: {args.clock} seconds")
    logging.basicConfig(level=logging.WARNING)
    sizes = sorted(set(args.copies))
    run = run_cli if args.cli else run_in_process
    results: dict[int, tuple[float, dict[str, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="frontwatch-syndication-") as tmp:
        if not args.cli:
            (Path(tmp) / "warm-up").mkdir()
            _warm_up(Path(tmp))
        for n in sizes:
            best: tuple[float, dict[str, float]] = (float("inf"), {})
            for _ in range(max(1, args.repeat)):
                elapsed, stages, counts = run(n, args.workers, Path(tmp))
                best = min(best, (elapsed, stages), key=lambda r: r[0])
            results[n] = best
            split = ", ".join(f"{k} {v:.2f} s" for k, v in best[1].items())
            stored = (
                f"{counts['articles']} articles, {counts['events']} events, "
                f"{counts['clustered']} clustered into {counts['clusters']} clusters"
            )
            print(f"{n:>6} copies: {best[0]:7.2f} s{f' ({split})' if split else ''}; {stored}")
    marginal = []
    for lo, hi in itertools.pairwise(sizes):
        per = (results[hi][0] - results[lo][0]) / (hi - lo)
        marginal.append(per)
        stages = results[hi][1]
        split = ", ".join(
            f"{k} {1000 * (v - results[lo][1].get(k, 0.0)) / (hi - lo):.1f}" for k, v in stages.items()
        )
        print(
            f"marginal cost {lo:>5} -> {hi:>5} copies: {1000 * per:7.1f} ms per report"
            + (f" ({split} ms)" if split else "")
        )
    if len(marginal) >= 2 and marginal[0] > 0:
        print(f"ratio last step / first step: {marginal[-1] / marginal[0]:.2f} (target <= 1.3)")


if __name__ == "__main__":
    main()
