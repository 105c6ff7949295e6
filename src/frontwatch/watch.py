"""Poll RSS/Atom feeds and web pages, and ingest what is new through the same path as `ingest`.

Each source's state lives in the store (store.sources): ETag and Last-Modified for conditional
requests, the ids of the items already taken, the last success and the last error. A source that fails
waits twice as long after each failure in a row (up to `MAX_BACKOFF`); one broken source never stops
the others. `watch` checks its stop event before every source and every item, so Ctrl-C or SIGTERM
ends it between two stored articles, never in the middle of one.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from frontwatch.errors import InputError
from frontwatch.ingest import feed, htmlpage
from frontwatch.ingest.dispatch import sniff
from frontwatch.ingest.records import decode
from frontwatch.model import Article, ReadError
from frontwatch.store.sources import SourceState, load_source, save_source

if TYPE_CHECKING:
    from frontwatch.gazetteer import Gazetteer
    from frontwatch.store import Store

log = logging.getLogger(__name__)

MAX_BYTES = 20 * 1024 * 1024  # a feed or page larger than this is refused, not read
MAX_BACKOFF = dt.timedelta(hours=6)
USER_AGENT = "frontwatch-watch (+https://github.com/frontwatch)"


class FetchError(Exception):
    """A source that could not be fetched or read (network, HTTP status, size, not a feed or page)."""


@dataclass(frozen=True, slots=True)
class Fetched:
    """A fetch's answer: None body when the server said 304 Not Modified."""

    body: bytes | None
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True, slots=True)
class PollResult:
    url: str
    status: str  # "new", "unchanged", "failed", "waiting", "stopped"
    new: int = 0
    stored: int = 0
    events: int = 0
    error: str | None = None
    next_poll: dt.datetime | None = None

    def line(self) -> str:
        """The one log line of this source in this cycle."""
        if self.status == "failed":
            return f"{self.url}: failed ({self.error}); next try {_when(self.next_poll)}"
        if self.status == "waiting":
            return f"{self.url}: backing off after errors; next try {_when(self.next_poll)}"
        if self.status == "unchanged":
            return f"{self.url}: unchanged"
        if self.status == "stopped":
            return f"{self.url}: stopped after {self.stored} new articles"
        return f"{self.url}: {self.new} new items, {self.stored} articles stored, {self.events} events"


