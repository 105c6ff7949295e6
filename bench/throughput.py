"""End-to-end ingest throughput: articles/s, words/s and peak memory, into a fresh SQLite store.

The corpus is composed from real report texts in ../shared/eval (Bellingcat/CIR titles and
descriptions, UCDP source headlines and place descriptions) and the seed report's paragraphs,
shuffled with a fixed seed into articles of about 400 words, written as one JSON Lines file. The
timed part is exactly what `frontwatch ingest corpus.jsonl --workers N` does: read, analyse, store.

    .venv/bin/python bench/throughput.py [--articles 2000] [--words 400] [--workers 2] [--profile]

Peak memory is sampled every 0.2 s as the summed RSS of this process and all its descendants (the
Dask worker processes), and also reported from getrusage (largest single process).
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import gzip
import json
import os
import pstats
import random
import re
import resource
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

from frontwatch.pipeline import ingest
from frontwatch.settings import shared_path
from frontwatch.store import open_store

SEED = 20220510


def _sentences() -> list[str]:
    """Every usable piece of real report text, one sentence-like string each."""
    pieces: list[str] = []
    with gzip.open(shared_path("eval", "bellingcat-cir", "dev.csv.gz"), "rt", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            title = re.sub(r"^\d\d/\d\d/\d{4}\s*", "", row.get("title") or "")  # drop the date prefix
            for text in {row.get("brief description") or "", title}:
                if len(text.split()) >= 4:
                    pieces.append(text.strip().rstrip(".") + ".")
    ucdp = next(shared_path("eval", "ucdp-ged").glob("*.csv.gz"))
    with gzip.open(ucdp, "rt", encoding="cp1252", errors="replace") as fh:  # the export is Windows-1252
        for row in csv.DictReader(fh):
            for headline in (row.get("source_headline") or "").split(";"):
                if len(headline.split()) >= 4:
                    pieces.append(headline.strip().rstrip(".") + ".")
            where = row.get("where_description") or ""
            if where:
                pieces.append(where.strip().rstrip(".") + ".")  # as UCDP wrote it, no wrapper phrase
    seed = shared_path("seed", "izyum-counterattack.txt").read_text(encoding="utf-8")
    pieces.extend(p.strip() for p in seed.split("\n\n")[1:-1] if p.strip())
    return pieces


def compose(n_articles: int, words: int, out: Path) -> int:
    """Write `n_articles` JSON Lines articles of about `words` words each; returns the words written."""
    rng = random.Random(SEED)
    pool = _sentences()
    total_words = 0
    with out.open("w", encoding="utf-8") as fh:
        for i in range(n_articles):
            paragraphs: list[str] = []
            current: list[str] = []
            count = 0
            while count < words:
                piece = rng.choice(pool)
                current.append(piece)
                count += len(piece.split())
                if len(current) == 4:
                    paragraphs.append(" ".join(current))
                    current = []
            if current:
                paragraphs.append(" ".join(current))
            title = f"Front report {i + 1}: " + " ".join(paragraphs[0].split()[:10])
            total_words += count + len(title.split())
            record = {
                "title": title,
                "text": "\n\n".join(paragraphs),
                "url": f"https://bench.example/report/{i + 1}",
                "published": (date(2022, 2, 24) + timedelta(days=rng.randrange(400))).isoformat(),
                "source": "bench",
                "tags": ["War in Ukraine"],
            }
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    return total_words


def _tree_rss_bytes(root: int) -> int:
    """Summed resident memory of `root` and every descendant process (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, ()))
        try:
            with open(f"/proc/{pid}/statm", encoding="ascii") as fh:
                total += int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    return total


def _cpu_seconds() -> tuple[float, float]:
    """User + system CPU of this process, and of its reaped children (the Dask workers, once they exit)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime


class PeakSampler(threading.Thread):
    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.wait(0.2):
            self.peak = max(self.peak, _tree_rss_bytes(os.getpid()))

    def stop(self) -> int:
        self._halt.set()
        self.join()
        return self.peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--words", type=int, default=400)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--no-merge", action="store_true", help="skip merging the new events into clusters (issue 5's step)"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the run (use with --workers 1)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="frontwatch-bench-") as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        words = compose(args.articles, args.words, corpus)
        per = words / args.articles
        print(f"corpus: {args.articles} articles, {words} words ({per:.0f}/article), {corpus}")
        store = open_store(Path(tmp) / "bench.db")
        first_done: list[float] = []

        def progress(done: int, total: int) -> None:
            if done > 0 and not first_done:
                first_done.append(time.perf_counter())

        cpu_before = _cpu_seconds()
        load_before = os.getloadavg()[0]
        sampler = PeakSampler()
        sampler.start()
        profiler = cProfile.Profile() if args.profile else None
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        summary = ingest(
            [corpus], store=store, workers=args.workers, progress=progress, merge=not args.no_merge
        )
        if profiler:
            profiler.disable()
        elapsed = time.perf_counter() - started
        peak_tree = sampler.stop()
        cpu_after = _cpu_seconds()
        cpu_main, cpu_workers = (cpu_after[0] - cpu_before[0]), (cpu_after[1] - cpu_before[1])
        cpu = cpu_main + cpu_workers
        load_after = os.getloadavg()[0]
        counts = store.counts()
        store.close()

    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    startup = (first_done[0] - started) if first_done else float("nan")
    print(
        f"stored {summary.stored} articles, {counts['places']} places, {counts['events']} events; "
        f"skipped {len(summary.skipped)}"
    )
    print(f"workers: {args.workers}   wall time: {elapsed:.1f} s (first batch stored after {startup:.1f} s)")
    rate = summary.stored / elapsed
    print(f"throughput: {rate:.1f} articles/s, {words / elapsed:,.0f} words/s (end to end)")
    if first_done and summary.stored > 1:
        steady = elapsed - startup
        print(f"after start-up: {(summary.stored - 1) / steady:.1f} articles/s")
    cores = os.cpu_count() or 1
    print(
        f"CPU time: {cpu:.1f} s over the process tree (main {cpu_main:.1f} s, workers {cpu_workers:.1f} s) = "
        f"{1000 * cpu / max(summary.stored, 1):.1f} ms/article;"
        " "
        f"load average {load_before:.1f} before, {load_after:.1f} after on {cores} cores"
    )
    if summary.stored:
        # What the machine would do without other load: the work spread over min(workers, cores) cores.
        busy = min(args.workers, cores)
        print(f"CPU-bound estimate on {busy} idle cores: {summary.stored * busy / cpu:.1f} articles/s")
    print(
        f"peak memory: {peak_tree / 2**20:,.0f} MiB summed over the process tree (sampled); "
        f"getrusage max RSS: this process {own / 2**20:,.0f} MiB, largest child {child / 2**20:,.0f} MiB"
    )
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)


if __name__ == "__main__":
    main()
