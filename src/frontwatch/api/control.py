"""/places/{id}/control, /control and /conflicts: who held what, and where the sources disagree."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from frontwatch import derive
from frontwatch.api.deps import BBoxQuery, PlaceIdPath, StoreDep, parse_bbox, require_read
from frontwatch.api.errors import not_found
from frontwatch.api.schemas import ErrorOut, IsoDate
from frontwatch.conflicts import Conflict
from frontwatch.control import ControlInterval
from frontwatch.model import GazetteerEntry

router = APIRouter(tags=["control"], dependencies=[Depends(require_read)])
_ERRORS: dict[int | str, dict] = {
    404: {"model": ErrorOut},
    422: {"model": ErrorOut},
    401: {"model": ErrorOut},
}


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class ControlPlaceOut(_Out):
    id: str = Field(description="Gazetteer entry id")
    name: str
    lat: float
    lon: float

    @classmethod
    def from_entry(cls, entry: GazetteerEntry) -> ControlPlaceOut:
        return cls(id=entry.id, name=entry.name, lat=entry.lat, lon=entry.lon)


class ControlIntervalOut(_Out):
    """One side holding one place from `since` until `until` (null: still, as far as reports go)."""

    place: ControlPlaceOut
    holder: str = Field(description="The side holding the place: 'Russia', 'Ukraine', ...")
    since: dt.date | None
    since_precision: str = Field(description="day, on or before, on or after, range, month, year, unknown")
    until: dt.date | None
    until_precision: str | None
    modality: str = Field(description="Strongest modality among the evidence: asserted > claimed > ...")
    status: str = Field(description="'confirmed' (≥ 2 independent sources) or 'single source'")
    sources: int = Field(description="Number of independent sources")
    source_keys: list[str] = Field(description="The independent sources: claimant, else outlet, else article")
    claimants: list[str] = Field(description="Who says so, e.g. 'Maxim Strelnik (Espresso TV)'")
    events: list[str] = Field(description="Evidence event ids, the change that opened the interval first")
    disputed: bool
    conflicts: list[str] = Field(description="Ids of conflicts touching this interval's evidence")

    @classmethod
    def from_interval(cls, i: ControlInterval) -> ControlIntervalOut:
        return cls(
            place=ControlPlaceOut.from_entry(i.place),
            holder=i.holder,
            since=i.since,
            since_precision=str(i.since_precision),
            until=i.until,
            until_precision=str(i.until_precision) if i.until_precision else None,
            modality=str(i.modality),
            status=i.status,
            sources=len(i.sources),
            source_keys=list(i.sources),
            claimants=list(i.claimants),
            events=list(i.events),
            disputed=i.disputed,
            conflicts=list(i.conflicts),
        )


class PlaceControlOut(_Out):
    place: ControlPlaceOut
    intervals: list[ControlIntervalOut]


class ConflictOut(_Out):
    id: str
    kind: str = Field(
        description="'denial' (one report denies another) or 'holder' (different holders, same day)"
    )
    place: ControlPlaceOut
    day: dt.date | None
    events: list[str] = Field(description="The two contradicting event ids")
    holders: list[str | None]
    detail: str

    @classmethod
    def from_conflict(cls, c: Conflict) -> ConflictOut:
        return cls(
            id=c.id,
            kind=c.kind,
            place=ControlPlaceOut.from_entry(c.place),
            day=c.day,
            events=list(c.event_ids),
            holders=list(c.holders),
            detail=c.detail,
        )


@router.get(
    "/places/{place_id}/control",
    response_model=PlaceControlOut,
    summary="Control timeline of one place",
    responses=_ERRORS,
)
def place_control(store: StoreDep, place_id: PlaceIdPath) -> PlaceControlOut:
    """Who held the place when, each interval with its evidence, modality and independent sources."""
    entry, intervals = derive.place_timeline(store, place_id)
    if entry is None:
        raise not_found("place", place_id)
    return PlaceControlOut(
        place=ControlPlaceOut.from_entry(entry),
        intervals=[ControlIntervalOut.from_interval(i) for i in intervals],
    )


@router.get(
    "/control", response_model=list[ControlIntervalOut], summary="Who held what on a day", responses=_ERRORS
)
def control_on(
    store: StoreDep,
    date: Annotated[IsoDate, Query(description="The day (YYYY-MM-DD)")],
    bbox: BBoxQuery = None,
) -> list[ControlIntervalOut]:
    """Every place whose holder on `date` is known, with its interval (the map's control layer)."""
    box = parse_bbox(bbox) if bbox is not None else None
    bounds = (box.minlon, box.minlat, box.maxlon, box.maxlat) if box is not None else None
    return [ControlIntervalOut.from_interval(i) for i in derive.store_held_on(store, date, bbox=bounds)]


@router.get(
    "/conflicts", response_model=list[ConflictOut], summary="Contradicting reports", responses=_ERRORS
)
def list_conflicts(store: StoreDep) -> list[ConflictOut]:
    """Pairs of reports that contradict each other about who controls a place."""
    return [ConflictOut.from_conflict(c) for c in derive.store_conflicts(store)]
