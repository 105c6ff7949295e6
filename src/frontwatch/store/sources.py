"""What `frontwatch watch` remembers of each source between polls (and between runs)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Column, DateTime, Integer, String, Table, Text, insert, select, update

from frontwatch.store.schema import metadata

if TYPE_CHECKING:
    from frontwatch.store import Store

SEEN_KEPT = 2000  # item ids remembered per source: far more than a feed shows at once

watch_sources = Table(
    "watch_sources",
    metadata,
    Column("url", Text, primary_key=True),
    Column("etag", Text, nullable=True),
    Column("last_modified", Text, nullable=True),
    Column("seen", JSON, nullable=False),  # item ids (entry link or article id), newest last
    Column("last_success", DateTime(timezone=True), nullable=True),
    Column("last_error", Text, nullable=True),
    Column("last_error_at", DateTime(timezone=True), nullable=True),
    Column("failures", Integer, nullable=False),  # consecutive failed polls: the back-off's exponent
    Column("next_poll", DateTime(timezone=True), nullable=True),
    Column("status", String(40), nullable=True),  # what the last poll did, for `watch` and its log
)


@dataclass(frozen=True, slots=True)
class SourceState:
    url: str
    etag: str | None = None
    last_modified: str | None = None
    seen: tuple[str, ...] = field(default=())
    last_success: dt.datetime | None = None
    last_error: str | None = None
    last_error_at: dt.datetime | None = None
    failures: int = 0
    next_poll: dt.datetime | None = None
    status: str | None = None


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    # SQLite gives naive datetimes back: they were written in UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def load_source(store: Store, url: str) -> SourceState:
    """The state kept for ``url``, or a fresh one."""
    with store.connect() as conn:
        row = conn.execute(select(watch_sources).where(watch_sources.c.url == url)).mappings().first()
    if row is None:
        return SourceState(url)
    return SourceState(
        url=url,
        etag=row["etag"],
        last_modified=row["last_modified"],
        seen=tuple(row["seen"] or ()),
        last_success=_aware(row["last_success"]),
        last_error=row["last_error"],
        last_error_at=_aware(row["last_error_at"]),
        failures=row["failures"],
        next_poll=_aware(row["next_poll"]),
        status=row["status"],
    )


def save_source(store: Store, state: SourceState) -> None:
    values = {
        "etag": state.etag,
        "last_modified": state.last_modified,
        "seen": list(state.seen[-SEEN_KEPT:]),
        "last_success": state.last_success,
        "last_error": state.last_error,
        "last_error_at": state.last_error_at,
        "failures": state.failures,
        "next_poll": state.next_poll,
        "status": state.status,
    }
    with store.begin() as conn:
        done = conn.execute(update(watch_sources).where(watch_sources.c.url == state.url).values(**values))
        if done.rowcount == 0:
            conn.execute(insert(watch_sources).values(url=state.url, **values))


def all_sources(store: Store) -> list[SourceState]:
    with store.connect() as conn:
        urls = list(conn.execute(select(watch_sources.c.url).order_by(watch_sources.c.url)).scalars())
    return [load_source(store, u) for u in urls]
