"""Dependencies as ``Annotated`` aliases: settings, store, tokens and the shared event filters."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from frontwatch.api.errors import ApiError, invalid
from frontwatch.api.schemas import IsoDate
from frontwatch.model import Modality
from frontwatch.settings import Settings
from frontwatch.store import Store
from frontwatch.store.query import BBox, EventFilter, InvalidCursor, InvalidFilter, PageCursor, decode_cursor

# The dependencies are `async def` because none of them blocks: FastAPI runs a plain `def` dependency
# in its thread pool, a hop per dependency per request that showed in /events latency under load.
_bearer = HTTPBearer(auto_error=False, description="Bearer token: the write token, or the read token if set")


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_store(request: Request) -> Store:
    return request.app.state.store


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def _matches(given: HTTPAuthorizationCredentials | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.credentials.encode(), expected.encode())


async def require_read(settings: SettingsDep, credentials: Credentials) -> None:
    """Reads are open unless settings.read_token is set; the write token also grants reads."""
    if settings.read_token is None:
        return
    if credentials is None:
        raise ApiError(401, "reads need a bearer token", headers={"WWW-Authenticate": "Bearer"})
    if not (
        _matches(credentials, settings.read_token)
        or (settings.write_token is not None and _matches(credentials, settings.write_token))
    ):
        raise ApiError(403, "the bearer token does not grant reads")


async def require_write(settings: SettingsDep, credentials: Credentials) -> None:
    """Writes need settings.write_token; with none configured they are closed."""
    if settings.write_token is None:
        raise ApiError(403, "writes are closed: the server has no write token configured")
    if credentials is None:
        raise ApiError(401, "writes need a bearer token", headers={"WWW-Authenticate": "Bearer"})
    if not _matches(credentials, settings.write_token):
        raise ApiError(403, "the bearer token does not grant writes")


# Formats stated in the OpenAPI document (and enforced: a value out of its format gets 422).
_NUMBER = r"\s*[-+]?(\d+(\.\d*)?|\.\d+)\s*"
BBOX_PATTERN = rf"^{_NUMBER}(,{_NUMBER}){{3}}$"
CURSOR_PATTERN = r"^[A-Za-z0-9_-]+$"
EVENT_ID_PATTERN = r"^(ev:)?[0-9a-f]+$"  # "ev:" may be left out; a unique prefix of 6+ characters will do
ARTICLE_ID_PATTERN = r"^[0-9a-f]+$"
PLACE_ID_PATTERN = r"^[a-z][a-z0-9-]*:[A-Za-z0-9:_.-]+$"  # gn:707292, katotth:UA63..., adm:UA-...

BBoxQuery = Annotated[
    str | None,
    Query(
        description="minlon,minlat,maxlon,maxlat: degrees, lon in [-180, 180], lat in [-90, 90], min <= max",
        pattern=BBOX_PATTERN,
        examples=["36,48,39,50"],
    ),
]
EventIdPath = Annotated[
    str,
    Path(
        description="An event id, or a unique prefix of 6+ characters; 'ev:' optional",
        pattern=EVENT_ID_PATTERN,
    ),
]
ArticleIdPath = Annotated[str, Path(description="An article id (16 hex digits)", pattern=ARTICLE_ID_PATTERN)]
PlaceIdPath = Annotated[
    str, Path(description="A gazetteer entry id, e.g. gn:707292", pattern=PLACE_ID_PATTERN, max_length=200)
]


def parse_bbox(text: str) -> BBox:
    """'minlon,minlat,maxlon,maxlat' → BBox, or 422 naming what is wrong."""
    try:
        return BBox.parse(text)
    except InvalidFilter as exc:
        raise invalid(f"bbox: {exc}") from exc


async def event_filter(
    since: Annotated[IsoDate | None, Query(description="Events on or after this day (YYYY-MM-DD)")] = None,
    until: Annotated[IsoDate | None, Query(description="Events on or before this day (YYYY-MM-DD)")] = None,
    bbox: BBoxQuery = None,
    type: Annotated[
        str | None, Query(description="ACLED event_type or sub_event_type, or FrontWatch fw_type")
    ] = None,
    actor: Annotated[str | None, Query(description="Actor name, side or unit (case-insensitive)")] = None,
    place: Annotated[str | None, Query(description="Place name or gazetteer entry id")] = None,
    source: Annotated[
        str | None, Query(description="Outlet of the article or the claim, or claimant")
    ] = None,
    modality: Annotated[Modality | None, Query(description="asserted, claimed, estimated, ...")] = None,
    q: Annotated[str | None, Query(description="Text to find in the evidence", min_length=1)] = None,
    article_id: Annotated[str | None, Query(description="Only events of this article")] = None,
) -> EventFilter:
    if since and until and since > until:
        raise invalid(f"since ({since}) is after until ({until})")
    return EventFilter(
        since=since,
        until=until,
        bbox=parse_bbox(bbox) if bbox is not None else None,
        type=type,
        actor=actor,
        place=place,
        source=source,
        modality=str(modality) if modality else None,
        q=q,
        article_id=article_id,
    )


EventFilterDep = Annotated[EventFilter, Depends(event_filter)]


async def page_cursor(
    cursor: Annotated[
        str | None, Query(description="The next_cursor of the previous page", pattern=CURSOR_PATTERN)
    ] = None,
) -> PageCursor | None:
    if cursor is None:
        return None
    try:
        return decode_cursor(cursor)
    except InvalidCursor as exc:
        raise invalid(f"cursor: {exc}") from exc


CursorDep = Annotated[PageCursor | None, Depends(page_cursor)]
Limit = Annotated[int, Query(ge=1, le=1000, description="Page size (1-1000)")]
