"""Filtered, cursor-paginated reads for the API, the CLI and the exports.

Pages use keyset pagination on (date, id): a cursor names the last row served, so pages never
skip or repeat rows however the table grows. The cursor is opaque to clients (base64url JSON).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Generic, Literal, TypeVar

from sqlalchemy import (
    ColumnElement,
    Connection,
    Date,
    Integer,
    Row,
    Select,
    String,
    and_,
    bindparam,
    exists,
    func,
    or_,
    select,
)

from frontwatch.errors import FrontWatchError
from frontwatch.model import Article, Event, GazetteerEntry
from frontwatch.public import doc_with_cluster, event_json
from frontwatch.store.clusters import clusters_of, event_clusters
from frontwatch.store.read import article_from_row, chunks, entry_from_row, events_from_rows
from frontwatch.store.schema import (
    articles,
    event_actors,
    events,
    gazetteer_places,
)

if TYPE_CHECKING:
    from frontwatch.store import Store

T = TypeVar("T")


class InvalidFilter(FrontWatchError):
    """A filter value that cannot be applied (bbox of the wrong arity or order, ...)."""


class InvalidCursor(InvalidFilter):
    """A pagination cursor this module did not write."""


class AmbiguousId(FrontWatchError):
    """An id prefix that matches more than one record; `candidates` are (some of) them."""

    def __init__(self, message: str, candidates: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.candidates = tuple(candidates)


EVENT_ID_PREFIX = "ev:"  # every event id starts so (events.extract); users may leave it out
AMBIGUOUS_SHOWN = 10  # candidates listed for an ambiguous prefix


def prefix_pattern(prefix: str) -> str:
    """A LIKE pattern (escape character backslash) matching ids that start with `prefix` literally."""
    return _escape_like(prefix) + "%"


@dataclass(frozen=True, slots=True)
class BBox:
    minlon: float
    minlat: float
    maxlon: float
    maxlat: float

    @classmethod
    def parse(cls, text: str) -> BBox:
        """'minlon,minlat,maxlon,maxlat' → BBox; InvalidFilter says what is wrong."""
        parts = [p.strip() for p in text.split(",")]
        if len(parts) != 4:
            raise InvalidFilter(f"expected 4 numbers minlon,minlat,maxlon,maxlat, got {len(parts)}")
        try:
            minlon, minlat, maxlon, maxlat = (float(p) for p in parts)
        except ValueError as exc:
            raise InvalidFilter(f"not a number in {text!r}") from exc
        if not all(-180 <= x <= 180 for x in (minlon, maxlon)) or not all(
            -90 <= y <= 90 for y in (minlat, maxlat)
        ):
            raise InvalidFilter("longitudes must lie in [-180, 180] and latitudes in [-90, 90]")
        if minlon > maxlon or minlat > maxlat:
            raise InvalidFilter("expected minlon,minlat,maxlon,maxlat with min <= max")
        return cls(minlon, minlat, maxlon, maxlat)


@dataclass(frozen=True, slots=True)
class EventFilter:
    """Every filter the API and CLI offer; None means 'any'. All given filters must hold."""

    since: dt.date | None = None
    until: dt.date | None = None
    bbox: BBox | None = None
    type: str | None = None  # ACLED event_type or sub_event_type, or fw_type
    actor: str | None = None  # name, side or unit
    place: str | None = None  # gazetteer entry id or place name
    source: str | None = None  # outlet of the article or claim, or claimant name
    modality: str | None = None
    q: str | None = None  # text in the evidence
    article_id: str | None = None


@dataclass(frozen=True, slots=True)
class PageCursor:
    """The sort key of the last row served: (key, id)."""

    key: str
    id: str


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    next: PageCursor | None


def encode_cursor(cursor: PageCursor) -> str:
    raw = json.dumps([cursor.key, cursor.id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str) -> PageCursor:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        key, ident = json.loads(raw)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise InvalidCursor("not a cursor this server wrote; pass next_cursor unchanged") from exc
    if not isinstance(key, str) or not isinstance(ident, str):
        raise InvalidCursor("not a cursor this server wrote; pass next_cursor unchanged")
    return PageCursor(key, ident)


@dataclass(frozen=True, slots=True)
class Facets:
    date_min: dt.date | None
    date_max: dt.date | None
    event_types: list[tuple[str, int]]
    sub_event_types: list[tuple[str, int]]
    actors: list[tuple[str, int]]
    modalities: list[tuple[str, int]]
    count: int


SHORT_WINDOW = dt.timedelta(days=92)


def is_short_scan(flt: EventFilter) -> bool:
    """True when a page of ``flt`` is a short index range scan: one article, or a time window of at most
    92 days (ix_events_date_id_lat_lon), with no text matching. The API runs those on its event loop."""
    if flt.actor or flt.place or flt.source or flt.q:
        return False
    if flt.article_id:
        return True
    return flt.since is not None and flt.until is not None and flt.until - flt.since <= SHORT_WINDOW


# ---------------------------------------------------------------- filters → SQL


def _escape_like(text: str) -> str:
    """``text`` with LIKE's wildcards (and the escape character itself) escaped by a backslash."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like(text: str) -> str:
    """A LIKE pattern finding ``text`` anywhere, its own wildcards escaped."""
    return f"%{_escape_like(text)}%"


