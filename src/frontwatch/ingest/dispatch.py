"""Choose a reader for each input (file, directory, "-" for stdin, http(s) URL) and run it."""

from __future__ import annotations

import logging
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import BinaryIO

from frontwatch.errors import InputError
from frontwatch.ingest import csvrows, feed, htmlpage, jsonl, plaintext
from frontwatch.ingest.records import decode
from frontwatch.model import Article, ReadError
from frontwatch.settings import MAX_ARTICLE_BYTES

log = logging.getLogger(__name__)

Reader = Callable[..., Iterator[Article | ReadError]]

READERS: dict[str, Reader] = {
    "text": plaintext.read,
    "jsonl": jsonl.read,
    "csv": csvrows.read,
    "html": htmlpage.read,
    "feed": feed.read,
}
FORMATS = tuple(READERS)
EXTENSIONS: dict[str, str] = {
    ".txt": "text",
    ".text": "text",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".xml": "feed",
    ".rss": "feed",
    ".atom": "feed",
}
STDIN = "<stdin>"
URL_TIMEOUT_S = 30
# CSV files and feeds are parsed whole (feedparser and csv need the document); they may hold many
# articles, so their cap is this many times the per-article limit. JSON Lines stream line by line.
WHOLE_FILE_FACTOR = 16
_SKIP_CHUNK = 1 << 20


def too_large(origin: str, size: int, limit: int, *, what: str = "article") -> ReadError:
    """The one message for an input over its size limit: its name, its size and the limit."""
    return ReadError(
        origin, f"{what} too large: {size:,} bytes, over the limit of {limit:,} bytes (--max-article-bytes)"
    )


def _within(results: Iterable[Article | ReadError], *, limit: int) -> Iterator[Article | ReadError]:
    """Articles whose text is over the limit become a ReadError naming them (CSV rows, feed entries)."""
    for item in results:
        if isinstance(item, Article):
            size = len(item.text.encode("utf-8"))
            if size > limit:
                yield too_large(item.origin or item.id, size, limit)
                continue
        yield item


def _whole_limit(fmt: str | None, limit: int) -> int:
    return limit * WHOLE_FILE_FACTOR if fmt in ("csv", "feed") else limit


def _read_capped(stream: BinaryIO, limit: int) -> bytes | int:
    """At most `limit` bytes, or, past it, the size found (the rest read in chunks and dropped)."""
    raw = stream.read(limit + 1)
    if len(raw) <= limit:
        return raw
    size = len(raw)
    del raw
    while chunk := stream.read(_SKIP_CHUNK):
        size += len(chunk)
    return size


def _stream_jsonl(
    stream: BinaryIO, *, origin: str, published: date | None, limit: int
) -> Iterator[Article | ReadError]:
    """JSON Lines read one line at a time: a big file of normal articles never sits in memory whole."""
    number = 0
    blank = True
    while line := stream.readline(limit + 2):
        number += 1
        where = f"{origin}:{number}"
        blank = blank and not line.strip(b" \t\r\n\xef\xbb\xbf")
        if (size := len(line.rstrip(b"\r\n"))) > limit:
            while not line.endswith(b"\n") and (line := stream.readline(_SKIP_CHUNK)):
                size += len(line.rstrip(b"\r\n"))
            yield too_large(where, size, limit)
            continue
        try:
            text = decode(line.removeprefix(b"\xef\xbb\xbf") if number == 1 else line, origin=where)
        except InputError as exc:
            yield ReadError(exc.origin, exc.reason)
            continue
        yield from _within(jsonl.read_line(text, origin=where, published=published), limit=limit)
    if blank:
        yield ReadError(origin, "empty file")


def sniff(text: str) -> str | None:
    """A format guessed from the content's first characters, for names without a known extension."""
    head = text.lstrip()[:1024].lower()
    if head.startswith("{"):
        return "jsonl"
    if "<rss" in head or "<feed" in head or "<rdf:rdf" in head:
        return "feed"
    if head.startswith(("<!doctype html", "<html")) or "<html" in head:
        return "html"
    return None


