"""/health: is the server up and is its store readable."""

from __future__ import annotations

from fastapi import APIRouter

from frontwatch import __version__
from frontwatch.api.deps import StoreDep
from frontwatch.api.schemas import HealthOut
from frontwatch.store import query

router = APIRouter(tags=["health"])


@router.get("/health", response_model=HealthOut, summary="Liveness and store counts")
def health(store: StoreDep) -> HealthOut:
    events, articles = query.counts(store)
    return HealthOut(status="ok", version=__version__, events=events, articles=articles)