def _conditions(flt: EventFilter) -> list[ColumnElement[bool]]:
    e = events.c
    where: list[ColumnElement[bool]] = []
    if flt.since is not None:
        where.append(e.date >= bindparam("since", flt.since))
    if flt.until is not None:
        where.append(e.date <= bindparam("until", flt.until))
    if flt.bbox is not None:
        b = flt.bbox
        where += [
            e.lat >= bindparam("minlat", b.minlat),
            e.lat <= bindparam("maxlat", b.maxlat),
            e.lon >= bindparam("minlon", b.minlon),
            e.lon <= bindparam("maxlon", b.maxlon),
        ]
    if flt.type:
        t = flt.type.lower()
        where.append(
            or_(func.lower(e.event_type) == t, func.lower(e.sub_event_type) == t, func.lower(e.fw_type) == t)
        )
    if flt.actor:
        # An alias: a query that itself reads event_actors (the facets' actor counts) would
        # otherwise correlate this subquery's table away ("no FROM clauses").
        a = event_actors.alias("actor_filter").c
        pattern = _like(flt.actor)
        where.append(
            exists().where(
                a.event_id == e.id,
                or_(
                    a.name.ilike(pattern, escape="\\"),
                    a.side.ilike(pattern, escape="\\"),
                    a.unit.ilike(pattern, escape="\\"),
                    a.surface.ilike(pattern, escape="\\"),
                ),
            )
        )
    if flt.place:
        where.append(_place_condition(flt.place))
    if flt.source:
        pattern = _like(flt.source)
        where.append(
            or_(
                e.claimant_outlet.ilike(pattern, escape="\\"),
                e.claimant_name.ilike(pattern, escape="\\"),
                e.article_id.in_(select(articles.c.id).where(articles.c.source.ilike(pattern, escape="\\"))),
            )
        )
    if flt.modality:
        where.append(e.modality == flt.modality)
    if flt.q:
        where.append(e.evidence_text.ilike(_like(flt.q), escape="\\"))
    if flt.article_id:
        where.append(e.article_id == bindparam("article_id", flt.article_id))
    return where


def filter_conditions(flt: EventFilter) -> list[ColumnElement[bool]]:
    """The SQL conditions of ``flt`` on the events table (for the other store modules)."""
    return _conditions(flt)


def _place_condition(place: str) -> ColumnElement[bool]:
    """An entry id matches that entry; a name matches entries of that name or the surface used."""
    e = events.c
    if ":" in place:
        return e.place_entry_id == place
    name = place.lower()
    named = select(gazetteer_places.c.entry_id).where(func.lower(gazetteer_places.c.name) == name)
    return or_(e.place_entry_id.in_(named), func.lower(e.place_surface) == name)


# ---------------------------------------------------------------- page statements
# The map asks for the same few shapes of page over and over with other values (a viewport and a time
# window, an article): each shape's statements are built once with named parameters, and a page binds
# its values; building and compiling them anew was a third of a page's time (bench/api.py).

PageColumns = Literal["events", "docs"]  # select(events), or what event_docs_page serves
_SHAPE_DAY = dt.date(2000, 1, 1)  # placeholders of the bound filters in a cached shape
_SHAPE_BBOX = BBox(-180.0, -90.0, 180.0, 90.0)


def _shape(flt: EventFilter) -> EventFilter:
    """``flt`` with its bound values (window, bbox, article) replaced by placeholders."""
    return replace(
        flt,
        since=_SHAPE_DAY if flt.since is not None else None,
        until=_SHAPE_DAY if flt.until is not None else None,
        bbox=_SHAPE_BBOX if flt.bbox is not None else None,
        article_id="?" if flt.article_id else None,
    )


