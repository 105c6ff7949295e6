"""Real reports as stored records for the API, export and CLI tests.

The seed report and rows of the Bellingcat/CIR dev set (their own title, description, date and
link) go through the real pipeline (frontwatch.pipeline.analyse) into a temporary SQLite store.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterator
from datetime import date
from functools import cache
from pathlib import Path

from frontwatch.ingest.records import build_article
from frontwatch.model import Article, ExtractedArticle

SEED_PUBLISHED = date(2022, 5, 10)
BELLINGCAT_ROWS = 40  # enough for several pages at a small limit, quick to analyse


def seed_article(shared: Path) -> Article:
    from frontwatch.ingest import read_paths

    (article,) = list(read_paths([shared / "seed" / "izyum-counterattack.txt"], published=SEED_PUBLISHED))
    assert isinstance(article, Article), article
    return article


def bellingcat_articles(shared: Path, n: int = BELLINGCAT_ROWS) -> Iterator[Article]:
    """Rows in Ukraine whose description names a town, as articles (title + description)."""
    path = shared / "eval" / "bellingcat-cir" / "dev.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["country"] == "Ukraine" and r["town/city"]]
    named = [r for r in rows if r["town/city"].lower() in (r["title"] + r["brief description"]).lower()]
    seen: set[str] = set()
    for row in named:
        title = row["title"].partition(" ")[2] or row["title"]
        body = row["brief description"]
        if body.strip() == title.strip():
            body = f"{body} in {row['town/city']}, {row['province']}."
        if title in seen:
            continue
        seen.add(title)
        yield build_article(
            title=title,
            body=body,
            origin=f"bellingcat-cir:{row['entry']}",
            published=date.fromisoformat(row["date"]),
            option_published=None,
            source="Bellingcat/CIR",
            url=row["link"] or None,
        )
        if len(seen) >= n:
            return


@cache  # analysed once per test session, whichever test module asks first
def analysed(shared: Path) -> list[ExtractedArticle]:
    """The seed and the Bellingcat rows through the real pipeline."""
    from frontwatch.gazetteer import Gazetteer
    from frontwatch.pipeline import analyse

    gazetteer = Gazetteer.open_default()
    articles = [seed_article(shared), *bellingcat_articles(shared)]
    return [analyse(a, gazetteer=gazetteer) for a in articles]


def fill_store(db_url: str, extracted: list[ExtractedArticle]) -> None:
    from frontwatch.store import open_store

    with open_store(db_url) as store:
        for item in extracted:
            store.save(item)
