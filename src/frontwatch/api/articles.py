"""/articles: list, read and ingest reports."""

from __future__ import annotations

import json
import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from frontwatch.api.deps import (
    ArticleIdPath,
    CursorDep,
    Limit,
    SettingsDep,
    StoreDep,
    require_read,
    require_write,
)
from frontwatch.api.errors import ApiError, not_found
from frontwatch.api.schemas import (
    ArticleDetailOut,
    ArticleIn,
    ArticleOut,
    ErrorOut,
    EventOut,
    IngestOut,
    Page,
)
from frontwatch.errors import InputError
from frontwatch.ingest.jsonl import parse_record
from frontwatch.model import Article
from frontwatch.store import query

log = logging.getLogger(__name__)
router = APIRouter(tags=["articles"])
_ERRORS: dict[int | str, dict] = {code: {"model": ErrorOut} for code in (401, 403, 404, 422)}


@router.get(
    "/articles",
    response_model=Page[ArticleOut],
    summary="List articles",
    responses=_ERRORS,
    dependencies=[Depends(require_read)],
)
def list_articles(
    store: StoreDep,
    cursor: CursorDep,
    q: Annotated[str | None, Query(description="Text in the title", min_length=1)] = None,
    source: Annotated[str | None, Query(description="Outlet")] = None,
    limit: Limit = 100,
) -> Page[ArticleOut]:
    """Stored articles, newest first, with their event counts."""
    page = query.articles_page(store, q=q, source=source, limit=limit, cursor=cursor)
    return Page[ArticleOut](
        items=[ArticleOut.from_article(a, event_count=n) for a, n in page.items],
        next_cursor=query.encode_cursor(page.next) if page.next else None,
    )


@router.get(
    "/articles/{article_id}",
    response_model=ArticleDetailOut,
    summary="One article with its text and events",
    responses=_ERRORS,
    dependencies=[Depends(require_read)],
)
def get_article(store: StoreDep, article_id: ArticleIdPath) -> ArticleDetailOut:
    article = query.article(store, article_id)
    if article is None:
        raise not_found("article", article_id)
    events = [
        EventOut.from_event(e) for e in query.iter_events(store, query.EventFilter(article_id=article_id))
    ]
    return ArticleDetailOut(
        **dict(ArticleOut.from_article(article, event_count=len(events))), text=article.text, events=events
    )


async def _read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 from its Content-Length or as soon as it outgrows `limit`."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, f"the body is {int(declared):,} bytes; the limit is {limit:,} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, f"the body is over the limit of {limit:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _article(raw: bytes, *, limit: int) -> Article:
    """The body as a report: 400 if it is not JSON, 422 if it is not a report (the one error shape)."""
    try:
        record = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise ApiError(400, f"the body is not JSON: {exc}") from exc
    try:
        body = ArticleIn.model_validate(record)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False), body=record) from exc
    try:
        article = parse_record(body.model_dump(mode="json"), origin="POST /articles", published=None)
    except InputError as exc:
        raise ApiError(422, exc.reason) from exc
    size = len(article.text.encode("utf-8"))
    if size > limit:
        raise ApiError(413, f"the article is {size:,} bytes; the limit is {limit:,} bytes")
    return article


_POST_ERRORS: dict[int | str, dict] = {
    code: {"model": ErrorOut, "description": text}
    for code, text in (
        (400, "The body is not JSON"),
        (401, "No bearer token"),
        (403, "The token does not grant writes, or writes are closed"),
        (413, "The body or the article is over the size limit"),
        (422, "The body is not a report (the message says which field)"),
        (503, "Too many reports waiting, or the analysis took too long: retry after `Retry-After` seconds"),
    )
}


@router.post(
    "/articles",
    response_model=IngestOut,
    status_code=status.HTTP_201_CREATED,
    summary="Ingest one report (needs the write token)",
    responses=_POST_ERRORS,
    dependencies=[Depends(require_write)],
    # The body is read here, after the token check and under the size limit: declared by hand.
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ArticleIn.model_json_schema()}},
        }
    },
)
async def post_article(request: Request, settings: SettingsDep) -> IngestOut:
    """Analyse the report (annotate, resolve, extract) and store it with its events; idempotent.

    Checked in this order: the token (401, 403), the size (413), the body (400, 422).
    """
    raw = await _read_body(request, settings.max_body_bytes)
    article = _article(raw, limit=settings.max_article_bytes)
    events = await request.app.state.ingester.ingest(article, request)
    return IngestOut(
        article=ArticleOut.from_article(article, event_count=len(events)),
        events=[EventOut.from_event(e) for e in events],
    )
