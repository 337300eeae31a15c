"""Bounded requests: every body is read under a size limit and a deadline, and JSON is shape-checked, first.

Why a pure ASGI middleware, outermost: one anonymous request once froze the whole event. A 10.7 MB JSON body
of 900,000 unknown keys was read, parsed and validated on the event loop that every console, tablet, the feed
and the emergency hold share (17-19 s, +400 MB, a 56 MB error body). Here, before routing, the security
headers or FastAPI see anything:

- a declared `Content-Length` over the route's limit is refused (413) before a byte of the body is read;
- a chunked or streamed body is counted as it arrives and refused (413) the moment it passes the limit;
- a body that trickles in is cut off at a deadline (408), so a slow drip cannot hold a connection for ever;
- a JSON body (at most the small limit) is parsed once under limits on keys, depth and string length and
  refused (422) before pydantic builds one error per unknown key.

Two route classes: the media upload (POST /api/media) streams through with the media limit and its longer
deadline, and only for a live session (an anonymous 50 MB "upload" gets the small limit: the upload route
parses its form before its auth dependency runs); every other route (GETs included) has its body read whole,
within the small JSON limit, before the app is called. Refusals close the connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.asgiscope import header
from server.auth import service as auth_service
from server.auth.deps import bearer_token
from server.config import Settings
from server.errors import Invalid, LivecueError, RequestTimeout, TooLarge
from server.security import HEADERS

MEDIA_ROUTES = frozenset({("POST", "/api/media")})
MULTIPART_SLACK = 64 * 1024  # a media upload's form wraps the file in a few hundred bytes of multipart framing
# After a refusal the connection is closed; closing a socket with unread data makes the kernel send a reset,
# which can destroy the answer before the client has read it. So, like a web server's "lingering close", the
# connection stays open a moment after the answer: what keeps arriving is read and dropped up to LINGER_BYTES
# (a client that writes its whole body before reading then still gets to the answer), then left unread (a flood
# costs no more reading) until LINGER_SECONDS have passed.
LINGER_SECONDS = 0.25
LINGER_BYTES = 256 * 1024


@dataclass(frozen=True)
class Limits:
    """The request limits in force (settings `LIVECUE_MAX_JSON_BYTES` and the rest; see the README)."""

    json_bytes: int = 256 * 1024
    media_bytes: int = 120 * 1024 * 1024
    body_seconds: float = 10.0
    media_body_seconds: float = 300.0
    json_keys: int = 20_000
    json_depth: int = 32
    json_string: int = 20_000

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        """The limits these settings ask for."""
        return cls(json_bytes=settings.max_json_bytes, media_bytes=settings.max_media_bytes,
                   body_seconds=settings.body_timeout_seconds, media_body_seconds=settings.media_body_timeout_seconds,
                   json_keys=settings.max_json_keys, json_depth=settings.max_json_depth,
                   json_string=settings.max_json_string)


def size_text(size: int) -> str:
    """A byte count as people say it (256 KB, 120 MB)."""
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= scale and size % scale == 0:
            return f"{size // scale} {unit}"
    return f"{size} bytes"


class BodyRefused(Exception):
    """A body over its limit (413) or too slow (408), found while reading it."""

    def __init__(self, error: LivecueError) -> None:
        super().__init__(error.detail)
        self.error = error


@dataclass(frozen=True)
class _Class:
    limit: int  # bytes enforced
    named: int  # bytes the setting says (a media upload is allowed MULTIPART_SLACK on top for its framing)
    seconds: float
    setting: str
    timeout_setting: str
    streamed: bool


def too_large(limit: int, setting: str) -> TooLarge:
    """413 naming the limit and the setting that sets it."""
    return TooLarge(f"the request body is larger than this route's limit of {size_text(limit)} ({setting})",
                    field="body", extra={"limit_bytes": limit})


def too_slow(seconds: float, setting: str) -> RequestTimeout:
    """408 naming the deadline and the setting that sets it."""
    return RequestTimeout(f"the request body did not arrive within {seconds:g} s ({setting})", field="body",
                          extra={"limit_seconds": seconds})


class _Deadline:
    """`receive` with a deadline for the body; once the body is complete, later calls (disconnect) never time out."""

    def __init__(self, receive: Receive, deadline: float, error: Callable[[], LivecueError]) -> None:
        self.receive = receive
        self.deadline = deadline
        self.error = error
        self.complete = False

    async def __call__(self) -> Message:
        if self.complete:
            return await self.receive()
        try:
            async with asyncio.timeout_at(self.deadline):
                message = await self.receive()
        except TimeoutError:
            raise BodyRefused(self.error()) from None
        if message["type"] != "http.request" or not message.get("more_body", False):
            self.complete = True
        return message


class _Counted:
    """`receive` for a streamed media upload: counts body bytes and stops at the limit or the deadline.

    A refusal is not raised into the app (middleware between here and the endpoint may wrap it in an exception
    group, and FastAPI turns what it does not know into a 400): the app is told the client went away, and
    whatever it answers to that is replaced by the refusal (`refused`).
    """

    def __init__(self, receive: Receive, limit: int, error: Callable[[], LivecueError]) -> None:
        self.receive = receive
        self.limit = limit
        self.error = error
        self.size = 0
        self.refused: LivecueError | None = None

    async def __call__(self) -> Message:
        if self.refused is not None:
            return {"type": "http.disconnect"}
        try:
            message = await self.receive()
        except BodyRefused as refused:
            self.refused = refused.error
            return {"type": "http.disconnect"}
        if message["type"] == "http.request":
            self.size += len(message.get("body", b""))
            if self.size > self.limit:
                self.refused = self.error()
                return {"type": "http.disconnect"}
        return message


class BodyLimits:
    """The middleware (see the module docstring); `signed_in` says whether a request carries a live session."""

    def __init__(self, app: ASGIApp, limits: Limits,
                 signed_in: Callable[[Scope], Awaitable[bool]] | None = None) -> None:
        self.app = app
        self.limits = limits
        self.signed_in = signed_in

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = asyncio.get_running_loop().time()
        kind = await self._class_of(scope)
        declared = _content_length(scope)
        if declared is not None and declared > kind.limit:
            await answer(send, too_large(kind.named, kind.setting), linger=receive)
            return
        deadline = _Deadline(receive, started + kind.seconds, lambda: too_slow(kind.seconds, kind.timeout_setting))
        if kind.streamed:
            counted = _Counted(deadline, kind.limit, lambda: too_large(kind.named, kind.setting))
            await self._streamed(scope, counted, send, receive)
            return
        try:
            body = await _read_body(deadline, kind.limit, lambda: too_large(kind.named, kind.setting))
        except BodyRefused as refused:
            await answer(send, refused.error, linger=receive)
            return
        if body is None:
            return  # the client went away before its body was complete: nobody to answer
        if body and _is_json(scope):
            problem = json_problem(body, self.limits)
            if problem is not None:
                await answer(send, problem)
                return
        await self.app(scope, _replay(body, deadline), send)

    async def _class_of(self, scope: Scope) -> _Class:
        if (scope["method"], scope["path"]) in MEDIA_ROUTES and (self.signed_in is None or await self.signed_in(scope)):
            return _Class(self.limits.media_bytes + MULTIPART_SLACK, self.limits.media_bytes,
                          self.limits.media_body_seconds, "LIVECUE_MAX_MEDIA_BYTES",
                          "LIVECUE_MEDIA_BODY_TIMEOUT_SECONDS", streamed=True)
        return _Class(self.limits.json_bytes, self.limits.json_bytes, self.limits.body_seconds,
                      "LIVECUE_MAX_JSON_BYTES", "LIVECUE_BODY_TIMEOUT_SECONDS", streamed=False)

    async def _streamed(self, scope: Scope, counted: _Counted, send: Send, receive: Receive) -> None:
        """Call the app with a counting `receive`; once that refused the body, the refusal replaces the app's
        answer (sent once the app has returned, so nothing else is reading the connection while it lingers)."""
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            if counted.refused is not None and not started:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except Exception:
            if counted.refused is None or started:
                raise
        if counted.refused is not None and not started:
            await answer(send, counted.refused, linger=receive)


async def _read_body(receive: Receive, limit: int, error: Callable[[], LivecueError]) -> bytes | None:
    """The whole body (None when the client disconnected first); BodyRefused past `limit` or the deadline."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyRefused(error())
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """`receive` that hands the app the body already read, then passes on (a later disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _content_length(scope: Scope) -> int | None:
    value = header(scope, b"content-length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None  # the HTTP server refuses a malformed length itself


def _is_json(scope: Scope) -> bool:
    """The content types FastAPI parses as JSON (application/json and application/*+json)."""
    value = (header(scope, b"content-type") or b"").decode("latin-1").split(";", 1)[0].strip().lower()
    return value.startswith("application/") and (value == "application/json" or value.endswith("+json"))


class _TooMany(Exception):
    pass


def json_problem(body: bytes, limits: Limits) -> LivecueError | None:
    """422 when a JSON body has too many keys, nests too deeply or holds too long a string; None otherwise.

    Keys are counted while parsing (the hook stops the parser at the first key too many); depth and string
    lengths are checked by an explicit walk (no recursion). Malformed JSON is left to FastAPI to report.
    """
    keys = 0

    def count(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal keys
        keys += len(pairs)
        if keys > limits.json_keys:
            raise _TooMany
        return dict(pairs)

    try:
        data = json.loads(body, object_pairs_hook=count)
    except _TooMany:
        return _shape(f"the JSON body has more than {limits.json_keys} keys (LIVECUE_MAX_JSON_KEYS)")
    except RecursionError:
        return _shape(f"the JSON body nests deeper than {limits.json_depth} levels (LIVECUE_MAX_JSON_DEPTH)")
    except ValueError:
        return None
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if len(value) > limits.json_string:
                return _shape(f"a string in the JSON body is longer than {limits.json_string} characters "
                              "(LIVECUE_MAX_JSON_STRING)")
            continue
        if not isinstance(value, dict | list):
            continue
        if depth > limits.json_depth:
            return _shape(f"the JSON body nests deeper than {limits.json_depth} levels (LIVECUE_MAX_JSON_DEPTH)")
        if isinstance(value, dict):
            for key, item in value.items():
                if len(key) > limits.json_string:
                    return _shape(f"a key in the JSON body is longer than {limits.json_string} characters "
                                  "(LIVECUE_MAX_JSON_STRING)")
                stack.append((item, depth + 1))
        else:
            stack.extend((item, depth + 1) for item in value)
    return None


def _shape(detail: str) -> LivecueError:
    return Invalid(detail, field="body")


async def answer(send: Send, error: LivecueError, *, linger: Receive | None = None) -> None:
    """Send `error` in the app's error shape, with the security headers, and close the connection.

    With `linger` (the connection's receive), the answer is sent whole, then what the client still sends is
    read and dropped for up to LINGER_SECONDS or LINGER_BYTES, and only then is the connection closed.
    """
    name = "ValidationError" if error.status_code == 422 else type(error).__name__
    body: dict[str, Any] = {"error": name, "detail": error.detail}
    if error.field:
        body["field"] = error.field
    body.update(error.extra)
    data = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()),
               (b"connection", b"close"), (b"cache-control", b"no-store")]
    headers += [(key.lower().encode(), value.encode()) for key, value in HEADERS.items()]
    await send({"type": "http.response.start", "status": error.status_code, "headers": headers})
    if linger is None:
        await send({"type": "http.response.body", "body": data})
        return
    await send({"type": "http.response.body", "body": data, "more_body": True})
    await _drain(linger)
    await send({"type": "http.response.body", "body": b""})


async def _drain(receive: Receive) -> None:
    """Read and drop what the client still sends (up to LINGER_BYTES), and wait out LINGER_SECONDS."""
    dropped = 0
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(LINGER_SECONDS):
            while dropped < LINGER_BYTES:
                message = await receive()
                if message["type"] != "http.request" or not message.get("more_body", False):
                    return
                dropped += len(message.get("body", b""))
            await asyncio.sleep(LINGER_SECONDS)  # cut short by the timeout: the rest is left unread


async def has_session(scope: Scope) -> bool:
    """Whether the request carries a live session (bearer or cookie): only such requests may send a big upload."""
    request = Request(scope)
    found = bearer_token(request)
    if found is None:
        return False
    async with request.app.state.livecue.sessionmaker() as session:
        return await auth_service.resolve(session, found[0]) is not None
