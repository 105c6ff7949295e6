"""CSV exports with a header (e.g. title,url,time,content): columns are mapped by name."""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator, Sequence
from datetime import date

from frontwatch.errors import InputError
from frontwatch.ingest.records import build_article, parse_published
from frontwatch.model import Article, ReadError

# Header names each field may go by, first match wins; compared case-insensitively.
COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline"),
    "text": ("content", "text", "body", "article"),
    "url": ("url", "link"),
    "published": ("published", "time", "date", "datetime", "pubdate"),
    "source": ("source", "outlet", "publisher"),
    "tags": ("tags", "keywords"),
}

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # article bodies exceed the 128 KiB default


def _columns(header: Sequence[str]) -> dict[str, str]:
    lower = {name.strip().lower(): name for name in header}
    found = {}
    for field, names in COLUMNS.items():
        for name in names:
            if name in lower:
                found[field] = lower[name]
                break
    return found


def read(text: str, *, origin: str, published: date | None) -> Iterator[Article | ReadError]:
    reader = csv.DictReader(io.StringIO(text))
    columns = _columns(reader.fieldnames or [])
    if "text" not in columns:
        known = ", ".join(COLUMNS["text"])
        yield ReadError(
            origin, f"CSV has no text column (header {reader.fieldnames}; expected one of {known})"
        )
        return
    for row in reader:
        where = f"{origin}:{reader.line_num}"

        def get(field: str, row: dict[str, str | None] = row) -> str | None:
            return row.get(columns[field]) if field in columns else None

        try:
            yield build_article(
                title=get("title") or "",
                body=get("text") or "",
                origin=where,
                published=parse_published(get("published"), origin=where),
                option_published=published,
                source=get("source"),
                url=get("url"),
                tags=tuple((get("tags") or "").split(",")),
            )
        except InputError as exc:
            yield ReadError(exc.origin, exc.reason)