def _run(
    fmt: str, text: str, *, origin: str, published: date | None, url: str | None = None
) -> Iterator[Article | ReadError]:
    if fmt not in READERS:
        return iter([ReadError(origin, f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")])
    if fmt == "html":
        return htmlpage.read(text, origin=origin, published=published, url=url)
    return READERS[fmt](text, origin=origin, published=published)


def _read_bytes(
    raw: bytes,
    *,
    origin: str,
    fmt: str | None,
    published: date | None,
    limit: int,
    url: str | None = None,
) -> Iterator[Article | ReadError]:
    if not raw.strip():
        yield ReadError(origin, "empty file")
        return
    try:
        text = decode(raw, origin=origin)
    except InputError as exc:
        yield ReadError(exc.origin, exc.reason)
        return
    # No extension and nothing markup-like or JSON-like at the start: the plain-text layout.
    chosen = fmt or sniff(text) or "text"
    yield from _within(_run(chosen, text, origin=origin, published=published, url=url), limit=limit)


def _read_url(
    url: str, *, fmt: str | None, published: date | None, limit: int
) -> Iterator[Article | ReadError]:
    request = urllib.request.Request(url, headers={"User-Agent": "frontwatch (+feed reader)"})
    cap = _whole_limit(fmt or "feed", limit)
    try:
        with urllib.request.urlopen(request, timeout=URL_TIMEOUT_S) as response:
            got = _read_capped(response, cap)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        yield ReadError(url, f"cannot fetch ({getattr(exc, 'reason', exc)})")
        return
    if isinstance(got, int):
        yield too_large(url, got, cap, what="download")
        return
    raw = got
    # A URL is a feed unless told otherwise or it plainly serves an HTML page.
    chosen = fmt
    if chosen is None:
        guess = sniff(raw[:2048].decode("utf-8", errors="replace"))
        chosen = "html" if guess == "html" else "feed"
    if chosen == "feed":
        yield from _within(feed.read(raw, origin=url, published=published), limit=limit)
    else:
        yield from _read_bytes(raw, origin=url, fmt=chosen, published=published, limit=limit, url=url)


def _files_under(directory: Path) -> list[Path]:
    """Files with a known extension, recursively, hidden ones skipped, in a fixed order."""
    found = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            path = Path(root, name)
            if not name.startswith(".") and path.suffix.lower() in EXTENSIONS:
                found.append(path)
            else:
                log.debug("skipping %s: not a known extension", path)
    return sorted(found)


def _read_file(
    path: Path, *, fmt: str | None, published: date | None, limit: int
) -> Iterator[Article | ReadError]:
    origin = str(path)
    chosen = fmt or EXTENSIONS.get(path.suffix.lower())
    if chosen is None and path.suffix:
        known = " ".join(sorted(EXTENSIONS))
        yield ReadError(origin, f"unknown extension {path.suffix!r} (known: {known}; or give a format)")
        return
    try:
        with path.open("rb") as stream:
            if chosen is None:  # no extension: the first bytes say which format
                head = stream.read(2048)
                stream.seek(0)
                chosen = sniff(head.decode("utf-8", errors="replace")) or "text"
            if chosen == "jsonl" and not _head_is_utf16(stream):
                yield from _stream_jsonl(stream, origin=origin, published=published, limit=limit)
                return
            # Refused from its size alone, before a byte of it is read.
            cap = _whole_limit(chosen, limit)
            size = os.fstat(stream.fileno()).st_size
            if size > cap:
                yield too_large(origin, size, cap, what="file" if cap != limit else "article")
                return
            got = _read_capped(stream, cap)  # a file that grew since, or a pipe
    except OSError as exc:
        yield ReadError(origin, f"cannot read ({exc.strerror or exc})")
        return
    if isinstance(got, int):
        yield too_large(origin, got, cap)
        return
    if chosen == "feed":
        if not got.strip():
            yield ReadError(origin, "empty file")
        else:  # feedparser finds the encoding
            yield from _within(feed.read(got, origin=origin, published=published), limit=limit)
        return
    yield from _read_bytes(got, origin=origin, fmt=chosen, published=published, limit=limit)


def _head_is_utf16(stream: BinaryIO) -> bool:
    """A UTF-16 byte-order mark: such a file is decoded whole, not line by line."""
    head = stream.read(2)
    stream.seek(0)
    return head in (b"\xff\xfe", b"\xfe\xff")


def read_paths(
    paths: Iterable[str | os.PathLike[str]],
    *,
    published: date | None = None,
    fmt: str | None = None,
    max_article_bytes: int = MAX_ARTICLE_BYTES,
) -> Iterator[Article | ReadError]:
    """Articles from files, directories (recursively), "-" (stdin) and http(s) URLs, in order.

    Nothing raises for a bad input: it becomes one ReadError naming it and the reason, and the
    batch goes on. `fmt` (one of FORMATS) overrides the choice by extension or content. An article
    over `max_article_bytes` is skipped with its size; JSON Lines are read line by line.
    """
    if fmt is not None and fmt not in READERS:
        raise InputError(str(fmt), f"unknown format (known: {', '.join(FORMATS)})")
    if max_article_bytes < 1:
        raise InputError(str(max_article_bytes), "the article size limit must be at least 1 byte")
    limit = max_article_bytes
    for item in paths:
        name = os.fspath(item)
        if name == "-":
            yield from _read_stdin(fmt=fmt or "text", published=published, limit=limit)
        elif name.startswith(("http://", "https://")):
            yield from _read_url(name, fmt=fmt, published=published, limit=limit)
        else:
            path = Path(name)
            if path.is_dir():
                files = _files_under(path)
                if not files:
                    yield ReadError(name, "directory holds no file of a known extension")
                for file in files:
                    yield from _read_file(file, fmt=fmt, published=published, limit=limit)
            elif path.exists():
                yield from _read_file(path, fmt=fmt, published=published, limit=limit)
            else:
                yield ReadError(name, "no such file or directory")


def _read_stdin(*, fmt: str, published: date | None, limit: int) -> Iterator[Article | ReadError]:
    stream = sys.stdin.buffer
    if fmt == "jsonl":
        yield from _stream_jsonl(stream, origin=STDIN, published=published, limit=limit)
        return
    cap = _whole_limit(fmt, limit)
    got = _read_capped(stream, cap)
    if isinstance(got, int):
        yield too_large(STDIN, got, cap)
        return
    yield from _read_bytes(got, origin=STDIN, fmt=fmt, published=published, limit=limit)


def read_text(text: str, *, origin: str, published: date | None = None, fmt: str = "text") -> Article:
    """One article from a string already in memory; raises InputError if it is not exactly one."""
    results = list(_run(fmt, text.replace("\r\n", "\n"), origin=origin, published=published))
    errors = [r for r in results if isinstance(r, ReadError)]
    if errors:
        raise InputError(errors[0].origin, errors[0].reason)
    if len(results) != 1:
        raise InputError(origin, f"expected one article, found {len(results)}")
    result = results[0]
    assert isinstance(result, Article)
    return result
