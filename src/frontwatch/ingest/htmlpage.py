"""HTML pages: main text and metadata (title, date, site, url, tags) extracted with trafilatura."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date
from typing import Any

from frontwatch.errors import InputError
from frontwatch.ingest.records import build_article, parse_published
from frontwatch.model import Article, ReadError

log = logging.getLogger(__name__)
# trafilatura logs every page it finds too short at WARNING; we report that as a ReadError instead.
logging.getLogger("trafilatura").setLevel(logging.ERROR)
MIN_WORDS = 8


def parse(html: str, *, origin: str, published: date | None, url: str | None = None) -> Article:
    """One HTML page → Article; raises InputError when trafilatura finds no article text."""
    import trafilatura  # imported on use: it is slow to import and only HTML needs it

    if not html.strip():
        raise InputError(origin, "empty file")
    doc = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_recall=True,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if doc is None:
        meta: dict[str, Any] = {}
    else:
        meta = doc if isinstance(doc, dict) else doc.as_dict()
    text = (meta.get("text") or "").strip()
    # trafilatura falls back to whatever text a page has (a menu's "Home News"): that is not an article.
    if len(text.split()) < MIN_WORDS:
        raise InputError(origin, "HTML with no article text")
    raw_tags = meta.get("tags") or ()
    tags = [t for tag in ([raw_tags] if isinstance(raw_tags, str) else raw_tags) for t in str(tag).split(",")]
    # trafilatura puts one paragraph per line; our text separates paragraphs by a blank line.
    paras = [line.strip() for line in text.split("\n") if line.strip()]
    title = meta.get("title") or ""
    if not title and len(paras) > 1:
        title, paras = paras[0], paras[1:]  # no <title>/<h1> metadata: the first line heads the text
    return build_article(
        title=title,
        body=paras,
        origin=origin,
        published=parse_published(meta.get("date"), origin=origin),
        option_published=published,
        source=meta.get("sitename") or None,
        url=url or meta.get("url") or None,
        tags=tuple(tags),
    )


def read(
    text: str, *, origin: str, published: date | None, url: str | None = None
) -> Iterator[Article | ReadError]:
    try:
        yield parse(text, origin=origin, published=published, url=url)
    except InputError as exc:
        yield ReadError(exc.origin, exc.reason)
