"""Print how fast the gazetteer loads and how many ~400-word articles/s match + resolve on one core.

Articles are composed from the Bellingcat/CIR and UCDP report texts in ../shared/eval. Run:
    FRONTWATCH_HOME=.cache/frontwatch-home .venv/bin/python bench/resolve_throughput.py
"""

from __future__ import annotations

import csv
import gzip
import resource
import time

from frontwatch.gazetteer import Gazetteer
from frontwatch.model import AnnotatedArticle, Article, Span
from frontwatch.resolve import resolve
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


def main() -> None:
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