def _when(moment: dt.datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "now"


Fetch = Callable[[str, SourceState], Fetched]


def http_fetch(timeout: float) -> Fetch:
    """A conditional GET (If-None-Match / If-Modified-Since) with a timeout and a size cap."""

    def fetch(url: str, state: SourceState) -> Fetched:
        headers = {"User-Agent": USER_AGENT}
        if state.etag:
            headers["If-None-Match"] = state.etag
        if state.last_modified:
            headers["If-Modified-Since"] = state.last_modified
        request = urllib.request.Request(url, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                body = response.read(MAX_BYTES + 1)
                etag, modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
        except urllib.error.HTTPError as exc:
            if exc.code == 304:
                return Fetched(None, state.etag, state.last_modified)
            raise FetchError(f"HTTP {exc.code} {exc.reason}") from exc
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            raise FetchError(f"cannot fetch: {getattr(exc, 'reason', exc)}") from exc
        if len(body) > MAX_BYTES:
            raise FetchError(f"larger than {MAX_BYTES} bytes")
        return Fetched(body, etag, modified)

    return fetch


def parse(url: str, body: bytes) -> list[Article]:
    """The articles of a fetched feed (each entry) or page (one); FetchError when it is neither."""
    head = body[:2048].decode("utf-8", errors="replace")
    items: Iterable[Article | ReadError]
    if sniff(head) == "html":
        try:
            items = htmlpage.read(decode(body, origin=url), origin=url, published=None, url=url)
        except InputError as exc:
            raise FetchError(exc.reason) from exc
    else:
        items = feed.read(body, origin=url, published=None)
    found = list(items)
    articles = [a for a in found if isinstance(a, Article)]
    errors = [e for e in found if isinstance(e, ReadError)]
    if not articles and errors:
        raise FetchError(errors[0].reason)
    for error in errors:
        log.warning("%s: %s", error.origin, error.reason)
    return articles


def item_id(article: Article) -> str:
    """What identifies an item between polls: its link, else its content hash (the article id)."""
    return article.url or article.id


def backoff(every: dt.timedelta, failures: int) -> dt.timedelta:
    """The wait after ``failures`` failed polls in a row: ``every``, doubled per failure, capped."""
    return min(every * 2 ** max(failures - 1, 0), max(MAX_BACKOFF, every))


Ingest = Callable[[Article], tuple[bool, int]]


def pipeline_ingest(store: Store, gazetteer: Gazetteer | None = None) -> Ingest:
    """One article through `frontwatch.pipeline.ingest_items` (analysis, store, merge): (stored?, events)."""
    from frontwatch.pipeline import ingest_items

    opened: list[Gazetteer] = [gazetteer] if gazetteer is not None else []

    def ingest(article: Article) -> tuple[bool, int]:
        if not opened:  # once, on the first new article: loading the index takes seconds
            from frontwatch.gazetteer import Gazetteer

            opened.append(Gazetteer.open_default())
        summary = ingest_items([article], store=store, gazetteer=opened[0])
        if summary.skipped:
            raise FetchError(f"{article.origin}: {summary.skipped[0].reason}")
        return summary.stored > 0, summary.events

    return ingest


def poll(
    url: str,
    *,
    store: Store,
    fetch: Fetch,
    ingest: Ingest,
    every: dt.timedelta,
    stop: threading.Event,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
) -> PollResult:
    """Poll one source if it is due, ingest its new items, and keep its state; never raises FetchError."""
    state = load_source(store, url)
    if state.failures and state.next_poll and state.next_poll > now():
        return PollResult(url, "waiting", next_poll=state.next_poll)
    try:
        got = fetch(url, state)
        if got.body is None:
            articles: list[Article] = []
        else:
            articles = parse(url, got.body)
        seen = set(state.seen)
        fresh = [a for a in articles if item_id(a) not in seen]
        taken: list[str] = []
        stored = events = 0
        for article in fresh:
            if stop.is_set():
                # Keep what is done; the validators stay old so that the next run fetches again.
                save_source(store, replace(state, seen=(*state.seen, *taken), status="stopped"))
                return PollResult(url, "stopped", new=len(fresh), stored=stored, events=events)
            new, n = ingest(article)
            stored += new
            events += n
            taken.append(item_id(article))
    except FetchError as exc:
        failures = state.failures + 1
        when = now() + backoff(every, failures)
        save_source(store, replace(state, last_error=str(exc), last_error_at=now(), failures=failures,
                                   next_poll=when, status="failed"))  # fmt: skip
        return PollResult(url, "failed", error=str(exc), next_poll=when)
    status = "unchanged" if got.body is None or not fresh else "new"
    done = replace(
        state,
        etag=got.etag,
        last_modified=got.last_modified,
        seen=(*state.seen, *taken),
        last_success=now(),
        failures=0,
        next_poll=now() + every,
        status=status,
    )
    save_source(store, done)
    return PollResult(url, status, new=len(fresh), stored=stored, events=events, next_poll=done.next_poll)


def watch(
    urls: Sequence[str],
    *,
    store: Store,
    every: dt.timedelta,
    stop: threading.Event,
    fetch: Fetch,
    ingest: Ingest,
    cycles: int | None = None,
    report: Callable[[PollResult], None] | None = None,
) -> int:
    """Poll every source once per cycle until ``stop`` is set (or ``cycles`` have run); returns cycles run."""
    done = 0
    while not stop.is_set() and (cycles is None or done < cycles):
        started = dt.datetime.now(dt.UTC)
        for url in urls:
            if stop.is_set():
                break
            result = poll(url, store=store, fetch=fetch, ingest=ingest, every=every, stop=stop)
            if report is not None:
                report(result)
        done += 1
        if cycles is not None and done >= cycles:
            break
        # Sleep what is left of the cycle; a stop wakes it at once.
        left = every - (dt.datetime.now(dt.UTC) - started)
        stop.wait(max(left.total_seconds(), 0.0))
    return done
