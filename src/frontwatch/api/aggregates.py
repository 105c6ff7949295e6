"""/aggregates: event counts per grid cell and type, the map's layer below its points zoom."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from frontwatch.api.cache import GenerationCache
from frontwatch.api.deps import EventFilterDep, StoreDep, require_read
from frontwatch.api.errors import invalid
from frontwatch.api.schemas import ErrorOut, GridOut
from frontwatch.store import Store, aggregates
from frontwatch.store.query import EventFilter

router = APIRouter(tags=["events"], dependencies=[Depends(require_read)])
_ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorOut} for code in (401, 403, 422)}
CELLS = ", ".join(f"{aggregates.cell_size(x):g}" for x in aggregates.LEVELS)


@router.get("/aggregates", response_model=GridOut, summary="Event counts per grid cell", responses=_ERRORS)
async def grid(
    request: Request,
    store: StoreDep,
    flt: EventFilterDep,
    cell: Annotated[float, Query(description=f"Cell size in degrees: one of {CELLS}")] = 1.0,
) -> Response:
    """Events matching the filters counted per grid cell and type; a cell that meets `bbox` counts whole."""
    try:
        aggregates.level_for(cell)
    except ValueError as exc:
        raise invalid(f"cell: {exc}") from exc
    # The map asks again for the views it has shown (slider back and forth, pans): answers are kept
    # until the events change.
    cache: GenerationCache[bytes] = request.app.state.aggregates_cache
    generation = aggregates.current_generation(store)
    body = cache.get(generation, (flt, cell))
    if body is None:
        if aggregates.answers_from_running_counts(flt):
            # Two bisections per cell and type in the level's running counts: inline.
            counts = await _running_counts(request, store, aggregates.level_for(cell), generation)
            body = _grid_json(store, flt, cell, counts)
        else:  # counting the events themselves may take long: keep the event loop free
            body = await run_in_threadpool(_grid_json, store, flt, cell, None)
        cache.put(generation, (flt, cell), body)
    return Response(body, media_type="application/json")


async def _running_counts(
    request: Request, store: Store, level: int, generation: int
) -> aggregates.RunningCounts:
    """The level's running counts in memory, read again (once, off the event loop) when the events
    have changed since they were read."""
    kept: dict[int, aggregates.RunningCounts] = request.app.state.running_counts
    async with request.app.state.running_counts_lock:
        counts = kept.get(level)
        if counts is None or counts.generation < generation:
            counts = kept[level] = await run_in_threadpool(aggregates.running_counts, store, level)
    return counts


def _grid_json(store: Store, flt: EventFilter, cell: float, counts: aggregates.RunningCounts | None) -> bytes:
    """GridOut's JSON, written directly: hundreds of cells through pydantic cost more than the query."""
    found = aggregates.grid(store, flt, cell=cell, counts=counts)
    cells = [{"lon": c.lon, "lat": c.lat, "event_type": c.event_type, "count": c.count} for c in found.cells]
    body = {"cell": found.cell, "total": found.total, "cells": cells}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
