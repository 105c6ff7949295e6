"""JSON Lines: one article per line with title, text, and optional url, published, source, tags."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

from frontwatch.errors import InputError
from frontwatch.ingest import plaintext
from frontwatch.ingest.records import build_article, parse_published
from frontwatch.model import Article, ReadError


def _tags(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(value.split(","))
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    raise ValueError(f"'tags' must be a list or a comma-separated string, not {type(value).__name__}")


def parse_record(record: object, *, origin: str, published: date | None) -> Article:
    """One decoded JSON object → Article; raises InputError naming what is wrong with it."""
    if not isinstance(record, dict):
        raise InputError(origin, f"expected a JSON object, got {type(record).__name__}")
    text, title = record.get("text"), record.get("title")
    if not isinstance(text, str) or not text.strip():
        raise InputError(origin, "no 'text'")
    if title is not None and not isinstance(title, str):
        raise InputError(origin, "'title' is not a string")
    url = record.get("url")
    if url is not None and not isinstance(url, str):
        raise InputError(origin, "'url' is not a string")
    try:
        tags = _tags(record.get("tags"))
    except ValueError as exc:
        raise InputError(origin, str(exc)) from exc
    if not title:
        # No separate title: the text itself is in the plain-text layout (title line first).
        parsed = plaintext.parse(text, origin=origin, published=None)
        title, body, tags = parsed.title, parsed.text.partition("\n\n")[2], tags or parsed.tags
    else:
        body = text
    source = record.get("source")
    return build_article(
        title=title,
        body=body,
        origin=origin,
        published=parse_published(record.get("published"), origin=origin),
        option_published=published,
        source=source if isinstance(source, str) else None,
        url=url,
        tags=tags,
    )


def read_line(line: str, *, origin: str, published: date | None) -> Iterator[Article | ReadError]:
    """One line of a JSON Lines file (`origin` names file:line): an Article, a ReadError or nothing."""
    if not line.strip():
        return
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        yield ReadError(origin, f"invalid JSON ({exc.msg} at column {exc.colno})")
        return
    except RecursionError:  # a line of 100,000 nested brackets
        yield ReadError(origin, "invalid JSON (nested too deeply)")
        return
    try:
        yield parse_record(record, origin=origin, published=published)
    except InputError as exc:
        yield ReadError(exc.origin, exc.reason)


def read(text: str, *, origin: str, published: date | None) -> Iterator[Article | ReadError]:
    """Each line on its own: a bad line is one ReadError naming file:line, the others go on."""
    for number, line in enumerate(text.split("\n"), start=1):
        yield from read_line(line, origin=f"{origin}:{number}", published=published)
