"""Hypothesis strategies and properties for fuzzing the readers and the analysis (tests/test_fuzz.py
runs a short profile in CI; bench/fuzz.py runs 10,000 examples and prints the count of failures).

The properties: reading any bytes as text, JSON Lines, CSV, HTML or a feed yields Articles and
ReadErrors and never raises; every Article keeps only an http(s) URL; `analyse` on any text either
refuses it with the library's InputError or returns events and places whose stored offsets slice the
article text to their evidence and surface.
"""

from __future__ import annotations

import functools
import html
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from hypothesis import strategies as st

from frontwatch.errors import InputError
from frontwatch.ingest import read_paths
from frontwatch.model import Article, ReadError

if TYPE_CHECKING:
    from frontwatch.store import Store

# Words that make the analysis do work: places (and confusers), actors, verbs, dates, numbers.
WORDS = (
    "Kharkiv",
    "Izyum",
    "Izium",
    "Lyman",
    "Kupiansk",
    "Bakhmut",
    "Spivakivka",
    "Donetsk",
    "oblast",
    "Russian",
    "Ukrainian",
    "forces",
    "troops",
    "shelled",
    "captured",
    "liberated",
    "retook",
    "struck",
    "drone",
    "missile",
    "Shahed",
    "artillery",
    "killed",
    "wounded",
    "civilians",
    "said",
    "according",
    "to",
    "the",
    "General",
    "Staff",
    "on",
    "near",
    "in",
    "village",
    "of",
    "May",
    "9",
    "2022",
    "three",
    "12",
    "km",
    "denied",
    "claimed",
    "reportedly",
    "Governor",
    "Oleh",
    "Syniehubov",
    "ISW",
    "\u00a0",
)
SEPARATORS = (" ", " ", " ", ", ", ". ", ".\n\n", "\n", "\t", " -- ", "\u2014", "\u00a0", ": ", '"')
URLS = (
    "https://example.org/a/1",
    "http://news.example.com/x?y=1#z",
    "javascript:alert(document.domain)",
    "JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox",
    "file:///etc/passwd",
    "//example.org/relative",
    "ftp://example.org/f",
    " https://padded.example.org ",
    "",
    "http://",
    "https:x",
)

tokens = st.one_of(st.sampled_from(WORDS), st.text(max_size=6), st.sampled_from(SEPARATORS))
report_text = st.lists(tokens, max_size=60).map("".join)
url = st.one_of(st.sampled_from(URLS), st.text(max_size=20))
json_scalar = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=12)
)
json_value = st.recursive(
    json_scalar,
    lambda kids: st.one_of(
        st.lists(kids, max_size=3), st.dictionaries(st.text(max_size=5), kids, max_size=3)
    ),
    max_leaves=8,
)
record = st.fixed_dictionaries(
    {},
    optional={
        "title": st.one_of(report_text, json_value),
        "text": st.one_of(report_text, json_value),
        "url": st.one_of(url, json_value),
        "published": st.one_of(st.dates().map(str), st.text(max_size=12), json_value),
        "source": st.one_of(st.text(max_size=12), json_value),
        "tags": st.one_of(st.lists(st.text(max_size=8), max_size=3), json_value),
    },
)
jsonl_line = st.one_of(record.map(json.dumps), st.text(max_size=40), json_value.map(json.dumps))
jsonl_file = st.lists(jsonl_line, max_size=5).map("\n".join)


def _csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


csv_file = st.builds(
    lambda header, rows: "\n".join([header, *(",".join(_csv_cell(c) for c in row) for row in rows)]),
    st.sampled_from(("title,url,time,content", "headline,link,date,body", "a,b,c,d", "title,content")),
    st.lists(st.lists(st.one_of(report_text, url), min_size=0, max_size=5), max_size=4),
)
markup = st.sampled_from(
    ("<p>", "</p>", "<br>", "<div>", "</div>", "<script>", "</script>", "<b>", "&amp;", "&#0;", "<")
)
html_fragment = st.lists(st.one_of(tokens, markup), max_size=60).map("".join)
html_page = st.builds(
    lambda title, body, link: (
        f"<!doctype html><html><head><title>{title}</title>"
        f'<link rel="canonical" href="{html.escape(link)}"></head>'
        f"<body><article>{body}</article></body></html>"
    ),
    report_text,
    html_fragment,
    url,
)
feed_item = st.builds(
    lambda title, link, body: (
        f"<item><title>{html.escape(title)}</title><link>{html.escape(link)}</link>"
        f"<description>{html.escape(body)}</description>"
        "<pubDate>Mon, 09 May 2022 10:00:00 GMT</pubDate></item>"
    ),
    report_text,
    url,
    html_fragment,
)
feed_doc = st.builds(
    lambda items, cut: (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
        + "".join(items)
        + "</channel></rss>"
    )[: cut or None],
    st.lists(feed_item, max_size=4),
    st.integers(min_value=0, max_value=400),
)
raw_bytes = st.binary(max_size=300)

# suffix → the content strategy: every reader, plus bytes that are no format at all.
READER_CASES: dict[str, st.SearchStrategy[str] | st.SearchStrategy[bytes]] = {
    ".txt": report_text,
    ".jsonl": jsonl_file,
    ".csv": csv_file,
    ".html": html_page,
    ".xml": feed_doc,
    ".bin.txt": raw_bytes,
}


def check_read(content: str | bytes, suffix: str) -> None:
    """Property: reading never raises; Articles have text, a title and only an http(s) URL."""
    raw = content.encode("utf-8", errors="surrogatepass") if isinstance(content, str) else content
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"case{suffix}"
        path.write_bytes(raw)
        results = list(read_paths([path]))
    for item in results:
        assert isinstance(item, Article | ReadError), item
        if isinstance(item, Article):
            assert item.text.strip() and item.title.strip(), item
            assert item.url is None or item.url.lower().startswith(("http://", "https://")), item.url


@functools.cache
def _gazetteer():  # type: ignore[no-untyped-def]
    from frontwatch.gazetteer import Gazetteer

    return Gazetteer.open_default()


def check_analyse(text: str, store: Store | None = None) -> None:
    """Property: analyse refuses only with InputError; every offset slices the text to what it names.

    With a store, the article is saved and the offsets checked on what the store gives back.
    """
    from frontwatch.ingest import read_text
    from frontwatch.pipeline import analyse

    try:
        article = read_text(text, origin="fuzz")
    except InputError:
        return
    extracted = analyse(article, gazetteer=_gazetteer())
    places = list(extracted.resolved.places)
    events = list(extracted.events)
    if store is not None:
        from frontwatch.store import query

        store.save(extracted)
        places = [p.place for p in store.places(article_id=article.id)]
        events = list(query.iter_events(store, query.EventFilter(article_id=article.id)))
    body = article.text
    for place in places:
        m = place.mention
        assert body[m.start_char : m.end_char] == m.surface, (m, body)
    for event in events:
        ev = event.evidence
        assert body[ev.start_char : ev.end_char] == ev.text, (event.id, ev, body)
        for span in event.mentions:
            assert body[span.start_char : span.end_char] == span.text, (event.id, span)
        for place in (event.place, *event.related_places):
            if place is not None:
                m = place.mention
                assert body[m.start_char : m.end_char] == m.surface, (event.id, m)


PROPERTIES: dict[str, tuple[st.SearchStrategy[object], Callable[..., None]]] = {
    **{
        f"read {suffix}": (strategy, functools.partial(check_read, suffix=suffix))
        for suffix, strategy in READER_CASES.items()
    },
    "analyse": (report_text, check_analyse),
}
