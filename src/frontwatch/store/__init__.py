"""The store, the only code that speaks SQL: SQLite by default (one file, WAL), PostgreSQL + PostGIS.

``open_store(url)`` opens (creating and migrating as needed) and returns a `Store`; `Store.save`
writes one analysed article idempotently; `articles`, `places`, `events` read model records back.
Filtered, paginated event queries live in `frontwatch.store.query`.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, func, insert, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, SQLAlchemyError

from frontwatch import __version__
from frontwatch.errors import StoreError
from frontwatch.model import Article, Event, ExtractedArticle, GazetteerEntry
from frontwatch.store import aggregates, read, sources, write  # noqa: F401  (sources: its table)
from frontwatch.store.migrations import migrate
from frontwatch.store.read import StoredPlace
from frontwatch.store.schema import metadata, runs

__all__ = ["Store", "StoredPlace", "metadata", "normalise_url", "open_store"]

log = logging.getLogger(__name__)

PIPELINE_VERSION = f"frontwatch {__version__}"


def normalise_url(url: str | Path) -> str:
    """A SQLAlchemy URL as given, or a plain file path turned into ``sqlite:///<absolute path>``."""
    text = str(url)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


SQLITE_MMAP_BYTES = 2**31  # SQLite caps it at its build's limit (2 GB)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any, *, mmap_bytes: int = 0) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")  # readers (datasette, the API) never block the writer
    cur.execute("PRAGMA synchronous=NORMAL")  # durable at checkpoints; safe with WAL
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute(f"PRAGMA mmap_size={mmap_bytes}")
    cur.close()


def _postgres_settings(dbapi_conn: Any, _record: Any) -> None:
    # Every statement planned for its own values: after five runs of a prepared statement PostgreSQL
    # may keep a generic plan, and a map page's (bbox + window) walked the (lat, lon) index for 1.5 s
    # instead of the (date, id, lat, lon) one for 4 ms (bench/api.py --pg).
    with dbapi_conn.cursor() as cur:
        cur.execute("SET plan_cache_mode = force_custom_plan")
    dbapi_conn.commit()


def open_store(url: str | Path, *, memory_map: bool = False) -> Store:
    """Open the store at `url` (SQLAlchemy URL or SQLite file path), creating and migrating it.

    ``memory_map``: SQLite reads pages from a memory map, not one read() each. The API's many small
    reads gain (a map page of a million-event store reads a hundred rows: ~10% more requests/s in
    bench/api.py); a full scan does not, and its resident memory would count every page it read
    (2.3 GB for the GeoParquet export of a million events, against 0.3 GB without)."""
    full = normalise_url(url)
    try:
        parsed = make_url(full)
        if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed)
    except (ArgumentError, ImportError, ValueError, OSError) as exc:
        raise StoreError(f"cannot open store {full!r}: {exc}") from exc
    if engine.dialect.name == "sqlite":
        mmap_bytes = SQLITE_MMAP_BYTES if memory_map else 0
        event.listen(engine, "connect", partial(_sqlite_pragmas, mmap_bytes=mmap_bytes))
    elif engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _postgres_settings)
    _register_extra_tables()
    try:
        with engine.begin() as conn:
            applied = migrate(conn)
    except SQLAlchemyError as exc:
        engine.dispose()
        raise StoreError(
            f"cannot open store {engine.url.render_as_string(hide_password=True)}: {exc}"
        ) from exc
    if applied:
        log.info("store %s: applied migrations %s", engine.url.render_as_string(hide_password=True), applied)
    return Store(engine)


def _register_extra_tables() -> None:
    # Other store modules (clusters) add tables to `metadata`; import them so migrate() creates them.
    if importlib.util.find_spec("frontwatch.store.clusters") is not None:
        importlib.import_module("frontwatch.store.clusters")


