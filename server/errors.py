"""One error hierarchy for expected failures, rendered as `{"error": Name, "detail": message}`."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from server.db.diskfull import full_cause, storage_full
from server.security import HEADERS

log = logging.getLogger("livecue.errors")
DEFAULT_RETRY_AFTER = 60  # seconds, for a 429 that does not know better
EXCERPT_CHARS = 120  # error bodies quote at most this much of what the client sent (field names, messages)
MAX_PROBLEMS = 20  # validation problems listed in one error body


class LivecueError(Exception):
    """An expected failure with an HTTP status and a message for people."""

    status_code = 400

    def __init__(self, detail: str, *, field: str | None = None, extra: dict[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.extra = extra or {}


class Invalid(LivecueError):
    """The request is well-formed but its values are wrong (422, `"error": "Invalid"`).

    Not called BadRequest: that is HTTP's 400 (an unreadable body), which the framework answers itself.
    """

    status_code = 422


class NotAuthenticated(LivecueError):
    """No valid session (401)."""

    status_code = 401


class Forbidden(LivecueError):
    """The user's roles do not allow this (403)."""

    status_code = 403


class NotFound(LivecueError):
    """No such resource (404)."""

    status_code = 404


class Conflict(LivecueError):
    """The resource is in a state that does not allow this (409)."""

    status_code = 409


class TooManyRequests(LivecueError):
    """Slow down (429); always answered with `Retry-After` (seconds), also in the body as `retry_after`."""

    status_code = 429

    def __init__(self, detail: str, *, retry_after: float = DEFAULT_RETRY_AFTER, field: str | None = None,
                 extra: dict[str, Any] | None = None) -> None:
        extra = dict(extra or {})
        extra["retry_after"] = max(1, math.ceil(float(extra.get("retry_after", retry_after))))
        super().__init__(detail, field=field, extra=extra)


class TooLarge(LivecueError):
    """The request body is over the limit of its route (413); the detail names the limit."""

    status_code = 413


class RequestTimeout(LivecueError):
    """The request body did not arrive in time (408)."""

    status_code = 408


class StorageFull(LivecueError):
    """The server's disk (database or media store) is full: the write was refused and nothing was saved (503)."""

    status_code = 503


STORAGE_FULL_DETAIL = "the server's disk is full: nothing was saved; try again once space is freed"
def _sqlite_dir(request: Request) -> Path | None:
    """The directory of the app's SQLite file (None for PostgreSQL or before startup)."""
    state = getattr(request.app.state, "livecue", None)
    if state is None or not state.settings.is_sqlite:
        return None
    url: str = state.settings.resolved_database_url()
    path = url.split(":///", 1)[1].split("?", 1)[0] if ":///" in url else ""
    return Path(path).parent if path and path != ":memory:" else None


def _storage_full_response(request: Request, exc: BaseException) -> JSONResponse:
    """503 in the standard error shape, and one log line naming the request and the refused write."""
    cause = full_cause(exc, _sqlite_dir(request)) or exc
    log.error("storage full: %s %s was refused and nothing was saved (%s: %s)", request.method, request.url.path,
              type(cause).__name__, str(cause).splitlines()[0] if str(cause) else "")
    body = _body(StorageFull(STORAGE_FULL_DETAIL))
    return JSONResponse(body, status_code=StorageFull.status_code,
                        headers={**HEADERS, "Cache-Control": "no-store"})


HTTP_ERROR_NAMES = {400: "BadRequest", 401: "NotAuthenticated", 403: "Forbidden", 404: "NotFound",
                    405: "MethodNotAllowed", 408: "RequestTimeout", 409: "Conflict", 413: "TooLarge",
                    429: "TooManyRequests"}


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """At most `limit` characters of `text` (an ellipsis marks a cut): error bodies never echo a whole input."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def retry_headers(status: int, headers: Mapping[str, str] | None, extra: dict[str, Any]) -> Mapping[str, str] | None:
    """Headers of an error response: every 429 carries Retry-After (from `retry_after`, else the default)."""
    if status != 429:
        return headers
    merged = dict(headers or {})
    if not any(name.lower() == "retry-after" for name in merged):
        merged["Retry-After"] = str(max(1, math.ceil(float(extra.get("retry_after", DEFAULT_RETRY_AFTER)))))
    return merged


def _body(exc: LivecueError) -> dict[str, Any]:
    body: dict[str, Any] = {"error": type(exc).__name__, "detail": exc.detail}
    if exc.field:
        body["field"] = exc.field
    body.update(exc.extra)
    return body


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    # Only the first element says where the value came from; a field may itself be called "path" or "body".
    # A key the client made up can be long: only an excerpt of it is named.
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    return excerpt(".".join(excerpt(p, 60) for p in parts)) or "body"


class ErrorBody(BaseModel):
    """Every error the API returns: the error's name, a message for people, and the field when one is wrong."""

    model_config = ConfigDict(extra="allow")

    error: str
    detail: str
    field: str | None = None
    problems: list[dict[str, str]] | None = None