def _bound_values(flt: EventFilter, cursor: PageCursor | None) -> dict[str, object]:
    """The values a page of ``flt`` after ``cursor`` binds to its shape's named parameters."""
    values: dict[str, object] = {"since": flt.since, "until": flt.until, "article_id": flt.article_id}
    if flt.bbox is not None:
        b = flt.bbox
        values.update(minlat=b.minlat, maxlat=b.maxlat, minlon=b.minlon, maxlon=b.maxlon)
    if cursor is not None:
        values["after_id"] = cursor.id
        if cursor.key != "":  # an empty key: the cursor is already among the undated
            try:
                values["after_day"] = dt.date.fromisoformat(cursor.key)
            except ValueError as exc:
                raise InvalidCursor("not a cursor this server wrote; pass next_cursor unchanged") from exc
    return values


def _page_columns(columns: PageColumns) -> Select:
    if columns == "events":
        return select(events)
    e = events.c
    return select(e.id, e.date, e.doc, event_clusters.c.cluster_id).select_from(
        events.outerjoin(event_clusters, event_clusters.c.event_id == e.id)
    )


@lru_cache(maxsize=256)
def _page_statements(
    columns: PageColumns, shape: EventFilter, after: Literal["", "dated", "undated"]
) -> tuple[Select | None, Select | None]:
    """The (dated, undated) statements of a page of this shape, after no cursor, a dated one or an
    undated one; None where the page can hold no such rows.

    Dated and undated rows are read apart, each an index range from the cursor on: one query with
    "after the cursor OR date IS NULL" made every page rescan the date index from its start (and a
    full export quadratic). A dated page is a range of ix_events_date_id_lat_lon from the cursor's
    day (``date >= day`` first), in (date, id) order with no sort."""
    e = events.c
    base = _page_columns(columns)
    dated = undated = None
    if after != "undated":
        where = [*_conditions(shape), e.date.is_not(None)]
        if after == "dated":
            day = bindparam("after_day", type_=Date)
            where.append(and_(e.date >= day, or_(e.date > day, e.id > bindparam("after_id", type_=String))))
        dated = base.where(*where).order_by(e.date, e.id).limit(bindparam("page_limit", type_=Integer))
    if shape.since is None and shape.until is None:  # a date filter excludes the undated
        where = [*_conditions(shape), e.date.is_(None)]
        if after == "undated":
            where.append(e.id > bindparam("after_id", type_=String))
        undated = base.where(*where).order_by(e.id).limit(bindparam("undated_limit", type_=Integer))
    return dated, undated


def _cursor_kind(cursor: PageCursor | None) -> Literal["", "dated", "undated"]:
    return "" if cursor is None else ("undated" if cursor.key == "" else "dated")


def _keyset_rows(
    conn: Connection, columns: PageColumns, flt: EventFilter, *, limit: int, cursor: PageCursor | None
) -> list[Row]:
    """At most ``limit`` rows that match ``flt`` and come after ``cursor`` in the order
    (date ASC NULLS LAST, id)."""
    dated, undated = _page_statements(columns, _shape(flt), _cursor_kind(cursor))
    values = _bound_values(flt, cursor)
    rows: list[Row] = []
    if dated is not None:
        rows = list(conn.execute(dated, {**values, "page_limit": limit}).all())
    if len(rows) < limit and undated is not None:
        rows += conn.execute(undated, {**values, "undated_limit": limit - len(rows)}).all()
    return rows


def _cursor_of(row: Row) -> PageCursor:
    return PageCursor(row.date.isoformat() if row.date else "", row.id)


# ---------------------------------------------------------------- events


def events_page(
    store: Store, flt: EventFilter, *, limit: int, cursor: PageCursor | None = None
) -> Page[Event]:
    """One page of events in (date, id) order; ``next`` is None on the last page."""
    with store.engine.connect() as conn:
        rows = _keyset_rows(conn, "events", flt, limit=limit + 1, cursor=cursor)
        more = len(rows) > limit
        rows = rows[:limit]
        found = events_from_rows(conn, [r._mapping for r in rows])
    return Page(found, _cursor_of(rows[-1]) if more else None)


