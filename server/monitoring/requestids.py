"""A request id for every HTTP request and WebSocket, and the event id its path names, for the log lines.

The id comes from the proxy's `X-Request-ID` when it is a sane token (nginx: `proxy_set_header X-Request-ID
$request_id`), so one id follows the request from the proxy's access log to the replica's lines; otherwise a new
one is made. It is sent back as `X-Request-ID`. A pure ASGI middleware: it sets context variables around the
whole request without buffering anything.
"""

from __future__ import annotations

import re
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.logs import EVENT_ID, REQUEST_ID

HEADER = b"x-request-id"
_SANE = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_EVENT_IN_PATH = re.compile(r"/events/(\d{1,12})(?:/|$)")
_EVENT_IN_QUERY = re.compile(r"(?:^|&)event_id=(\d{1,12})(?:&|$)")


def event_of(path: str, query: str) -> int | None:
    """The event a request concerns, when its path (`/api/events/12/...`) or query (`event_id=12`) names one."""
    found = _EVENT_IN_PATH.search(path) or _EVENT_IN_QUERY.search(query)
    return int(found.group(1)) if found else None


class RequestIds:
    """Sets REQUEST_ID and EVENT_ID for the request and answers with the request id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the request inside its ids."""
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or []).get(HEADER, b"").decode("latin-1")
        request_id = given if _SANE.fullmatch(given) else uuid.uuid4().hex
        query = scope.get("query_string", b"").decode("latin-1")
        tokens = (REQUEST_ID.set(request_id), EVENT_ID.set(event_of(scope.get("path", ""), query)))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (HEADER, request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            REQUEST_ID.reset(tokens[0])
            EVENT_ID.reset(tokens[1])