def install_openapi_errors(app: FastAPI) -> None:
    """Document the error body that 422 (and other 4xx) responses really carry."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        schemas["HTTPValidationError"] = ErrorBody.model_json_schema()
        schemas.pop("ValidationError", None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def install_error_handlers(app: FastAPI) -> None:
    """Render LivecueError and validation errors with the field named; unexpected errors as a plain 500."""
    install_openapi_errors(app)

    @app.exception_handler(OverflowError)
    async def _overflow(_request: Request, _exc: OverflowError) -> JSONResponse:
        return JSONResponse({"error": "ValidationError", "detail": "a number in the request is out of range"},
                            status_code=422)

    @app.exception_handler(DBAPIError)
    async def _database(request: Request, exc: DBAPIError) -> JSONResponse:
        if isinstance(exc.orig, OverflowError) or "out of range" in str(exc.orig):
            return JSONResponse({"error": "ValidationError", "field": "body",
                                 "detail": "a number in the request is out of range"}, status_code=422)
        if "CharacterNotInRepertoire" in type(exc.orig).__name__ or "invalid byte sequence" in str(exc.orig):
            return JSONResponse({"error": "ValidationError", "field": "body", "detail": "text contains characters "
                                 "that cannot be stored (such as NUL)"}, status_code=422)
        if storage_full(exc, _sqlite_dir(request)):
            return _storage_full_response(request, exc)
        return await _unexpected(request, exc)

    @app.exception_handler(OSError)
    async def _os_error(request: Request, exc: OSError) -> JSONResponse:
        # A media store write with the disk full (ENOSPC) is a clear 503; any other OSError stays a 500.
        if storage_full(exc):
            return _storage_full_response(request, exc)
        raise exc  # any other OSError: the plain 500 below, as before

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        if storage_full(exc, _sqlite_dir(request)):  # wrapped in something other than DBAPIError or OSError
            return _storage_full_response(request, exc)
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse({"error": "InternalError", "detail": "something went wrong on our side; it is logged"},
                            status_code=500, headers={**HEADERS, "Cache-Control": "no-store"})

    @app.exception_handler(LivecueError)
    async def _livecue_error(_request: Request, exc: LivecueError) -> JSONResponse:
        headers = {"Retry-After": str(exc.extra["retry_after"])} if "retry_after" in exc.extra else None
        return JSONResponse(_body(exc), status_code=exc.status_code,
                            headers=retry_headers(exc.status_code, headers, exc.extra))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # Framework errors (unknown path, wrong method, unreadable body) in the same shape as ours.
        name = HTTP_ERROR_NAMES.get(exc.status_code, "HTTPError")
        body: dict[str, Any] = {"error": name, "detail": str(exc.detail)}
        if exc.status_code == 400:
            body["field"] = "body"
        return JSONResponse(body, status_code=exc.status_code, headers=retry_headers(exc.status_code, exc.headers, {}))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # Pydantic's errors carry the offending `input` (and its message may quote it): only the field and an
        # excerpt of the message are returned, for at most MAX_PROBLEMS problems, so an error body stays small
        # whatever the request held (a body of 900,000 unknown keys once made a 56 MB answer).
        errors = exc.errors()
        problems = [
            {"field": "body" if err.get("type") == "json_invalid" else _field_path(err.get("loc", ())),
             "message": excerpt(str(err.get("msg", "invalid")))}
            for err in errors[:MAX_PROBLEMS]
        ]
        first = problems[0] if problems else {"field": "body", "message": "invalid request"}
        body: dict[str, Any] = {"error": "ValidationError", "detail": f"{first['field']}: {first['message']}",
                                "field": first["field"], "problems": problems}
        if len(errors) > MAX_PROBLEMS:
            body["more_problems"] = len(errors) - MAX_PROBLEMS
        return JSONResponse(body, status_code=422)
