"""The API's one error shape: ``{"error": {"code", "message", "detail"}}`` for every failure."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from frontwatch.errors import FrontWatchError
from frontwatch.store.query import AmbiguousId, InvalidCursor, InvalidFilter

log = logging.getLogger(__name__)

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "ambiguous_id",
    413: "too_large",
    422: "invalid_parameter",
    499: "client_closed",
    503: "unavailable",
}


class ApiError(Exception):
    """Raised by routes and dependencies; rendered in the one error shape."""

    def __init__(
        self, status: int, message: str, *, code: str | None = None, headers: dict | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or _CODES.get(status, "error")
        self.headers = headers


def not_found(kind: str, key: str) -> ApiError:
    return ApiError(404, f"no {kind} with id {key!r}")


def invalid(message: str) -> ApiError:
    return ApiError(422, message)


def _body(code: str, message: str, detail: list | None = None) -> dict:
    return {"error": {"code": code, "message": message, "detail": detail}}


def error_response(exc: ApiError) -> JSONResponse:
    """An ApiError in the one error shape (also for code outside FastAPI's handlers)."""
    return JSONResponse(_body(exc.code, exc.message), status_code=exc.status, headers=exc.headers)


def _describe(errors: list[dict]) -> str:
    parts = []
    for err in errors:
        where = ".".join(str(x) for x in err.get("loc", ()) if x not in ("query", "path", "body"))
        parts.append(f"{where or 'request'}: {err.get('msg', 'invalid')}")
    return "; ".join(parts)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = jsonable_encoder(exc.errors(), custom_encoder={Exception: str})
        for err in errors:
            err.pop("ctx", None)
            err.pop("url", None)
        return JSONResponse(_body("invalid_parameter", _describe(errors), errors), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _CODES.get(exc.status_code, "error")
        return JSONResponse(_body(code, str(exc.detail)), status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(InvalidFilter)
    async def _bad_filter(_: Request, exc: InvalidFilter) -> JSONResponse:
        where = "cursor" if isinstance(exc, InvalidCursor) else "filter"
        return JSONResponse(_body("invalid_parameter", f"{where}: {exc}"), status_code=422)

    @app.exception_handler(AmbiguousId)
    async def _ambiguous(_: Request, exc: AmbiguousId) -> JSONResponse:
        detail = [{"id": candidate} for candidate in exc.candidates]
        return JSONResponse(_body("ambiguous_id", str(exc), detail), status_code=409)

    @app.exception_handler(FrontWatchError)
    async def _library(_: Request, exc: FrontWatchError) -> JSONResponse:
        # A library error that reached the edge unhandled: say what it was, log the trace.
        log.exception("unhandled library error")
        return JSONResponse(_body("server_error", f"{type(exc).__name__}: {exc}"), status_code=500)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled error", exc_info=exc)
        return JSONResponse(_body("server_error", f"internal error: {type(exc).__name__}"), status_code=500)
