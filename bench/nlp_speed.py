"""Words per second of frontwatch.nlp.annotate on the eval texts, and the share of words given NER.

Corpora: the seed and the Ukrinform sample (attribution-heavy news prose), Bellingcat/CIR titles and
descriptions (short captions), UCDP source headlines. One process, so one core.

    .venv/bin/python bench/nlp_speed.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import time
from datetime import date

from frontwatch.ingest import read_paths
from frontwatch.ingest.records import build_article
from frontwatch.model import Article
from frontwatch.nlp import annotate_many, load_nlp, ner_chunks
from frontwatch.settings import shared_path


def news(repeat: int) -> list[Article]:
    paths = [
        shared_path("seed", "izyum-counterattack.txt"),
        shared_path("eval", "ukrinform-sample", "ukrinform.csv"),
    ]
    found = [a for a in read_paths(paths, published=date(2022, 5, 10)) if isinstance(a, Article)]
    # Distinct texts so that nothing is cached by identity: a suffix paragraph per copy.
    return [
        build_article(
            title=a.title,
            body=[*a.text.split("\n\n")[1:], f"Copy {i}."],
            origin=a.origin or "",
            published=a.published,
            option_published=None,
        )
        for i in range(repeat)
        for a in found
    ]


def bellingcat() -> list[Article]:
    with gzip.open(shared_path("eval", "bellingcat-cir", "dev.csv.gz"), "rt", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [
        build_article(
            title=r["title"],
            body=r["brief description"] or r["title"],
            origin=r["entry"],
            published=None,
            option_published=date(2022, 4, 1),
        )
        for r in rows
        if r["title"].strip()
    ]


def composed(articles: list[Article], *, words: int = 400) -> list[Article]:
    """~400-word articles built from short texts (the shape the throughput benchmark uses)."""
    out: list[Article] = []
    paras: list[str] = []
    count = 0
    for a in articles:
        paras.append(a.text.replace("\n\n", " "))
        count += len(paras[-1].split())
        if count >= words:
            out.append(
                build_article(
                    title=paras[0],
                    body=paras[1:],
                    origin="composed",
                    published=None,
                    option_published=date(2022, 4, 1),
                )
            )
            paras, count = [], 0
    return out


def ucdp() -> list[Article]:
    path = next(shared_path("eval", "ucdp-ged").glob("*.csv.gz"))
    with gzip.open(path, "rt", encoding="cp1252", errors="replace") as f:  # UCDP ships Windows-1252
        rows = [r for r in csv.DictReader(f) if r["source_headline"].strip()]
    out = []
    for r in rows:
        heads = list(dict.fromkeys(h.strip() for h in r["source_headline"].split(";") if h.strip()))
        if len(heads) >= 2:
            out.append(
                build_article(
                    title=heads[0],
                    body=heads[1:],
                    origin=r["id"],
                    published=None,
                    option_published=date(2022, 4, 1),
                )
            )
    return out


def measure(name: str, articles: list[Article]) -> None:
    words = sum(len(a.text.split()) for a in articles)
    start = time.perf_counter()
    done = list(annotate_many(articles))
    seconds = time.perf_counter() - start
    ner_words = 0

    for ann in done:
        bounds = [(s.start_char, s.end_char) for s in ann.sentences]
        for s, e in ner_chunks(ann.article.text, bounds):
            ner_words += len(ann.article.text[s:e].split())
    print(
        f"{name:12} {len(articles):6} articles {words:8} words {seconds:7.2f} s "
        f"{words / seconds:9.0f} words/s {len(articles) / seconds:8.1f} articles/s "
        f"NER on {100 * ner_words / words:4.1f}% of words"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="copies of the news texts (default 20)")
    args = parser.parse_args()
    start = time.perf_counter()
    load_nlp()
    print(f"model load   {time.perf_counter() - start:.2f} s")
    cir = bellingcat()
    corpora = {"news": news(args.repeat), "bellingcat": cir, "ucdp": ucdp(), "cir-400w": composed(cir)}
    for name, articles in corpora.items():
        measure(name, articles)


if __name__ == "__main__":
    main()
