"""The FastAPI application, made by a factory from explicit settings (no engine at import)."""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import re
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from frontwatch import __version__
from frontwatch.api import aggregates, articles, events, health, places
from frontwatch.api.cache import GenerationCache
from frontwatch.api.errors import ApiError, error_response, install_error_handlers
from frontwatch.model import Article, Event
from frontwatch.settings import Settings
from frontwatch.store import Store, open_store

if TYPE_CHECKING:
    from frontwatch.gazetteer import Gazetteer

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parents[1] / "web" / "static"
# Scripts and styles only from the app itself (the map vendors Leaflet); map tiles from OpenStreetMap.
# Inline style *attributes* stay allowed: the markers' colours are set that way, and they run no code.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
    "img-src 'self' data: https://tile.openstreetmap.org; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
# FastAPI's /docs and /redoc pages load Swagger UI / ReDoc from a CDN with an inline bootstrap script.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
    "font-src https://fonts.gstatic.com; worker-src blob:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/docs/oauth2-redirect", "/redoc")
RETRY_AFTER_S = 5
T = TypeVar("T")


class SecurityHeaders:
    """Pure ASGI middleware (no per-request task, unlike BaseHTTPMiddleware): every response gets a
    Content-Security-Policy, nosniff and no referrer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = (DOCS_CSP if scope["path"] in DOCS_PATHS else CSP).encode()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    (b"content-security-policy", policy),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _in_daemon_thread(fn: Callable[..., T], *args: object) -> asyncio.Future[T]:
    """`fn(*args)` in a daemon thread, as a future of this event loop. Unlike the thread pool's
    threads, a daemon thread does not keep `serve` alive after SIGTERM: an analysis cut short
    stores nothing (its transaction never commits), and the client may post again."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(value: T | None, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value)  # type: ignore[arg-type]

    def target() -> None:
        try:
            value, error = fn(*args), None
        except BaseException as exc:  # handed to the awaiting request, which renders it
            value, error = None, exc
        try:
            loop.call_soon_threadsafe(settle, value, error)
        except RuntimeError:  # the server stopped meanwhile: nobody is waiting
            log.info("an analysis finished after the server stopped")

    threading.Thread(target=target, name="frontwatch-analysis", daemon=True).start()
    return future


def _unavailable(message: str) -> ApiError:
    """503 with the Retry-After a client should honour."""
    return ApiError(503, message, headers={"Retry-After": str(RETRY_AFTER_S)})


class Ingester:
    """POST /articles' work: one analysis at a time (spaCy and the gazetteer are shared), a bounded
    queue (503 with Retry-After beyond it), a time limit, and queued work dropped when its client
    leaves. The article goes through pipeline.ingest_items, as the CLI's do (run record, merging)."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self._lock = threading.Lock()
        self._gazetteer: Gazetteer | None = None
        self._pending = 0  # analysing or waiting; touched only on the event loop

    def _run(self, article: Article, cancelled: threading.Event) -> list[Event] | None:
        from frontwatch.pipeline import ingest_items
        from frontwatch.store import query

        with self._lock:
            if cancelled.is_set():  # its client left or its time ran out while it waited
                return None
            if self._gazetteer is None:
                from frontwatch.gazetteer import Gazetteer

                self._gazetteer = Gazetteer.open_default()
            summary = ingest_items([article], store=self.store, gazetteer=self._gazetteer)
        if summary.skipped:
            raise ApiError(422, f"cannot analyse the report: {summary.skipped[0].reason}")
        return list(query.iter_events(self.store, query.EventFilter(article_id=article.id)))

    async def ingest(self, article: Article, request: Request) -> list[Event]:
        if self._pending >= self.settings.analysis_queue:
            raise _unavailable(f"{self._pending} reports are being analysed or waiting; try again shortly")
        self._pending += 1
        cancelled = threading.Event()
        work = _in_daemon_thread(self._run, article, cancelled)

        def done(_: asyncio.Future[list[Event] | None]) -> None:
            self._pending -= 1

        work.add_done_callback(done)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.settings.analysis_timeout_s
        while True:
            try:
                finished, _ = await asyncio.wait({work}, timeout=0.25)
            except asyncio.CancelledError:  # the server is stopping (SIGTERM): answer, then let it go
                cancelled.set()
                raise _unavailable("the server is stopping; post again") from None
            if finished:
                result = work.result()
                assert result is not None  # only None when cancelled, and then nobody waits
                return result
            if await request.is_disconnected():
                cancelled.set()
                raise ApiError(499, "the client went away")
            if loop.time() > deadline:
                cancelled.set()
                raise _unavailable(
                    f"the analysis did not finish within {self.settings.analysis_timeout_s:g} s"
                )


class WebFiles(StaticFiles):
    """The map's files at "/". Mounted at the root, it also receives every API path called with a
    method the API does not have: that gets 405 with the API's methods in `Allow`, not the files'."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in ("GET", "HEAD"):
            allow = ", ".join(sorted(_methods_of(scope["app"], scope["path"]) or {"GET", "HEAD"}))
            message = f"{scope['method']} is not allowed here (allowed: {allow})"
            await error_response(ApiError(405, message, headers={"Allow": allow}))(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def _methods_of(app: FastAPI, path: str) -> set[str]:
    """The methods the OpenAPI document gives for `path` (with HEAD wherever GET is)."""
    templates: list[tuple[re.Pattern[str], set[str]]] | None = getattr(app.state, "path_methods", None)
    if templates is None:
        templates = []
        for template, operations in app.openapi().get("paths", {}).items():
            pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
            methods = {m.upper() for m in operations}
            templates.append((re.compile(pattern), methods | ({"HEAD"} if "GET" in methods else set())))
        app.state.path_methods = templates
    return {m for pattern, methods in templates if pattern.fullmatch(path) for m in methods}


def _declare_security(app: FastAPI, settings: Settings) -> None:
    """The OpenAPI document says what the server does: with no read token, reads are public
    (`security: []`); with one, they need a bearer token; writes always do."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            for operations in schema.get("paths", {}).values():
                for method, operation in operations.items():
                    if method == "get" and settings.read_token is None:
                        operation["security"] = []
                        for status in ("401", "403"):
                            operation.get("responses", {}).pop(status, None)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(settings: Settings) -> FastAPI:
    """The API and, at "/", the web map; the store opens when the app starts."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = open_store(settings.db_url, memory_map=True)
        app.state.store = store
        app.state.ingester = Ingester(store, settings)
        app.state.running_counts_lock = asyncio.Lock()  # made on the loop that serves
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
    app.state.facets_cache = GenerationCache[bytes]()  # /facets answers until the events change
    app.state.aggregates_cache = GenerationCache[bytes](size=2048)  # /aggregates answers, likewise
    app.state.running_counts = {}  # grid level → aggregates.RunningCounts, for /aggregates' new windows
    app.add_middleware(SecurityHeaders)
    install_error_handlers(app)
    for module in (health, events, aggregates, places, articles):
        app.include_router(module.router)
    if importlib.util.find_spec("frontwatch.api.control") is not None:
        from frontwatch.api import control

        app.include_router(control.router)
    _declare_security(app, settings)
    # Mounted last so that every API path wins over a static file of the same name.
    if STATIC_DIR.is_dir():
        app.mount("/", WebFiles(directory=STATIC_DIR, html=True), name="web")
    else:
        log.warning("web map not served: %s is missing", STATIC_DIR)
    return app


def app_from_env() -> FastAPI:
    """`create_app` with settings from the environment: the factory uvicorn's worker processes import."""
    return create_app(Settings.from_env())
