"""Print how fast the gazetteer loads and how many ~400-word articles/s match + resolve on one core.

Articles are composed from the Bellingcat/CIR and UCDP report texts in ../shared/eval. Run:
    FRONTWATCH_HOME=.cache/frontwatch-home .venv/bin/python bench/resolve_throughput.py

With --repeat-name NAME it instead times one hostile text per count (a title line, then NAME repeated
2,500 and 20,000 times, or --repeats) and prints the cost per repeat and the ratio to the smallest count:
linear resolution keeps that ratio near 1.

With --corpus news it times real multi-paragraph reports instead (../shared/eval/news/dev.jsonl and the
seed article, annotated once by spaCy before timing): CPU µs per report for matching alone and for the whole
stage (matching + resolution), over --rounds passes; --profile adds a cProfile of the stage (top 25 by
cumulative time).
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import gzip
import pstats
import resource
import time

from frontwatch.gazetteer import Gazetteer
from frontwatch.model import AnnotatedArticle, Article, ReadError, Span
from frontwatch.resolve import Work, resolve
from frontwatch.settings import shared_path

WORDS = 400


def texts() -> list[str]:
    out = []
    with gzip.open(shared_path("eval", "bellingcat-cir", "dev.csv.gz"), "rt", encoding="utf-8") as handle:
        out += [r["title"] + ". " + r["brief description"] for r in csv.DictReader(handle)]
    path = shared_path("eval", "ucdp-ged", "UCDP-Ukraine_peacerep_b858735.csv.gz")
    with gzip.open(path, "rt", encoding="cp1252", errors="replace") as handle:
        out += [r["source_headline"] + ". " + r["where_description"] for r in csv.DictReader(handle)]
    return out


def articles(pieces: list[str], count: int) -> list[AnnotatedArticle]:
    result, i = [], 0
    for n in range(count):
        words: list[str] = []
        while len(words) < WORDS:
            words += pieces[i % len(pieces)].split()
            i += 1
        text = " ".join(words)
        article = Article(id=str(n), title=text[:60], text=text, published=None, published_from="unknown")
        result.append(AnnotatedArticle(article=article, sentences=(Span(0, len(text), text),)))
    return result


def repeated(name: str, repeats: int) -> AnnotatedArticle:
    """A title line and then `name` over and over: the text that made chaining quadratic."""
    text = f"Shelling reported\n{(name + ' ') * repeats}"
    title = "Shelling reported"
    article = Article(id=str(repeats), title=title, text=text, published=None, published_from="unknown")
    return AnnotatedArticle(article=article, sentences=(Span(0, len(text), text),))


def repeat_bench(name: str, counts: list[int]) -> None:
    gaz = Gazetteer.open_default()
    first: float | None = None
    for repeats in counts:
        article = repeated(name, repeats)
        work = Work()
        started = time.perf_counter()
        places = len(resolve(article, gazetteer=gaz, work=work).places)
        per = (time.perf_counter() - started) / repeats
        first = first or per
        print(
            f"{repeats:>7} x {name!r}: {places} places, {per * 1e6:.1f} µs/repeat ({per / first:.2f}x), "
            f"unit checks {work.unit_checks}, entity checks {work.entity_checks}, "
            f"candidate-anchor pairs {work.candidate_anchor_pairs}"
        )


def reports() -> list[AnnotatedArticle]:
    """The news set's reports and the seed article as the pipeline annotates them (NER included)."""
    from frontwatch.ingest import read_paths
    from frontwatch.nlp import annotate_many

    paths = [shared_path("eval", "news", "dev.jsonl"), shared_path("seed", "izyum-counterattack.txt")]
    read = [a for a in read_paths(paths) if not isinstance(a, ReadError)]
    return list(annotate_many(read))


def news_bench(rounds: int, profile: bool) -> None:
    gaz = Gazetteer.open_default()
    batch = reports()
    words = sum(len(a.article.text.split()) for a in batch) / len(batch)
    print(f"{len(batch)} reports, {words:.0f} words/report on average, {rounds} rounds")
    first = time.perf_counter()
    resolve(batch[0], gazetteer=gaz)  # the first call pays for the vocabularies, as once per process
    print(f"first report (vocabularies loaded): {(time.perf_counter() - first) * 1e3:.1f} ms")
    first = time.perf_counter()
    gaz.approximate("Noivomykhailivka", regions=frozenset({"Donetsk Oblast"}))  # once per process
    print(f"first approximate look-up (name tables built): {(time.perf_counter() - first) * 1e3:.1f} ms")
    # CPU time of this process: other work on a shared machine slows the wall clock, not this
    timings: dict[str, list[float]] = {"match": [], "match+resolve": []}
    for _ in range(rounds):
        started = time.process_time()
        for a in batch:
            gaz.match(a.article.text)
        timings["match"].append((time.process_time() - started) / len(batch))
        started = time.process_time()
        for a in batch:
            resolve(a, gazetteer=gaz)
        timings["match+resolve"].append((time.process_time() - started) / len(batch))
    medians = {stage: sorted(per)[len(per) // 2] for stage, per in timings.items()}
    for stage, per in timings.items():
        print(
            f"{stage:>14}: {min(per) * 1e6:6.0f} µs/report CPU best, {medians[stage] * 1e6:6.0f} median "
            f"({1 / medians[stage]:.0f} reports/s)"
        )
    rest = medians["match+resolve"] - medians["match"]
    print(f"{'resolution':>14}: {rest * 1e6:6.0f} µs/report CPU (difference of the medians)")
    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for a in batch:
            resolve(a, gazetteer=gaz)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat-name", help="time a text repeating this place name instead")
    parser.add_argument("--repeats", default="2500,20000", help="comma-separated repeat counts")
    parser.add_argument("--corpus", choices=("composed", "news"), default="composed", help="texts timed")
    parser.add_argument("--rounds", type=int, default=5, help="passes over the news reports")
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of the news stage")
    args = parser.parse_args()
    if args.corpus == "news":
        news_bench(args.rounds, args.profile)
        return
    if args.repeat_name:
        repeat_bench(args.repeat_name, [int(n) for n in args.repeats.split(",")])
        return
    started = time.perf_counter()
    gaz = Gazetteer.open_default()
    loaded = time.perf_counter() - started
    batch = articles(texts(), 2000)
    started = time.perf_counter()
    places = sum(len(resolve(a, gazetteer=gaz).places) for a in batch)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"gazetteer load: {loaded:.2f} s, {len(gaz)} entries")
    print(
        f"match+resolve: {len(batch) / elapsed:.0f} articles/s, {len(batch) * WORDS / elapsed:.0f} words/s, "
        f"{places / len(batch):.1f} places/article"
    )
    print(f"peak memory: {peak:.0f} MB")


if __name__ == "__main__":
    main()
