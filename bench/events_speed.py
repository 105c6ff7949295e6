"""Time frontwatch.events.extract alone: ms per article on the seed and on our golden articles.

Run: FRONTWATCH_HOME=.cache/frontwatch-home .venv/bin/python bench/events_speed.py [repeats]
Annotation and resolution run once per article (not timed); extraction is repeated.
"""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

from frontwatch.events import extract
from frontwatch.gazetteer import Gazetteer
from frontwatch.ingest import read_paths
from frontwatch.model import Article
from frontwatch.nlp import annotate
from frontwatch.resolve import resolve
from frontwatch.settings import shared_path

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    gazetteer = Gazetteer.open_default()
    paths = [
        shared_path("seed", "izyum-counterattack.txt"),
        *sorted((REPO / "tests" / "articles").glob("*/article.txt")),
    ]
    resolved = []
    for item in read_paths([str(p) for p in paths], published=date(2022, 5, 10)):
        if isinstance(item, Article):
            resolved.append(resolve(annotate(item), gazetteer=gazetteer))
    words = sum(len(r.annotated.article.text.split()) for r in resolved)
    for r in resolved:
        extract(r)  # warm the vocabularies
    total = 0.0
    for r in resolved:
        start = time.perf_counter()
        for _ in range(repeats):
            extract(r)
        elapsed = (time.perf_counter() - start) / repeats * 1000
        total += elapsed
        name = Path(r.annotated.article.origin or r.annotated.article.id).parent.name
        print(f"{name:24} {len(r.annotated.article.text.split()):4d} words  {elapsed:.3f} ms")
    print(f"articles: {len(resolved)}  words: {words}  repeats: {repeats}")
    print(
        f"extract: {total / len(resolved):.3f} ms/article on average;"
        f" {total / words * 400:.3f} ms per 400 words"
    )


if __name__ == "__main__":
    main()
