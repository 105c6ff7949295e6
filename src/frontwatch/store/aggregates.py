"""Event counts per grid cell and type for the zoomed-out map, and the store's change counter.

A map of the whole country over a year covers hundreds of thousands of events; counting them per
request does not fit a 100 ms budget. ``event_cells`` keeps, per grid level, cell and event type, the
*running* count of events up to each day that has some (a prefix sum). The count in any time window is
then two look-ups per cell and type, however long the window: ``cum(until) - cum(since - 1)``, as
index seeks (`window_cells`) or, in the API, bisections of a level's counts held in memory
(`RunningCounts`).
Saving an article updates the running counts of its events' cells (`record_article`);
`rebuild` recomputes them all in one SQL statement (migration 7, bulk loads).

``store_state.events_generation`` goes up with every change to the events, so that caches in other
processes (the API's /facets) know when to drop what they hold.
"""

from __future__ import annotations

import datetime as dt
import math
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Date,
    Float,
    Integer,
    ScalarSelect,
    String,
    Table,
    and_,
    bindparam,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
    update,
)

from frontwatch.store import query
from frontwatch.store.query import BBox, EventFilter
from frontwatch.store.schema import events, metadata

if TYPE_CHECKING:
    from frontwatch.store import Store

# Cell sizes are 2**-level degrees: 2°, 1°, 0.5°, 0.25° (exact in binary, so the cell of a point is
# the same number in Python, SQLite and PostgreSQL).
LEVELS = (-1, 0, 1, 2)
UNDATED = dt.date(9999, 12, 31)  # undated events count only when no time window is asked for