def event_docs_page(
    store: Store, flt: EventFilter, *, limit: int, cursor: PageCursor | None = None
) -> Page[str]:
    """`events_page` as the events' public JSON objects (text), read from events.doc as stored."""
    with store.engine.connect() as conn:
        rows = _keyset_rows(conn, "docs", flt, limit=limit + 1, cursor=cursor)
        more = len(rows) > limit
        rows = rows[:limit]
        docs = [doc for _, _, doc, _ in rows]
        if None in docs:  # written by code that stored none
            found = _with_docs(conn, {ident: doc for ident, _, doc, _ in rows})
            docs = [found[ident] for ident, _, _, _ in rows]
    items = [doc_with_cluster(doc, cluster) for doc, (_, _, _, cluster) in zip(docs, rows, strict=True)]
    return Page(items, _cursor_of(rows[-1]) if more else None)


def _with_docs(conn: Connection, docs: dict[str, str | None]) -> dict[str, str]:
    """Event id → public JSON object, built the slow way for events written by code that stored none."""
    found = {i: doc for i, doc in docs.items() if doc is not None}
    missing = [i for i in docs if i not in found]
    if missing:
        full = list(conn.execute(select(events).where(events.c.id.in_(missing))).mappings())
        found.update((x.id, event_json(x)) for x in events_from_rows(conn, full))
    return found


def cluster_ids(store: Store, event_ids: Iterable[str]) -> dict[str, str]:
    """Event id → its cluster id, for those of these events that are merged."""
    with store.engine.connect() as conn:
        return clusters_of(conn, list(event_ids))


def iter_events(
    store: Store, flt: EventFilter, *, limit: int | None = None, batch: int = 1000
) -> Iterator[Event]:
    """Every event matching ``flt`` (at most ``limit``), fetched page by page."""
    return _paged(events_page, store, flt, limit=limit, batch=batch)


def iter_event_docs(
    store: Store, flt: EventFilter, *, limit: int | None = None, batch: int = 1000
) -> Iterator[str]:
    """`iter_events` as the events' public JSON objects (text, from events.doc)."""
    return _paged(event_docs_page, store, flt, limit=limit, batch=batch)


def _paged(
    fetch: Callable[..., Page[T]], store: Store, flt: EventFilter, *, limit: int | None, batch: int
) -> Iterator[T]:
    cursor: PageCursor | None = None
    left = limit
    while left is None or left > 0:
        size = batch if left is None else min(batch, left)
        page = fetch(store, flt, limit=size, cursor=cursor)
        yield from page.items
        if left is not None:
            left -= len(page.items)
        if page.next is None:
            return
        cursor = page.next


def event_with_article(store: Store, event_id: str) -> tuple[Event, Article] | None:
    """The event with this id (or unique id prefix, at least 6 characters; the "ev:" may be left
    out) and its article; AmbiguousId when the prefix matches several."""
    ident = event_id_of(store, event_id)
    if ident is None:
        return None
    return events_with_articles(store, [ident]).get(ident)


def event_id_of(store: Store, event_id: str) -> str | None:
    """The full id of the stored event with this id or unique id prefix (at least 6 characters;
    the "ev:" may be left out), None if none; AmbiguousId when the prefix matches several."""
    forms = [event_id] if event_id.startswith(EVENT_ID_PREFIX) else [event_id, EVENT_ID_PREFIX + event_id]
    with store.engine.connect() as conn:
        ident = conn.execute(select(events.c.id).where(events.c.id.in_(forms)).limit(1)).scalar()
        if ident is not None or len(event_id) < 6:
            return ident
        likes = [events.c.id.like(prefix_pattern(form), escape="\\") for form in forms]
        ids = list(
            conn.execute(
                select(events.c.id).where(or_(*likes)).order_by(events.c.id).limit(AMBIGUOUS_SHOWN + 1)
            ).scalars()
        )
    if len(ids) > 1:
        more = " (and more)" if len(ids) > AMBIGUOUS_SHOWN else ""
        raise AmbiguousId(
            f"event id prefix {event_id!r} matches more than one event{more}", ids[:AMBIGUOUS_SHOWN]
        )
    return ids[0] if ids else None


@dataclass(frozen=True, slots=True)
class EventReport:
    """A stored event as its page shows it: its public JSON object (events.doc) and its article."""

    event_id: str
    doc: str
    evidence: str  # the evidence sentence
    article: Article


def event_reports(store: Store, ids: Sequence[str]) -> dict[str, EventReport]:
    """These stored events (full ids) with their articles, by id: one statement per 500 ids and no
    Event rebuilt from the normalised tables (`events_with_articles` does); ids not stored are left out."""
    e = events.c
    stmt = select(e.id.label("event_id"), e.doc, e.evidence_text, *articles.c).join_from(
        events, articles, articles.c.id == e.article_id
    )
    found: dict[str, EventReport] = {}
    with store.engine.connect() as conn:
        for chunk in chunks(sorted(set(ids))):
            rows = conn.execute(stmt.where(e.id.in_(chunk))).all()
            docs = _with_docs(conn, {r.event_id: r.doc for r in rows})
            found.update(
                (
                    r.event_id,
                    EventReport(r.event_id, docs[r.event_id], r.evidence_text, article_from_row(r._mapping)),
                )
                for r in rows
            )
    return found


