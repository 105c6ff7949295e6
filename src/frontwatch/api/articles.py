"""/articles: list, read and ingest reports."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.concurrency import run_in_threadpool

from frontwatch.api.deps import CursorDep, Limit, StoreDep, require_read, require_write
from frontwatch.api.errors import not_found
from frontwatch.api.schemas import (
    ArticleDetailOut,
    ArticleIn,
    ArticleOut,
    ErrorOut,
    EventOut,
    IngestOut,
    Page,
)
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
def get_article(store: StoreDep, article_id: str) -> ArticleDetailOut:
    article = query.article(store, article_id)
    if article is None:
        raise not_found("article", article_id)
    events = [
        EventOut.from_event(e) for e in query.iter_events(store, query.EventFilter(article_id=article_id))
    ]
    return ArticleDetailOut(
        **dict(ArticleOut.from_article(article, event_count=len(events))), text=article.text, events=events
    )


@router.post(
    "/articles",
    response_model=IngestOut,
    status_code=status.HTTP_201_CREATED,
    summary="Ingest one report (needs the write token)",
    responses=_ERRORS,
    dependencies=[Depends(require_write)],
)
async def post_article(request: Request, body: ArticleIn) -> IngestOut:
    """Analyse the report (annotate, resolve, extract) and store it with its events; idempotent."""
    ingest = request.app.state.ingest
    article, events = await run_in_threadpool(ingest, body)
    return IngestOut(
        article=ArticleOut.from_article(article, event_count=len(events)),
        events=[EventOut.from_event(e) for e in events],
    )