event_cells = Table(
    "event_cells",
    metadata,
    Column("level", Integer, primary_key=True, autoincrement=False),
    Column("gx", Integer, primary_key=True, autoincrement=False),
    Column("gy", Integer, primary_key=True, autoincrement=False),
    Column("event_type", String(100), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("cum", Integer, nullable=False),  # events of this cell and type dated on or before `day`
    sqlite_with_rowid=False,  # the key is the row: a seek finds `cum` without a second lookup
)

# One row per (level, cell, type) that has events: what a window query walks.
event_cell_keys = Table(
    "event_cell_keys",
    metadata,
    Column("level", Integer, primary_key=True, autoincrement=False),
    Column("gx", Integer, primary_key=True, autoincrement=False),
    Column("gy", Integer, primary_key=True, autoincrement=False),
    Column("event_type", String(100), primary_key=True),
    sqlite_with_rowid=False,
)

store_state = Table(
    "store_state",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("value", Integer, nullable=False),
)

GENERATION = "events_generation"


def cell_size(level: int) -> float:
    return 2.0**-level


def level_for(cell: float) -> int:
    """The level whose cell is ``cell`` degrees; ValueError for a size not in LEVELS."""
    level = -round(math.log2(cell)) if math.isfinite(cell) and cell > 0 else None
    if level not in LEVELS or cell_size(level) != cell:
        sizes = ", ".join(f"{cell_size(x):g}" for x in LEVELS)
        raise ValueError(f"cell must be one of {sizes} degrees, not {cell:g}")
    return level


def cell_of(lon: float, lat: float, level: int) -> tuple[int, int]:
    size = cell_size(level)
    return math.floor((lon + 180.0) / size), math.floor((lat + 90.0) / size)


# ---------------------------------------------------------------- the change counter


def current_generation(store: Store) -> int:
    """How many times the events have changed (a cache key for what is computed from them)."""
    with store.engine.connect() as conn:
        return generation(conn)


def generation(conn: Connection) -> int:
    value = conn.execute(select(store_state.c.value).where(store_state.c.name == GENERATION)).scalar()
    return int(value or 0)


def bump_generation(conn: Connection) -> None:
    done = conn.execute(
        update(store_state).where(store_state.c.name == GENERATION).values(value=store_state.c.value + 1)
    )
    if done.rowcount == 0:
        conn.execute(insert(store_state).values(name=GENERATION, value=1))


# ---------------------------------------------------------------- keeping the running counts


def record_article(conn: Connection, article_id: str) -> None:
    """Count the stored events of one newly written article into ``event_cells`` (same transaction)."""
    e = events.c
    rows = conn.execute(
        select(e.event_type, e.date, e.lat, e.lon).where(e.article_id == article_id, e.lat.is_not(None))
    ).all()
    added: Counter[tuple[int, int, int, str, dt.date]] = Counter()
    for event_type, day, lat, lon in rows:
        for level in LEVELS:
            gx, gy = cell_of(lon, lat, level)
            added[(level, gx, gy, event_type, day or UNDATED)] += 1
    c = event_cells.c
    for (level, gx, gy, event_type, day), n in sorted(added.items()):
        key = and_(c.level == level, c.gx == gx, c.gy == gy, c.event_type == event_type)
        present = conn.execute(select(c.cum).where(key, c.day == day)).first()
        if present is None:
            before = conn.execute(
                select(c.cum).where(key, c.day < day).order_by(c.day.desc()).limit(1)
            ).scalar()
            conn.execute(
                insert(event_cells).values(
                    level=level, gx=gx, gy=gy, event_type=event_type, day=day, cum=before or 0
                )
            )
            k = event_cell_keys.c
            known = conn.execute(
                select(k.level).where(k.level == level, k.gx == gx, k.gy == gy, k.event_type == event_type)
            ).first()
            if known is None:
                conn.execute(insert(event_cell_keys).values(level=level, gx=gx, gy=gy, event_type=event_type))
        conn.execute(update(event_cells).where(key, c.day >= day).values(cum=c.cum + n))
    bump_generation(conn)  # also for events with no place: /facets counts those


def _cell_expr(
    conn: Connection, column: ColumnElement[float], offset: float, level: int
) -> ColumnElement[int]:
    scaled = (column + offset) / literal(cell_size(level), Float)
    if conn.dialect.name == "sqlite":
        return cast(scaled, Integer)  # truncation of a non-negative number is its floor
    return cast(func.floor(scaled), Integer)


def rebuild(conn: Connection) -> int:
    """Recompute every running count from the events table; returns the rows written."""
    conn.execute(delete(event_cells))
    conn.execute(delete(event_cell_keys))
    e = events.c
    written = 0
    for level in LEVELS:
        gx = _cell_expr(conn, e.lon, 180.0, level).label("gx")
        gy = _cell_expr(conn, e.lat, 90.0, level).label("gy")
        day = func.coalesce(e.date, UNDATED).label("day")
        daily = (
            select(gx, gy, e.event_type, day, func.count().label("n"))
            .where(e.lat.is_not(None), e.lon.is_not(None))
            .group_by(gx, gy, e.event_type, day)
            .subquery()
        )
        d = daily.c
        running = func.sum(d.n).over(partition_by=(d.gx, d.gy, d.event_type), order_by=d.day)
        stmt = select(literal(level), d.gx, d.gy, d.event_type, d.day, running)
        result = conn.execute(
            insert(event_cells).from_select(["level", "gx", "gy", "event_type", "day", "cum"], stmt)
        )
        written += result.rowcount or 0
    c = event_cells.c
    conn.execute(
        insert(event_cell_keys).from_select(
            ["level", "gx", "gy", "event_type"], select(c.level, c.gx, c.gy, c.event_type).distinct()
        )
    )
    bump_generation(conn)
    return written


# ---------------------------------------------------------------- reading


@dataclass(frozen=True, slots=True)
class Cell:
    """Events of one type in one grid cell; lon/lat is the cell's centre."""

    lon: float
    lat: float
    event_type: str
    count: int


def _cum_at(day_condition: ColumnElement[bool]) -> ScalarSelect[int]:
    """The running count of the outer key (event_cell_keys) on the last day meeting ``day_condition``."""
    k = event_cell_keys.c
    c = event_cells.c
    return (
        select(c.cum)
        .where(c.level == k.level, c.gx == k.gx, c.gy == k.gy, c.event_type == k.event_type, day_condition)
        .order_by(c.day.desc())
        .limit(1)
        .scalar_subquery()
    )


def window_cells(
    conn: Connection,
    *,
    level: int,
    since: dt.date | None,
    until: dt.date | None,
    cells: tuple[int, int, int, int] | None,
    event_type: str | None = None,
) -> list[Cell]:
    """Counts per cell and type of the events dated in [since, until] (None: open), from the running counts.

    ``cells`` (gx0, gy0, gx1, gy1) limits the grid cells read.
    """
    k = event_cell_keys.c
    c = event_cells.c
    where: list[ColumnElement[bool]] = [k.level == level]
    if cells is not None:
        gx0, gy0, gx1, gy1 = cells
        where += [k.gx >= gx0, k.gx <= gx1, k.gy >= gy0, k.gy <= gy1]
    if event_type is not None:
        where.append(k.event_type == event_type)
    top = _window_top(since, until)
    high = _cum_at(c.day <= bindparam("top", top, Date) if top else literal(True))
    low = _cum_at(c.day < bindparam("since", since, Date)) if since is not None else literal(0)
    stmt = select(k.gx, k.gy, k.event_type, high.label("high"), low.label("low")).where(*where)
    size = cell_size(level)
    out = []
    for gx, gy, kind, hi, lo in conn.execute(stmt):
        n = (hi or 0) - (lo or 0)
        if n > 0:
            out.append(Cell(gx * size - 180.0 + size / 2, gy * size - 90.0 + size / 2, kind, n))
    return out


def _window_top(since: dt.date | None, until: dt.date | None) -> dt.date | None:
    """The last day a window counts: None for no window at all (the undated count too)."""
    return until if until is not None else (None if since is None else dt.date(9999, 12, 30))


@dataclass(frozen=True, slots=True)
class RunningCounts:
    """One level's running counts (event_cells) in memory, read at one generation of the events: a new
    time window then costs two bisections per cell and type, not two SQL index seeks (the slider's
    uncached steps, bench/api.py). Its size: one day and count per cell, type and day with events."""

    level: int
    generation: int
    keys: list[tuple[int, int, str]]  # (gx, gy, event_type)
    days: list[list[dt.date]]  # per key, ascending
    cums: list[list[int]]  # per key: its events dated on or before each of its days

    def window(
        self, *, since: dt.date | None, until: dt.date | None, cells: tuple[int, int, int, int] | None
    ) -> list[Cell]:
        """`window_cells`, answered from memory."""
        top = _window_top(since, until)
        size = cell_size(self.level)
        out = []
        for (gx, gy, kind), days, cums in zip(self.keys, self.days, self.cums, strict=True):
            if cells is not None and not (cells[0] <= gx <= cells[2] and cells[1] <= gy <= cells[3]):
                continue
            high = cums[-1] if top is None else _cum_before(cums, bisect_right(days, top))
            low = 0 if since is None else _cum_before(cums, bisect_left(days, since))
            if high > low:
                out.append(Cell(gx * size - 180.0 + size / 2, gy * size - 90.0 + size / 2, kind, high - low))
        return out


def _cum_before(cums: list[int], end: int) -> int:
    """The running count of the day before index ``end`` (0 when there is none)."""
    return cums[end - 1] if end > 0 else 0


def running_counts(store: Store, level: int) -> RunningCounts:
    """The running counts of one level, read in key order."""
    c = event_cells.c
    stmt = (
        select(c.gx, c.gy, c.event_type, c.day, c.cum)
        .where(c.level == level)
        .order_by(c.gx, c.gy, c.event_type, c.day)
    )
    keys: list[tuple[int, int, str]] = []
    days: list[list[dt.date]] = []
    cums: list[list[int]] = []
    with store.engine.connect() as conn:
        # the generation first: counts changed since are newer than it says, and get read again
        seen = generation(conn)
        for gx, gy, kind, day, cum in conn.execute(stmt):
            if not keys or keys[-1] != (gx, gy, kind):
                keys.append((gx, gy, kind))
                days.append([])
                cums.append([])
            days[-1].append(day)
            cums[-1].append(cum)
    return RunningCounts(level, seen, keys, days, cums)


@dataclass(frozen=True, slots=True)
class Grid:
    """`grid`'s answer: the cells (whole cells that meet the bbox), their size and the events counted."""

    cell: float
    cells: list[Cell]
    total: int


def _cell_range(bbox: BBox | None, level: int) -> tuple[int, int, int, int] | None:
    if bbox is None:
        return None
    gx0, gy0 = cell_of(bbox.minlon, bbox.minlat, level)
    gx1, gy1 = cell_of(bbox.maxlon, bbox.maxlat, level)
    return gx0, gy0, gx1, gy1


def answers_from_running_counts(flt: EventFilter) -> bool:
    """True when only the time window and bbox filter: what the running counts can answer."""
    return not (flt.type or flt.actor or flt.place or flt.source or flt.modality or flt.q or flt.article_id)


def grid(store: Store, flt: EventFilter, *, cell: float, counts: RunningCounts | None = None) -> Grid:
    """Events matching ``flt`` counted per grid cell of ``cell`` degrees and event type.

    A cell that meets the bbox is counted whole (so a cell's count never depends on how the view cuts
    it). Window + bbox filters read the running counts (``counts``, that level's in memory, if given);
    any other filter counts the events in SQL.
    """
    level = level_for(cell)
    cells = _cell_range(flt.bbox, level)
    if counts is not None and counts.level != level:
        raise ValueError(f"running counts of level {counts.level} for cells of level {level}")
    window_only = answers_from_running_counts(flt)
    if window_only and counts is not None:
        found = counts.window(since=flt.since, until=flt.until, cells=cells)
    else:
        with store.engine.connect() as conn:
            if window_only:
                found = window_cells(conn, level=level, since=flt.since, until=flt.until, cells=cells)
            else:
                found = _counted_cells(conn, flt, level=level, cells=cells)
    found.sort(key=lambda x: (x.lon, x.lat, x.event_type))
    return Grid(cell=cell, cells=found, total=sum(x.count for x in found))


def _counted_cells(
    conn: Connection, flt: EventFilter, *, level: int, cells: tuple[int, int, int, int] | None
) -> list[Cell]:
    e = events.c
    size = cell_size(level)
    whole = replace(flt, bbox=None)
    where = [*query.filter_conditions(whole), e.lat.is_not(None), e.lon.is_not(None)]
    if cells is not None:
        gx0, gy0, gx1, gy1 = cells
        # Whole cells: the bbox widened to the cell edges, in the index's own columns.
        where += [
            e.lon >= gx0 * size - 180.0, e.lon < (gx1 + 1) * size - 180.0,
            e.lat >= gy0 * size - 90.0, e.lat < (gy1 + 1) * size - 90.0,
        ]  # fmt: skip
    gx = _cell_expr(conn, e.lon, 180.0, level).label("gx")
    gy = _cell_expr(conn, e.lat, 90.0, level).label("gy")
    stmt = select(gx, gy, e.event_type, func.count()).where(*where).group_by(gx, gy, e.event_type)
    return [
        Cell(x * size - 180.0 + size / 2, y * size - 90.0 + size / 2, kind, n)
        for x, y, kind, n in conn.execute(stmt)
    ]