def events_with_articles(store: Store, ids: Sequence[str]) -> dict[str, tuple[Event, Article]]:
    """These stored events (full ids) with their articles, by id, read in a fixed number of statements
    per 500 ids however many there are (a cluster's reports); ids not stored are left out."""
    found: dict[str, tuple[Event, Article]] = {}
    with store.engine.connect() as conn:
        for chunk in chunks(sorted(set(ids))):
            rows = list(conn.execute(select(events).where(events.c.id.in_(chunk))).mappings())
            loaded = events_from_rows(conn, rows)
            by_id = {a.id: a for a in _articles(conn, sorted({e.article_id for e in loaded}))}
            found.update((e.id, (e, by_id[e.article_id])) for e in loaded if e.article_id in by_id)
    return found


def facets(store: Store, flt: EventFilter) -> Facets:
    """Date range and value counts of the events matching ``flt`` (for the map's filters)."""
    where = _conditions(flt)
    e = events.c
    with store.engine.connect() as conn:
        # Apart, min and max are one index seek each and the count an index scan (SQLite).
        low = conn.execute(select(func.min(e.date)).where(*where)).scalar()
        high = conn.execute(select(func.max(e.date)).where(*where)).scalar()
        count = conn.execute(select(func.count()).select_from(events).where(*where)).scalar_one()

        def counts(column: ColumnElement) -> list[tuple[str, int]]:
            n = func.count().label("n")
            stmt = select(column, n).where(*where).group_by(column).order_by(n.desc(), column)
            return [(v, c) for v, c in conn.execute(stmt) if v is not None]

        a = event_actors.c
        n = func.count(func.distinct(a.event_id)).label("n")
        actor_stmt = select(a.name, n)
        if where:  # with no filter every actor row counts: ix_event_actors_name_event_id alone answers
            actor_stmt = actor_stmt.join(events, events.c.id == a.event_id).where(*where)
        actor_stmt = actor_stmt.group_by(a.name).order_by(n.desc(), a.name)
        return Facets(
            date_min=_as_date(low),
            date_max=_as_date(high),
            event_types=counts(e.event_type),
            sub_event_types=counts(e.sub_event_type),
            actors=[(v, c) for v, c in conn.execute(actor_stmt)],
            modalities=counts(e.modality),
            count=count,
        )


def _as_date(value: object) -> dt.date | None:
    # SQLite returns the aggregate of a Date column as text.
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def counts(store: Store) -> tuple[int, int]:
    """(events, articles) stored."""
    with store.engine.connect() as conn:
        n_events = conn.execute(select(func.count()).select_from(events)).scalar_one()
        n_articles = conn.execute(select(func.count()).select_from(articles)).scalar_one()
    return n_events, n_articles


# ---------------------------------------------------------------- articles


def article(store: Store, article_id: str) -> Article | None:
    with store.engine.connect() as conn:
        found = _articles(conn, [article_id])
    return found[0] if found else None


def articles_by_id(store: Store, ids: Iterable[str]) -> list[Article]:
    wanted = list(ids)
    out: list[Article] = []
    with store.engine.connect() as conn:
        for i in range(0, len(wanted), 500):
            out += _articles(conn, wanted[i : i + 500])
    return out


def articles_page(
    store: Store,
    *,
    q: str | None = None,
    source: str | None = None,
    limit: int,
    cursor: PageCursor | None = None,
) -> Page[tuple[Article, int]]:
    """Articles newest first (undated last), each with its number of events."""
    a = articles.c
    where: list[ColumnElement[bool]] = []
    if q:
        where.append(a.title.ilike(_like(q), escape="\\"))
    if source:
        where.append(a.source.ilike(_like(source), escape="\\"))
    if cursor is not None:
        if cursor.key == "":
            where.append(and_(a.published.is_(None), a.id > cursor.id))
        else:
            try:
                day = dt.date.fromisoformat(cursor.key)
            except ValueError as exc:
                raise InvalidCursor("not a cursor this server wrote; pass next_cursor unchanged") from exc
            where.append(
                or_(a.published < day, and_(a.published == day, a.id > cursor.id), a.published.is_(None))
            )
    stmt = (
        select(a.id, a.published)
        .where(*where)
        .order_by(a.published.desc().nulls_last(), a.id)
        .limit(limit + 1)
    )
    with store.engine.connect() as conn:
        rows = list(conn.execute(stmt))
        more = len(rows) > limit
        rows = rows[:limit]
        found = {x.id: x for x in _articles(conn, [r.id for r in rows])}
        n = _event_counts(conn, events.c.article_id, list(found))
    items = [(found[r.id], n.get(r.id, 0)) for r in rows]
    nxt = (
        PageCursor(rows[-1].published.isoformat() if rows[-1].published else "", rows[-1].id)
        if more
        else None
    )
    return Page(items, nxt)


