"""The crowd's requests of a public page, answered before the app's routing and middleware.

A viral page is mostly revalidations ("has it changed?", from browsers or a CDN's edges every few seconds) and
open event streams. Both are served from the hub's memory (server/livepage/hub.py), so this outermost ASGI
middleware answers them itself: a matching If-None-Match gets 304 without the route matching, dependencies and
`BaseHTTPMiddleware` layers every other request goes through (about ten times the cost; bench/live_page.py), and
a stream's frames are written straight to the server instead of through each layer's per-chunk hand-off. It
adds the security headers itself. Anything else (a first load, a page not in memory, an ended page due for its
recap refresh, an unknown slug, bad input) goes on to the routes in server/livepage/router.py as usual, which
answer the same way, only slower.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Receive, Scope, Send

from server.asgiscope import has_body, header
from server.livepage.hub import CACHE_CONTROL, LivePageHub, etag_matches
from server.livepage.stream import EventStream, refused, resume_from
from server.security import HEADERS

if TYPE_CHECKING:  # the type only: this middleware runs below the app that builds the state
    from server.state import AppState

PAGE = re.compile(r"^/live/([A-Za-z0-9_-]{1,64})(/posts\.json)?$")
EVENTS = re.compile(r"^/live/([A-Za-z0-9_-]{1,64})/events$")
SECURITY = [(name.lower().encode(), value.encode()) for name, value in HEADERS.items()]


def _hub(scope: Scope) -> LivePageHub | None:
    state: AppState | None = getattr(getattr(scope.get("app"), "state", None), "livecue", None)
    return state.live_page if state is not None else None


def _after(scope: Scope) -> int | None:
    """The `after` query parameter (0 when absent); None when it is not a plain number (the route says why)."""
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("after", ["0"])
    text = values[-1]
    return int(text) if text.isdigit() and len(text) < 19 else None


class LivePageEdge:
    """ASGI middleware: 304s of unchanged public pages, and their event streams."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # A GET that carries a body goes the long way, through the body limits (413/408 like every route).
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD") and not has_body(scope):
            hub = _hub(scope)
            if hub is not None and await self._answer(hub, scope, receive, send):
                return
        await self.app(scope, receive, send)

    async def _answer(self, hub: LivePageHub, scope: Scope, receive: Receive, send: Send) -> bool:
        path = scope["path"]
        page = PAGE.match(path)
        if page is not None:
            condition = header(scope, b"if-none-match")
            channel = hub.cached(page.group(1)) if condition is not None else None
            if channel is None or condition is None:
                return False
            etag = channel.json_etag if page.group(2) else channel.html_etag
            if not etag_matches(condition.decode("latin-1"), etag):
                return False
            await send({"type": "http.response.start", "status": 304, "headers": [
                (b"etag", etag.encode()), (b"cache-control", CACHE_CONTROL.encode()),
                (b"vary", b"Accept-Encoding"), *SECURITY]})
            await send({"type": "http.response.body", "body": b""})
            return True
        events = EVENTS.match(path)
        after = _after(scope) if events is not None and scope["method"] == "GET" else None
        if events is None or after is None:
            return False
        channel = await hub.channel(events.group(1))
        if channel is None:
            return False  # the route's 404, the same as for any unknown page
        last = header(scope, b"last-event-id")
        client = hub.subscribe(channel, resume_from(after, last.decode("latin-1") if last is not None else None))
        if client is None:
            await refused()(scope, receive, send)
            return True
        await EventStream(hub, channel, client, extra_headers=SECURITY)(scope, receive, send)
        return True