class Store:
    """An open store. Thread-safe for reads and saves (each call takes its own connection)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._default_run: str | None = None
        self._lock = threading.Lock()
        # Gazetteer entries known to be stored: id → the store's copy (it keeps the first one).
        self._entries: dict[str, GazetteerEntry] = {}

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def dialect(self) -> str:
        """ "sqlite" or "postgresql"."""
        return self._engine.dialect.name

    @property
    def url(self) -> str:
        return self._engine.url.render_as_string(hide_password=True)

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A read connection (no transaction kept open after the block)."""
        with self._engine.connect() as conn:
            yield conn

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A connection inside one transaction, committed at the end of the block."""
        with self._engine.begin() as conn:
            yield conn

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start_run(self, *, gazetteer_version: str | None, rules_version: str | None = None) -> str:
        """Record an ingest run (pipeline, gazetteer and rules versions); returns its id."""
        run_id = uuid.uuid4().hex
        with self._engine.begin() as conn:
            conn.execute(
                insert(runs).values(
                    id=run_id,
                    started=datetime.now(UTC),
                    pipeline_version=PIPELINE_VERSION,
                    gazetteer_version=gazetteer_version,
                    rules_version=rules_version,
                )
            )
        return run_id

    def save(self, extracted: ExtractedArticle, *, run_id: str | None = None) -> bool:
        """Store one analysed article in one transaction; True if new, False if it was already there."""
        if run_id is None:
            run_id = self._default_run or self._implicit_run(extracted)
        article_id = extracted.resolved.annotated.article.id
        try:
            with self._engine.begin() as conn:
                stored, entries = write.write_extracted(
                    conn, extracted, run_id=run_id, known_entries=self._known_entries()
                )
                if stored:
                    aggregates.record_article(conn, article_id)
        except IntegrityError as exc:
            # Another writer stored the same article between our check and our insert.
            with self._engine.connect() as conn:
                if write.article_exists(conn, article_id):
                    return False
            raise StoreError(f"cannot store article {article_id}: {exc.orig}") from exc
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot store article {article_id}: {exc}") from exc
        self._remember_entries(entries)
        return stored

    def save_many(
        self,
        batch: Sequence[ExtractedArticle],
        *,
        run_id: str | None = None,
        then: Callable[[Connection, list[ExtractedArticle]], object] | None = None,
    ) -> list[bool]:
        """`save` for many articles in one transaction (one commit: much faster on SQLite).

        The result says which articles were new. `then` runs in the same transaction with the new
        articles (the derive layer clusters their events there, so a crash never separates the two).
        If anything fails, nothing of the batch is kept and StoreError is raised: save the articles
        one by one to find the bad one.
        """
        if not batch:
            return []
        if run_id is None:
            run_id = self._default_run or self._implicit_run(batch[0])
        seen = dict(self._known_entries())
        results = []
        try:
            with self._engine.begin() as conn:
                for extracted in batch:
                    stored, entries = write.write_extracted(
                        conn, extracted, run_id=run_id, known_entries=seen
                    )
                    seen.update(entries)
                    results.append(stored)
                    if stored:
                        aggregates.record_article(conn, extracted.resolved.annotated.article.id)
                if then is not None:
                    then(conn, [x for x, new in zip(batch, results, strict=True) if new])
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot store a batch of {len(batch)} articles: {exc}") from exc
        self._remember_entries(seen)
        return results

    def _known_entries(self) -> dict[str, GazetteerEntry]:
        with self._lock:
            return self._entries

    def _remember_entries(self, entries: dict[str, GazetteerEntry]) -> None:
        # Only after a commit: an entry in this cache is certainly in the database. Copied, never
        # changed in place, so that a reader holding the old dict is safe.
        with self._lock:
            self._entries = {**self._entries, **entries}

    def _implicit_run(self, extracted: ExtractedArticle) -> str:
        rules = extracted.events[0].rules_version if extracted.events else None
        self._default_run = self.start_run(gazetteer_version=None, rules_version=rules)
        return self._default_run

    def known_article_ids(self, ids: Iterable[str]) -> set[str]:
        """Those of `ids` that the store already holds."""
        with self._engine.connect() as conn:
            return write.existing_article_ids(conn, ids)

    def articles(self) -> list[Article]:
        with self._engine.connect() as conn:
            return read.load_articles(conn)

    def article(self, article_id: str) -> Article | None:
        with self._engine.connect() as conn:
            found = read.load_articles(conn, article_id=article_id)
        return found[0] if found else None

    def places(self, *, article_id: str | None = None) -> list[StoredPlace]:
        with self._engine.connect() as conn:
            return read.load_places(conn, article_id=article_id)

    def events(self, *, article_id: str | None = None) -> list[Event]:
        with self._engine.connect() as conn:
            return read.load_events(conn, article_id=article_id)

    def counts(self) -> dict[str, int]:
        """Row counts of every table (a cheap fingerprint for idempotence checks and `info`)."""
        with self._engine.connect() as conn:
            return {
                name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                for name, table in sorted(metadata.tables.items())
            }
