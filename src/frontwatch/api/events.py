"""/events, /events/{id}, /events.geojson and /facets."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from frontwatch import derive
from frontwatch.api.cache import GenerationCache
from frontwatch.api.deps import CursorDep, EventFilterDep, EventIdPath, Limit, StoreDep, require_read
from frontwatch.api.errors import not_found
from frontwatch.api.schemas import (
    ArticleRefOut,
    ClusterMemberOut,
    ClusterOut,
    CountOut,
    ErrorOut,
    EventDetailOut,
    EventOut,
    FacetsOut,
    Page,
    context_around,
)
from frontwatch.export import feature_collection
from frontwatch.public import doc_with_cluster
from frontwatch.store import Store, aggregates, query

router = APIRouter(tags=["events"], dependencies=[Depends(require_read)])
_ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorOut} for code in (401, 403, 404, 422)}


@router.get("/events", response_model=Page[EventOut], summary="List events", responses=_ERRORS)
async def list_events(
    store: StoreDep, flt: EventFilterDep, cursor: CursorDep, limit: Limit = 100
) -> Response:
    """Events matching every given filter, ordered by date then id; follow `next_cursor` for more."""
    # The hot path of the map and of clients: the store keeps each event's public JSON (the object
    # EventOut validates, serialised as pydantic would), so a page is joined text, not rebuilt models.
    if query.is_short_scan(flt):
        # A ~1 ms indexed read: inline it costs less than the thread-pool hop, whose GIL hand-offs
        # doubled p95 under 20 clients (bench/api.py).
        page = query.event_docs_page(store, flt, limit=limit, cursor=cursor)
    else:  # a scan that may take long must not hold up the other requests on this event loop
        page = await run_in_threadpool(query.event_docs_page, store, flt, limit=limit, cursor=cursor)
    nxt = json.dumps(query.encode_cursor(page.next)) if page.next else "null"
    body = '{"items":[' + ",".join(page.items) + '],"next_cursor":' + nxt + "}"
    return Response(body.encode(), media_type="application/json")


@router.get(
    "/events.geojson",
    summary="Events as a GeoJSON FeatureCollection",
    responses={200: {"content": {"application/geo+json": {}}}, **_ERRORS},
)
def events_geojson(store: StoreDep, flt: EventFilterDep, limit: Limit | None = None) -> Response:
    """The same filters as /events, every match (or the first `limit`); events with no place are left out."""
    # Validated from the stored JSON objects: no Event rebuilt from the normalised tables.
    docs = query.iter_event_docs(store, flt, limit=limit)
    collection = feature_collection(EventOut.model_validate_json(d) for d in docs)
    body = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    return Response(body, media_type="application/geo+json")


@router.get(
    "/events/{event_id}",
    response_model=EventDetailOut,
    summary="One event",
    responses={**_ERRORS, 409: {"model": ErrorOut, "description": "The id prefix matches several events"}},
)
async def get_event(store: StoreDep, event_id: EventIdPath) -> Response:
    """The event with its article and the paragraph that holds its evidence."""
    # A few indexed reads (~2 ms): inline on the event loop, like a short /events page (the thread-pool
    # hop cost more under 20 clients); serialised once here instead of re-validated against the model.
    detail = _event_detail(store, event_id)
    return Response(detail.model_dump_json(by_alias=True), media_type="application/json")


def _event_detail(store: Store, event_id: str) -> EventDetailOut:
    ident = query.event_id_of(store, event_id)
    found_cluster = derive.event_cluster(store, ident) if ident is not None else None
    # the cluster lists the event itself with its article: no second read of them
    own = (
        next((m.report for m in found_cluster.members if m.report.event_id == ident), None)
        if found_cluster
        else None
    )
    if own is None and ident is not None:  # not merged yet
        own = query.event_reports(store, [ident]).get(ident)
    if own is None:
        raise not_found("event", event_id)
    cluster = _cluster_out(found_cluster) if found_cluster else None
    out = EventOut.model_validate_json(doc_with_cluster(own.doc, cluster.id if cluster else None))
    article = own.article
    return EventDetailOut(
        cluster=cluster,
        **dict(out),
        article=ArticleRefOut(
            id=article.id,
            title=article.title,
            url=article.url,
            source=article.source,
            published=article.published,
        ),
        context=context_around(article.text, out.evidence.start_char, out.evidence.end_char),
    )


def _cluster_out(found: derive.EventCluster) -> ClusterOut:
    members = [
        ClusterMemberOut(
            event_id=m.report.event_id,
            canonical=m.canonical,
            source=m.source,
            outlet=m.report.article.source,
            title=m.report.article.title,
            published=m.report.article.published,
            evidence=m.report.evidence,
            why=m.why,
        )
        for m in found.members
    ]
    return ClusterOut(
        id=found.cluster_id, independent_sources=found.independent_sources, members=members, size=found.size
    )


@router.get("/facets", response_model=FacetsOut, summary="Counts for the map's filters", responses=_ERRORS)
async def facets(request: Request, store: StoreDep, flt: EventFilterDep) -> Response:
    """Date range, counts per type, sub-type, actor and modality of the events matching the filters."""
    # Counting a million events takes seconds: answers are kept until the events change.
    cache: GenerationCache[bytes] = request.app.state.facets_cache
    generation = aggregates.current_generation(store)
    body = cache.get(generation, flt)
    if body is None:
        body = await run_in_threadpool(_facets_json, store, flt)
        cache.put(generation, flt, body)
    return Response(body, media_type="application/json")


def _facets_json(store: Store, flt: query.EventFilter) -> bytes:
    f = query.facets(store, flt)

    def counts(pairs: list[tuple[str, int]]) -> list[CountOut]:
        return [CountOut(value=v, count=n) for v, n in pairs]

    out = FacetsOut(
        date_min=f.date_min,
        date_max=f.date_max,
        event_types=counts(f.event_types),
        sub_event_types=counts(f.sub_event_types),
        actors=counts(f.actors),
        modalities=counts(f.modalities),
        count=f.count,
    )
    return out.model_dump_json().encode()
