"""End-to-end ingest throughput: articles/s, words/s and peak memory, into a fresh SQLite store.

The corpus is composed of whole paragraphs of real war reporting read from ../shared at run time
(the news set, the Ukrinform sample, the example report), drawn with a fixed seed into articles of
about 400 words, written as one JSON Lines file. The timed part is exactly what
`frontwatch ingest corpus.jsonl --workers N` does: read, analyse, store, merge. The same run times
a plain spaCy pass over the same texts (the pinned model, all components, `nlp.pipe` with the same
number of processes, start-up included as in the ingest) and prints the ratio of the two rates.

    .venv/bin/python bench/throughput.py [--articles 600] [--words 400] [--workers 2] [--no-merge]
        [--no-spacy] [--profile]

Peak memory is sampled every 0.2 s as the summed RSS of this process and all its descendants (the
Dask worker processes), and also reported from getrusage (largest single process).
"""

from __future__ import annotations

import argparse
import cProfile
import csv
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


def _paragraphs() -> list[str]:
    """Every paragraph of real war reporting in ../shared, read at run time: the news set's reports
    (one paragraph per line), the Ukrinform sample (its content in runs of three sentences) and the
    example report."""
    pieces: list[str] = []
    with shared_path("eval", "news", "dev.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            pieces += [p.strip() for p in record["text"].split("\n") if len(p.split()) >= 5]
    with shared_path("eval", "ukrinform-sample", "ukrinform.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            sentences = re.split(r"(?<=[.!?\"])\s+(?=[A-Z\"])", (row.get("content") or "").strip())
            pieces += [" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3)]
    seed = shared_path("seed", "izyum-counterattack.txt").read_text(encoding="utf-8")
    pieces.extend(p.strip() for p in seed.split("\n\n")[1:] if len(p.split()) >= 5)
    return pieces


def compose(n_articles: int, words: int, out: Path) -> list[str]:
    """Write `n_articles` JSON Lines articles of whole paragraphs, about `words` words each; returns
    each article's title and text as spaCy sees them."""
    rng = random.Random(SEED)
    pool = _paragraphs()
    texts = []
    with out.open("w", encoding="utf-8") as fh:
        for i in range(n_articles):
            paragraphs: list[str] = []
            count = 0
            while count < words:
                piece = rng.choice(pool)
                paragraphs.append(piece)
                count += len(piece.split())
            title = f"Front report {i + 1}: " + " ".join(paragraphs[0].split()[:10])
            record = {
                "title": title,
                "text": "\n\n".join(paragraphs),
                "url": f"https://bench.example/report/{i + 1}",
                "published": (date(2022, 2, 24) + timedelta(days=rng.randrange(400))).isoformat(),
                "source": f"bench outlet {rng.randrange(20)}",
                "tags": ["War in Ukraine"],
            }
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            texts.append(f"{title}\n\n{record['text']}")
    return texts


def spacy_pass(texts: list[str], workers: int) -> float:
    """Seconds for the plain spaCy pass: the pinned model with all its components, loaded and run
    over `texts` with `nlp.pipe` in `workers` processes, keeping nothing."""
    import spacy

    from frontwatch.nlp import MODEL

    started = time.perf_counter()
    nlp = spacy.load(MODEL)
    for _doc in nlp.pipe(texts, n_process=workers, batch_size=32):
        pass
    return time.perf_counter() - started


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
    parser.add_argument("--articles", type=int, default=600)
    parser.add_argument("--words", type=int, default=400)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--no-merge", action="store_true", help="skip merging the new events into clusters (issue 5's step)"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the run (use with --workers 1)")
    parser.add_argument("--no-spacy", action="store_true", help="skip the plain spaCy pass")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="frontwatch-bench-") as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        texts = compose(args.articles, args.words, corpus)
        words = sum(len(t.split()) for t in texts)
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
        # after the ingest, so that the loaded model does not count in the ingest's peak memory
        spacy_seconds = None if args.no_spacy else spacy_pass(texts, args.workers)

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
    if spacy_seconds is not None:
        spacy_rate = args.articles / spacy_seconds
        print(
            f"plain spaCy pass ({args.workers} processes, all components): {spacy_seconds:.1f} s = "
            f"{spacy_rate:.1f} articles/s; FrontWatch/spaCy: {rate / spacy_rate:.2f}x (target >= 3)"
        )
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)


if __name__ == "__main__":
    main()
