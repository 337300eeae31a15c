"""`/live/{slug}`: the public page, its JSON, its Server-Sent Events stream and its files; no login.

Every answer comes from the hub's memory (server/livepage/hub.py), so a crowd costs no query per visitor.
Page and JSON carry an ETag and a short public Cache-Control (a CDN may keep them a few seconds and revalidate);
If-None-Match answers 304. An unknown slug, a draft and a rehearsal all get the very same 404.
"""

from __future__ import annotations

import asyncio
import contextlib

import anyio
from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import Response
from starlette.types import Receive, Scope, Send

from server.auth.deps import PUBLIC
from server.errors import NotFound
from server.livepage.hub import Channel, Client, LivePageHub, end_stream
from server.media.errors import MediaStoreError

router = APIRouter(tags=["public live page"], include_in_schema=False)
PAGE_CACHE = "public, max-age=5, stale-while-revalidate=10"  # short: a new post shows within seconds via a CDN
MEDIA_CACHE = "public, max-age=86400, immutable"  # files are named by their content
HEARTBEAT_SECONDS = 15.0  # a comment line keeps proxies from closing a quiet stream
RETRY_MS = 3000  # how long a browser waits before reconnecting a dropped stream
NOT_FOUND = "no public live page with that name"
Slug = Path(max_length=64)


def _hub(request: Request) -> LivePageHub:
    hub: LivePageHub = request.app.state.livecue.services["live_page"]
    return hub


async def _channel(request: Request, slug: str) -> Channel:
    channel = await _hub(request).channel(slug)
    if channel is None:
        raise NotFound(NOT_FOUND)  # the same for unknown, draft and rehearsal: nothing tells them apart
    return channel


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return etag in tags or "*" in tags


def _cached(body: bytes, etag: str, media_type: str, if_none_match: str | None) -> Response:
    headers = {"ETag": etag, "Cache-Control": PAGE_CACHE, "Vary": "Accept-Encoding"}
    if _matches(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


@router.get("/live/{slug}", dependencies=[PUBLIC])
async def live_page(request: Request, slug: str = Slug,
                    if_none_match: str | None = Header(default=None, max_length=2000)) -> Response:
    """The page: posts as they went out, newest first; the question form while live; the recap after the end."""
    channel = await _channel(request, slug)
    return _cached(channel.html, channel.html_etag, "text/html; charset=utf-8", if_none_match)


@router.get("/live/{slug}/posts.json", dependencies=[PUBLIC])
async def live_json(request: Request, slug: str = Slug,
                    if_none_match: str | None = Header(default=None, max_length=2000)) -> Response:
    """The same page as JSON (`PublicPage`)."""
    channel = await _channel(request, slug)
    return _cached(channel.json, channel.json_etag, "application/json", if_none_match)


@router.get("/live/{slug}/media/{sha256}", dependencies=[PUBLIC])
async def live_media(request: Request, slug: str = Slug, sha256: str = Path(max_length=64)) -> Response:
    """A file attached to a post on the page (nothing else in the media store is reachable here)."""
    channel = await _channel(request, slug)
    media_type = channel.media.get(sha256)
    if media_type is None:
        raise NotFound("no such file on this page")
    store = request.app.state.livecue.services["media_store"]
    try:
        data = await anyio.to_thread.run_sync(store.get, sha256)
    except (FileNotFoundError, MediaStoreError):
        raise NotFound("no such file on this page") from None
    return Response(data, media_type=media_type, headers={"Cache-Control": MEDIA_CACHE, "ETag": f'"{sha256}"'})


@router.get("/live/{slug}/events", dependencies=[PUBLIC])
async def live_events(request: Request, slug: str = Slug, after: int = Query(default=0, ge=0, le=2**62),
                      last_event_id: str | None = Header(default=None, max_length=32)) -> Response:
    """Server-Sent Events: the status, then every post after `Last-Event-ID` (or `after`), then new ones live.

    Event ids are journal sequence numbers; a browser that reconnects sends the last one it saw and misses
    nothing. 503 with Retry-After when the server already serves LIVECUE_LIVE_SSE_MAX_CLIENTS streams.
    """
    channel = await _channel(request, slug)
    if last_event_id is not None:
        with contextlib.suppress(ValueError):
            after = max(int(last_event_id.strip()), 0)
    hub = _hub(request)
    client = hub.subscribe(channel, after)
    if client is None:
        return Response("too many live readers right now; try again shortly\n", status_code=503,
                        media_type="text/plain", headers={"Retry-After": "10", "Cache-Control": "no-store"})
    return EventStream(hub, channel, client)


class EventStream(Response):
    """Streams a client's queue until it ends (dropped, server stopping) or the client goes away.

    Written as a plain ASGI response: one task waits for the disconnect, the response loop waits on the queue
    (a heartbeat comment after HEARTBEAT_SECONDS of silence), and both end together.
    """

    media_type = "text/event-stream"

    def __init__(self, hub: LivePageHub, channel: Channel, client: Client) -> None:  # no super(): no length
        self.status_code, self.background = 200, None
        self.raw_headers = [(b"content-type", b"text/event-stream; charset=utf-8"), (b"cache-control", b"no-store"),
                            (b"x-accel-buffering", b"no")]
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
