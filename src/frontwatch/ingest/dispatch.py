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

from frontwatch.errors import InputError
from frontwatch.ingest import csvrows, feed, htmlpage, jsonl, plaintext
from frontwatch.ingest.records import decode
from frontwatch.model import Article, ReadError

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
    raw: bytes, *, origin: str, fmt: str | None, published: date | None, url: str | None = None
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
    yield from _run(chosen, text, origin=origin, published=published, url=url)


def _read_url(url: str, *, fmt: str | None, published: date | None) -> Iterator[Article | ReadError]:
    request = urllib.request.Request(url, headers={"User-Agent": "frontwatch (+feed reader)"})
    try:
        with urllib.request.urlopen(request, timeout=URL_TIMEOUT_S) as response:
            raw = response.read()
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        yield ReadError(url, f"cannot fetch ({getattr(exc, 'reason', exc)})")
        return
    # A URL is a feed unless told otherwise or it plainly serves an HTML page.
    chosen = fmt
    if chosen is None:
        guess = sniff(raw[:2048].decode("utf-8", errors="replace"))
        chosen = "html" if guess == "html" else "feed"
    if chosen == "feed":
        yield from feed.read(raw, origin=url, published=published)
    else:
        yield from _read_bytes(raw, origin=url, fmt=chosen, published=published, url=url)


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


def _read_file(path: Path, *, fmt: str | None, published: date | None) -> Iterator[Article | ReadError]:
    origin = str(path)
    chosen = fmt or EXTENSIONS.get(path.suffix.lower())
    if chosen is None and path.suffix:
        known = " ".join(sorted(EXTENSIONS))
        yield ReadError(origin, f"unknown extension {path.suffix!r} (known: {known}; or give a format)")
        return
    try:
        raw = path.read_bytes()
    except OSError as exc:
        yield ReadError(origin, f"cannot read ({exc.strerror or exc})")
        return
    if chosen == "feed":
        if not raw.strip():
            yield ReadError(origin, "empty file")
        else:
            yield from feed.read(raw, origin=origin, published=published)  # feedparser finds the encoding
        return
    yield from _read_bytes(raw, origin=origin, fmt=chosen, published=published)


def read_paths(
    paths: Iterable[str | os.PathLike[str]], *, published: date | None = None, fmt: str | None = None
) -> Iterator[Article | ReadError]:
    """Articles from files, directories (recursively), "-" (stdin) and http(s) URLs, in order.

    Nothing raises for a bad input: it becomes one ReadError naming it and the reason, and the
    batch goes on. `fmt` (one of FORMATS) overrides the choice by extension or content.
    """
    if fmt is not None and fmt not in READERS:
        raise InputError(str(fmt), f"unknown format (known: {', '.join(FORMATS)})")
    for item in paths:
        name = os.fspath(item)
        if name == "-":
            yield from _read_bytes(
                sys.stdin.buffer.read(), origin=STDIN, fmt=fmt or "text", published=published
            )
        elif name.startswith(("http://", "https://")):
            yield from _read_url(name, fmt=fmt, published=published)
        else:
            path = Path(name)
            if path.is_dir():
                files = _files_under(path)
                if not files:
                    yield ReadError(name, "directory holds no file of a known extension")
                for file in files:
                    yield from _read_file(file, fmt=fmt, published=published)
            elif path.exists():
                yield from _read_file(path, fmt=fmt, published=published)
            else:
                yield ReadError(name, "no such file or directory")


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
