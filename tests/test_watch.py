"""`frontwatch watch` against a local HTTP server on 127.0.0.1 whose feed changes between polls.

The feed's items are Bellingcat/CIR dev rows (their own title, description and date) and go through the
real pipeline into a real SQLite store. Beside it: a source that answers 500, one that answers after
the client's timeout, and one that serves garbage. Every wait is bounded (short timeouts, few cycles).
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from api_records import bellingcat_articles
from frontwatch.model import Article
from frontwatch.store import open_store, query
from frontwatch.store.sources import load_source
from frontwatch.watch import PollResult, backoff, http_fetch, pipeline_ingest, watch

TIMEOUT = 0.5  # the client's; /slow answers after 3 s


def _rfc822(day: dt.date | None) -> str:
    return format_datetime(dt.datetime.combine(day or dt.date(2022, 5, 1), dt.time(), dt.UTC))


def rss(items: list[Article]) -> bytes:
    entries = "".join(
        f"<item><title>{escape(a.title)}</title><link>https://example.org/{a.id}</link>"
        f"<guid>https://example.org/{a.id}</guid><description>{escape(a.text)}</description>"
        f"<pubDate>{_rfc822(a.published)}</pubDate></item>"
        for a in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Test wire</title>'
        f"<link>https://example.org/</link><description>test</description>{entries}</channel></rss>"
    ).encode()


class Site:
    """What the server serves; tests change ``items`` between polls."""

    def __init__(self, items: list[Article]) -> None:
        self.items = items
        self.conditional = 0  # requests that carried If-None-Match
        self.not_modified = 0

    def etag(self) -> str:
        return f'"v{len(self.items)}"'


@pytest.fixture
def site(shared: Path) -> Iterator[tuple[Site, str]]:
    articles = list(bellingcat_articles(shared, n=4))
    assert len(articles) == 4
    state = Site(articles[:2])
    spare = articles[2:]

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            if self.path == "/feed.xml":
                if self.headers.get("If-None-Match"):
                    state.conditional += 1
                if self.headers.get("If-None-Match") == state.etag():
                    state.not_modified += 1
                    self.send_response(304)
                    self.end_headers()
                    return
                body = rss(state.items)
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("ETag", state.etag())
            elif self.path == "/page.html":  # a live-updates page, not a feed: one article
                page = state.spare[1]  # type: ignore[attr-defined]
                paragraphs = "".join(f"<p>{escape(p)}</p>" for p in page.text.split("\n\n"))
                body = (
                    f"<!doctype html><html><head><title>{escape(page.title)}</title></head><body>"
                    f"<article><h1>{escape(page.title)}</h1>{paragraphs}</article></body></html>"
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
            elif self.path == "/error":
                body = b"internal error"
                self.send_response(500)
            elif self.path == "/slow":
                time.sleep(3)
                body = rss(state.items)
                self.send_response(200)
            else:  # /garbage
                body = bytes(range(256)) * 8 + b"<rss><channel><item><title>"
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.spare = spare  # type: ignore[attr-defined]
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def run(urls: list[str], db: Path, stop: threading.Event | None = None, ingest=None) -> list[PollResult]:
    store = open_store(db)
    lines: list[PollResult] = []
    try:
        watch(
            urls,
            store=store,
            every=dt.timedelta(minutes=10),
            stop=stop or threading.Event(),
            fetch=http_fetch(TIMEOUT),
            ingest=ingest or pipeline_ingest(store),
            cycles=1,
            report=lines.append,
        )
    finally:
        store.close()
    return lines


def stored_urls(db: Path) -> set[str | None]:
    store = open_store(db)
    try:
        return {a.url for a in store.articles()}
    finally:
        store.close()


def test_new_items_only_broken_sources_back_off_and_never_stop_the_others(site, tmp_path):
    state, base = site
    db = tmp_path / "watch.db"
    urls = [f"{base}/error", f"{base}/slow", f"{base}/garbage", f"{base}/feed.xml", f"{base}/page.html"]

    # Cycle 1: the three broken sources fail, each with its reason; the feed after them is still read.
    t0 = time.monotonic()
    lines = run(urls, db)
    assert time.monotonic() - t0 < 60
    result = {r.url: r for r in lines}
    assert [r.url for r in lines] == urls  # one line per source per cycle
    assert result[f"{base}/error"].status == "failed" and "HTTP 500" in (result[f"{base}/error"].error or "")
    assert result[f"{base}/slow"].status == "failed" and "timed out" in (result[f"{base}/slow"].error or "")
    assert result[f"{base}/garbage"].status == "failed"
    assert result[f"{base}/feed.xml"].status == "new"
    assert result[f"{base}/feed.xml"].new == 2
    assert result[f"{base}/page.html"].status == "new" and result[f"{base}/page.html"].stored == 1
    expected = {f"https://example.org/{a.id}" for a in state.items}
    assert stored_urls(db) == expected | {f"{base}/page.html"}

    store = open_store(db)
    feed_state = load_source(store, f"{base}/feed.xml")
    error_state = load_source(store, f"{base}/error")
    n_events = query.counts(store)[0]
    store.close()
    assert feed_state.etag == state.etag()
    assert set(feed_state.seen) == expected
    assert feed_state.last_success is not None and feed_state.failures == 0
    assert error_state.failures == 1 and "HTTP 500" in (error_state.last_error or "")
    assert error_state.next_poll is not None and error_state.next_poll > dt.datetime.now(dt.UTC)
    assert n_events > 0

    # Cycle 2: unchanged feed → a conditional request answered 304; the broken sources wait their turn.
    lines = run(urls, db)
    result = {r.url: r for r in lines}
    assert result[f"{base}/feed.xml"].status == "unchanged"
    assert result[f"{base}/page.html"].status == "unchanged"  # no validators: its item was seen
    assert state.not_modified == 1
    assert {result[u].status for u in urls[:3]} == {"waiting"}
    assert len(lines) == len(urls)

    # Cycle 3: the feed gains an item; only that one is ingested.
    new = state.spare[0]  # type: ignore[attr-defined]
    state.items = [new, *state.items]
    lines = run([f"{base}/feed.xml"], db)
    assert lines[0].status == "new" and lines[0].new == 1 and lines[0].stored == 1
    assert stored_urls(db) == expected | {f"https://example.org/{new.id}", f"{base}/page.html"}


def test_backoff_doubles_up_to_a_cap():
    every = dt.timedelta(minutes=10)
    assert [backoff(every, n) for n in (1, 2, 3)] == [every, 2 * every, 4 * every]
    assert backoff(every, 30) == dt.timedelta(hours=6)


def test_a_stop_lands_between_two_articles(site, tmp_path):
    state, base = site
    db = tmp_path / "stop.db"
    stop = threading.Event()
    store = open_store(db)
    real = pipeline_ingest(store)

    def ingest_then_stop(article: Article) -> tuple[bool, int]:
        done = real(article)
        stop.set()  # as if SIGTERM arrived while this article was being analysed
        return done

    lines: list[PollResult] = []
    watch([f"{base}/feed.xml"], store=store, every=dt.timedelta(minutes=10), stop=stop,
          fetch=http_fetch(TIMEOUT), ingest=ingest_then_stop, cycles=1, report=lines.append)  # fmt: skip
    remembered = load_source(store, f"{base}/feed.xml")
    store.close()
    assert lines[0].status == "stopped" and lines[0].stored == 1
    assert len(stored_urls(db)) == 1
    assert len(remembered.seen) == 1 and remembered.etag is None  # fetched again next time

    lines = run([f"{base}/feed.xml"], db)  # the next run takes the rest
    assert lines[0].new == 1
    assert stored_urls(db) == {f"https://example.org/{a.id}" for a in state.items}


def test_cli_stops_cleanly_on_sigterm(site, tmp_path):
    _, base = site
    db = tmp_path / "cli.db"
    env = dict(os.environ)
    cli = Path(sys.executable).with_name("frontwatch")
    proc = subprocess.Popen(
        [
            str(cli),
            "--db",
            str(db),
            "watch",
            f"{base}/error",
            f"{base}/feed.xml",
            "--every",
            "1h",
            "--timeout",
            "2",
        ],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        lines = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = proc.stderr.readline() if proc.stderr else ""
            lines.append(line)
            if "/feed.xml:" in line:
                break
        assert any("/error: failed (HTTP 500" in x for x in lines), lines
        assert any("/feed.xml: 2 new items, 2 articles stored" in x for x in lines), lines
        proc.send_signal(signal.SIGTERM)
        rest = proc.communicate(timeout=30)[1]
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, rest
    assert "SIGTERM: stopping" in rest and "watch stopped after 1 cycle" in rest