def _event_counts(conn: Connection, column: ColumnElement, keys: list[str]) -> dict[str, int]:
    if not keys:
        return {}
    stmt = select(column, func.count()).where(column.in_(keys)).group_by(column)
    return {k: n for k, n in conn.execute(stmt)}


def _articles(conn: Connection, ids: list[str]) -> list[Article]:
    if not ids:
        return []
    rows = {r["id"]: r for r in conn.execute(select(articles).where(articles.c.id.in_(ids))).mappings()}
    return [article_from_row(rows[i]) for i in ids if i in rows]


# ---------------------------------------------------------------- places


def places_page(
    store: Store,
    *,
    q: str | None = None,
    kind: str | None = None,
    bbox: BBox | None = None,
    limit: int,
    cursor: PageCursor | None = None,
) -> Page[tuple[GazetteerEntry, int]]:
    """Gazetteer entries that are the main place of at least one event, by name, with event counts."""
    g = gazetteer_places.c
    # Counted in a subquery: PostgreSQL cannot GROUP BY the entry's JSON column.
    counted = (
        select(events.c.place_entry_id.label("entry_id"), func.count().label("n"))
        .where(events.c.place_entry_id.is_not(None))
        .group_by(events.c.place_entry_id)
        .subquery()
    )
    where: list[ColumnElement[bool]] = []
    if q:
        where.append(g.name.ilike(_like(q), escape="\\"))
    if kind:
        where.append(g.kind == kind)
    if bbox is not None:
        where += [g.lat >= bbox.minlat, g.lat <= bbox.maxlat, g.lon >= bbox.minlon, g.lon <= bbox.maxlon]
    if cursor is not None:
        where.append(or_(g.name > cursor.key, and_(g.name == cursor.key, g.entry_id > cursor.id)))
    stmt = (
        select(gazetteer_places, counted.c.n)
        .join(counted, counted.c.entry_id == g.entry_id)
        .where(*where)
        .order_by(g.name, g.entry_id)
        .limit(limit + 1)
    )
    with store.engine.connect() as conn:
        rows = list(conn.execute(stmt))
    more = len(rows) > limit
    rows = rows[:limit]
    items = [(entry_from_row(r._mapping), r.n) for r in rows]
    return Page(items, PageCursor(rows[-1].name, rows[-1].entry_id) if more else None)


def place(store: Store, entry_id: str) -> tuple[GazetteerEntry, int] | None:
    """A stored gazetteer entry with the number of events placed there."""
    with store.engine.connect() as conn:
        row = conn.execute(select(gazetteer_places).where(gazetteer_places.c.entry_id == entry_id)).first()
        if row is None:
            return None
        n = conn.execute(select(func.count()).where(events.c.place_entry_id == entry_id)).scalar_one()
    return entry_from_row(row._mapping), n


def explain_events(
    store: Store, flt: EventFilter, *, limit: int = 100, cursor: PageCursor | None = None
) -> list[str]:
    """The database's plan for one events page (EXPLAIN QUERY PLAN on SQLite, EXPLAIN elsewhere):
    of its dated rows, which come first (the undated ones, if any, are read after them)."""
    dated, _ = _page_statements("docs", _shape(flt), _cursor_kind(cursor))
    if dated is None:
        raise InvalidCursor("an undated cursor: the rest of the page has no dated rows")
    stmt = dated.params(_bound_values(flt, cursor), page_limit=limit + 1)
    sql = str(stmt.compile(store.engine, compile_kwargs={"literal_binds": True}))
    prefix = "EXPLAIN QUERY PLAN " if store.dialect == "sqlite" else "EXPLAIN "
    with store.engine.connect() as conn:
        return [" ".join(str(x) for x in row) for row in conn.exec_driver_sql(prefix + sql)]
