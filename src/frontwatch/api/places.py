"""/places and /places/{id}: the gazetteer entries events are placed at."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from frontwatch.api.deps import BBoxQuery, CursorDep, Limit, PlaceIdPath, StoreDep, parse_bbox, require_read
from frontwatch.api.errors import not_found
from frontwatch.api.schemas import ErrorOut, EventOut, Page, PlaceDetailOut, PlaceOut, PlaceSummaryOut
from frontwatch.model import PlaceKind
from frontwatch.store import query

router = APIRouter(tags=["places"], dependencies=[Depends(require_read)])
_ERRORS: dict[int | str, dict] = {
    404: {"model": ErrorOut},
    422: {"model": ErrorOut},
    401: {"model": ErrorOut},
}


@router.get(
    "/places", response_model=Page[PlaceSummaryOut], summary="List places with events", responses=_ERRORS
)
def list_places(
    store: StoreDep,
    cursor: CursorDep,
    q: Annotated[str | None, Query(description="Text in the place's name", min_length=1)] = None,
    kind: Annotated[PlaceKind | None, Query(description="city, town, village, admin1, river, ...")] = None,
    bbox: BBoxQuery = None,
    limit: Limit = 100,
) -> Page[PlaceSummaryOut]:
    """Places that at least one event is placed at, with their event counts, by name."""
    page = query.places_page(
        store,
        q=q,
        kind=str(kind) if kind else None,
        bbox=parse_bbox(bbox) if bbox is not None else None,
        limit=limit,
        cursor=cursor,
    )
    items = [PlaceSummaryOut(**dict(PlaceOut.from_entry(entry)), event_count=n) for entry, n in page.items]
    return Page[PlaceSummaryOut](
        items=items, next_cursor=query.encode_cursor(page.next) if page.next else None
    )


@router.get(
    "/places/{place_id}", response_model=PlaceDetailOut, summary="One place and its events", responses=_ERRORS
)
def get_place(
    store: StoreDep,
    place_id: PlaceIdPath,
    limit: Annotated[int, Query(ge=1, le=5000, description="At most this many events")] = 1000,
) -> PlaceDetailOut:
    """A place with the events placed there (main place), newest last."""
    found = query.place(store, place_id)
    if found is None:
        raise not_found("place", place_id)
    entry, count = found
    events = query.iter_events(store, query.EventFilter(place=place_id), limit=limit)
    return PlaceDetailOut(
        **dict(PlaceOut.from_entry(entry)), event_count=count, events=[EventOut.from_event(e) for e in events]
    )
