"""Plain-text reports: a title line, a blank line, body paragraphs, and maybe a last line of tags."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from frontwatch.errors import InputError
from frontwatch.ingest.records import build_article, paragraphs
from frontwatch.model import Article, ReadError

_LEADING_BLANK = ("\u00a0", "\u2007", "\u202f", " ", "\t")
_SENTENCE_END = re.compile(r"[.!?:;\"”»)]$")
MAX_TAG_WORDS = 6
MAX_TAGS_LINE = 250


def split_tags(last: str) -> tuple[str, ...] | None:
    """The tags of a last paragraph that is a tags line, else None.

    A leading no-break space (how the site the example comes from renders its tag list) is a strong
    signal; without it the line must still look like a list: commas, short items, no sentence end.
    """
    if "\n" in last.strip() or len(last) > MAX_TAGS_LINE:
        return None
    marked = last.startswith(_LEADING_BLANK)
    items = [item.strip(" \u00a0\u2007\u202f\t") for item in last.split(",")]
    if not all(items):
        return None
    if any(len(item.split()) > MAX_TAG_WORDS for item in items):
        return None
    if not marked and (len(items) < 2 or _SENTENCE_END.search(last.strip())):
        return None
    return tuple(items)


def parse(text: str, *, origin: str, published: date | None) -> Article:
    """One plain-text report → Article (a one-line report is its own title and text); InputError if empty."""
    if not text.strip():
        raise InputError(origin, "empty file")
    head, _, rest = text.lstrip("\n").partition("\n")
    paras = paragraphs(rest)
    tags: tuple[str, ...] = ()
    if paras:
        # Only the raw last line can carry the leading NBSP: paragraphs() has stripped it.
        raw_last = rest.rstrip("\n").rsplit("\n", 1)[-1]
        if raw_last.strip() == paras[-1]:
            found = split_tags(raw_last)
            if found is not None:
                tags, paras = found, paras[:-1]
        elif raw_last.startswith(_LEADING_BLANK) and raw_last.strip():
            # Glued to the last paragraph, the tags line needs its leading no-break space to count.
            found = split_tags(raw_last)
            if found is not None:
                tags = found
                paras[-1] = paras[-1][: paras[-1].rindex(raw_last.strip())].rstrip()
    return build_article(
        title=head, body=paras, origin=origin, published=None, option_published=published, tags=tags
    )


def read(text: str, *, origin: str, published: date | None) -> Iterator[Article | ReadError]:
    try:
        yield parse(text, origin=origin, published=published)
    except InputError as exc:
        yield ReadError(exc.origin, exc.reason)
