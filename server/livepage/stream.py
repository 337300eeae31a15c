"""The Server-Sent Events stream of a public page, as a plain ASGI response.

One task waits for the client's disconnect; the response loop waits on the client's queue (a heartbeat comment
after HEARTBEAT_SECONDS of silence keeps proxies from closing a quiet stream) and both end together. Frames are
encoded once per post by the hub and written as they are: nothing here is per-client work but the send.
"""

from __future__ import annotations

import asyncio
import contextlib

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from server.livepage.hub import Channel, Client, LivePageHub, end_stream

HEARTBEAT_SECONDS = 15.0
RETRY_MS = 3000  # how long a browser waits before reconnecting a dropped stream
STREAM_HEADERS = [(b"content-type", b"text/event-stream; charset=utf-8"), (b"cache-control", b"no-store"),
                  (b"x-accel-buffering", b"no")]


def resume_from(after: int, last_event_id: str | None) -> int:
    """Where a client resumes: the Last-Event-ID its browser sends on reconnecting, else `after` (first visit)."""
    if last_event_id is not None:
        with contextlib.suppress(ValueError):
            return max(int(last_event_id.strip()), 0)
    return after


def refused() -> Response:
    """503 when the process already serves as many streams as allowed (the browser retries later)."""
    return Response("too many live readers right now; try again shortly\n", status_code=503, media_type="text/plain",
                    headers={"Retry-After": "10", "Cache-Control": "no-store"})


class EventStream(Response):
    """Streams a client's queue until it ends (dropped, server stopping) or the client goes away."""

    media_type = "text/event-stream"

    def __init__(self, hub: LivePageHub, channel: Channel, client: Client,
                 extra_headers: list[tuple[bytes, bytes]] | None = None) -> None:  # no super(): no Content-Length
        self.status_code, self.background = 200, None
        self.raw_headers = STREAM_HEADERS + (extra_headers or [])
        self.hub, self.channel, self.client = hub, channel, client

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
        watcher = asyncio.create_task(self._watch(receive))
        try:
            await send({"type": "http.response.body", "body": f"retry: {RETRY_MS}\n\n".encode(), "more_body": True})
            while True:
                try:
                    async with asyncio.timeout(HEARTBEAT_SECONDS):
                        frame = await self.client.queue.get()
                except TimeoutError:
                    frame = b": heartbeat\n\n"
                if frame is None:
                    break
                await send({"type": "http.response.body", "body": frame, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        except OSError:
            pass  # the client went away mid-send
        finally:
            watcher.cancel()
            self.hub.unsubscribe(self.channel, self.client)

    async def _watch(self, receive: Receive) -> None:
        while (await receive())["type"] != "http.disconnect":
            pass
        end_stream(self.client)
