"""RSS and Atom feeds (from a file or a URL's bytes) with feedparser: each entry becomes an Article."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from typing import Any

from frontwatch.errors import InputError
from frontwatch.ingest.records import build_article, parse_published
from frontwatch.model import Article, ReadError

log = logging.getLogger(__name__)

_BLOCK_TAGS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr"}
_SKIP_TAGS = {"script", "style"}


class _TextOnly(HTMLParser):
    """Text of an HTML fragment with block elements turned into paragraph breaks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def strip_html(fragment: str) -> str:
    """Plain text of an HTML fragment: paragraphs separated by blank lines, spaces collapsed."""
    parser = _TextOnly()
    parser.feed(fragment)
    parser.close()
    joined = "".join(parser.parts)
    paras = (re.sub(r"[ \t\r\n\f\v]+", " ", p).strip() for p in re.split(r"\n\n+", joined))
    return "\n\n".join(p for p in paras if p)


def _entry_text(entry: Any) -> str:
    # Full content beats the summary when the feed carries both.
    for item in entry.get("content") or []:
        value = strip_html(item.get("value") or "")
        if value:
            return value
    return strip_html(entry.get("summary") or entry.get("description") or "")


def _entry_published(entry: Any, *, origin: str) -> date | None:
    for key in ("published_parsed", "updated_parsed"):
        parsed = entry.get(key)
        if parsed:
            return date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday)
    raw = entry.get("published") or entry.get("updated")
    return parse_published(raw, origin=origin) if raw else None


def read(data: bytes | str, *, origin: str, published: date | None) -> Iterator[Article | ReadError]:
    import feedparser  # imported on use: only feeds need it

    parsed = feedparser.parse(data)
    entries = parsed.get("entries") or []
    broken = None
    if parsed.get("bozo"):
        broken = (
            "broken feed ("
            + (str(parsed.get("bozo_exception") or "not a feed").splitlines() or [""])[0]
            + ")"
        )
    results = list(_entries(parsed, entries, origin=origin, published=published))
    if broken and not any(isinstance(r, Article) for r in results):
        # feedparser salvages fragments of a truncated feed; with nothing usable, that is one error.
        yield ReadError(origin, broken)
        return
    if broken:
        log.warning("%s: %s; kept the %d entries that parsed", origin, broken, len(results))
    if not results:
        yield ReadError(origin, "feed has no entries")
    yield from results


def _entries(
    parsed: Any, entries: list[Any], *, origin: str, published: date | None
) -> Iterator[Article | ReadError]:
    source = strip_html(parsed.feed.get("title") or "") or None
    for number, entry in enumerate(entries, start=1):
        where = f"{origin}#{number}"
        try:
            yield build_article(
                title=strip_html(entry.get("title") or ""),
                body=_entry_text(entry),
                origin=where,
                published=_entry_published(entry, origin=where),
                option_published=published,
                source=source,
                url=entry.get("link"),
                tags=tuple(t.get("term") or "" for t in entry.get("tags") or []),
            )
        except InputError as exc:
            yield ReadError(exc.origin, exc.reason)
