"""The FastAPI application, made by a factory from explicit settings (no engine at import)."""

from __future__ import annotations

import importlib.util
import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from frontwatch import __version__
from frontwatch.api import articles, events, health, places
from frontwatch.api.errors import ApiError, install_error_handlers
from frontwatch.api.schemas import ArticleIn
from frontwatch.errors import InputError
from frontwatch.model import Article, Event
from frontwatch.settings import Settings
from frontwatch.store import Store, open_store

if TYPE_CHECKING:
    from frontwatch.gazetteer import Gazetteer

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parents[1] / "web" / "static"

Ingest = Callable[[ArticleIn], tuple[Article, list[Event]]]


def _ingester(store: Store) -> Ingest:
    """POST /articles' work: the body read as a JSON Lines record, analysed and stored."""
    lock = threading.Lock()
    gazetteers: list[Gazetteer] = []

    def ingest(body: ArticleIn) -> tuple[Article, list[Event]]:
        from frontwatch.derive import merge_new
        from frontwatch.gazetteer import Gazetteer
        from frontwatch.ingest.jsonl import parse_record
        from frontwatch.pipeline import analyse

        try:
            article = parse_record(body.model_dump(mode="json"), origin="POST /articles", published=None)
        except InputError as exc:
            raise ApiError(422, exc.reason) from exc
        with lock:  # one analysis at a time: spaCy and the gazetteer index are shared
            if not gazetteers:
                gazetteers.append(Gazetteer.open_default())
            extracted = analyse(article, gazetteer=gazetteers[0])
            store.save(extracted)
            merge_new(store, [article.id])  # its events join their clusters at once
        return article, list(extracted.events)

    return ingest


def create_app(settings: Settings) -> FastAPI:
    """The API and, at "/", the web map; the store opens when the app starts."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = open_store(settings.db_url)
        app.state.store = store
        app.state.ingest = _ingester(store)
        try:
            yield
        finally:
            store.close()

    app = FastAPI(
        title="FrontWatch",
        version=__version__,
        summary="Sourced, geolocated events from reports about the Russia-Ukraine war",
        description="Every event links back to its evidence sentence, claimant and article. "
        'Errors share one shape: `{"error": {"code", "message", "detail"}}`.',
        lifespan=lifespan,
    )
    app.state.settings = settings
    install_error_handlers(app)
    for module in (health, events, places, articles):
        app.include_router(module.router)
    if importlib.util.find_spec("frontwatch.api.control") is not None:
        from frontwatch.api import control

        app.include_router(control.router)
    # Mounted last so that every API path wins over a static file of the same name.
    if STATIC_DIR.is_dir():
        app.mount("/", StaticFiles(directory=STATIC_DIR, html=True), name="web")
    else:
        log.warning("web map not served: %s is missing", STATIC_DIR)
    return app


def app_from_env() -> FastAPI:
    """`create_app` with settings from the environment: the factory uvicorn's worker processes import."""
    return create_app(Settings.from_env())
