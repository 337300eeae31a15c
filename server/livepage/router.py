"""`/live/{slug}`: the public page, its JSON, its Server-Sent Events stream and its files; no login.

Every answer comes from the hub's memory (server/livepage/hub.py), so a crowd costs no query per visitor.
Page and JSON carry an ETag and a short public Cache-Control (a CDN may keep them a few seconds and revalidate);
If-None-Match answers 304; HEAD answers like GET without the body. An unknown slug, a draft and a rehearsal
all get the very same 404.
"""

from __future__ import annotations

import anyio
from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import Response

from server.auth.deps import PUBLIC
from server.errors import NotFound
from server.livepage.hub import CACHE_CONTROL, Channel, LivePageHub, etag_matches
from server.livepage.stream import EventStream, refused, resume_from
from server.media.errors import MediaStoreError
from server.state import AppState, MediaStoreDep

router = APIRouter(tags=["public live page"], include_in_schema=False)
MEDIA_CACHE = "public, max-age=86400, immutable"  # files are named by their content
NOT_FOUND = "no public live page with that name"
Slug = Path(max_length=64)


def _hub(request: Request) -> LivePageHub:
    state: AppState = request.app.state.livecue
    return state.live_page


async def _channel(request: Request, slug: str) -> Channel:
    channel = await _hub(request).channel(slug)
    if channel is None:
        raise NotFound(NOT_FOUND)  # the same for unknown, draft and rehearsal: nothing tells them apart
    return channel


def _cached(request: Request, body: bytes, etag: str, media_type: str, if_none_match: str | None) -> Response:
    """GET's answer; HEAD (CDNs and link checkers send it) gets the very same headers and no body."""
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL, "Vary": "Accept-Encoding"}
    if etag_matches(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    if request.method == "HEAD":
        return Response(media_type=media_type, headers={**headers, "Content-Length": str(len(body))})
    return Response(body, media_type=media_type, headers=headers)


@router.api_route("/live/{slug}", methods=["GET", "HEAD"], dependencies=[PUBLIC])
async def live_page(request: Request, slug: str = Slug,
                    if_none_match: str | None = Header(default=None, max_length=2000)) -> Response:
    """The page: posts as they went out, newest first; the question form while live; the recap after the end."""
    channel = await _channel(request, slug)
    return _cached(request, channel.html, channel.html_etag, "text/html; charset=utf-8", if_none_match)


@router.api_route("/live/{slug}/posts.json", methods=["GET", "HEAD"], dependencies=[PUBLIC])
async def live_json(request: Request, slug: str = Slug,
                    if_none_match: str | None = Header(default=None, max_length=2000)) -> Response:
    """The same page as JSON (`PublicPage`)."""
    channel = await _channel(request, slug)
    return _cached(request, channel.json, channel.json_etag, "application/json", if_none_match)


@router.api_route("/live/{slug}/media/{sha256}", methods=["GET", "HEAD"], dependencies=[PUBLIC])
async def live_media(request: Request, store: MediaStoreDep, slug: str = Slug,
                     sha256: str = Path(max_length=64)) -> Response:
    """A file attached to a post on the page (nothing else in the media store is reachable here)."""
    channel = await _channel(request, slug)
    media_type = channel.media.get(sha256)
    if media_type is None:
        raise NotFound("no such file on this page")
    try:
        data = await anyio.to_thread.run_sync(store.get, sha256)
    except (FileNotFoundError, MediaStoreError):
        raise NotFound("no such file on this page") from None
    headers = {"Cache-Control": MEDIA_CACHE, "ETag": f'"{sha256}"'}
    if request.method == "HEAD":
        return Response(media_type=media_type, headers={**headers, "Content-Length": str(len(data))})
    return Response(data, media_type=media_type, headers=headers)


@router.get("/live/{slug}/events", dependencies=[PUBLIC])
async def live_events(request: Request, slug: str = Slug, after: int = Query(default=0, ge=0, le=2**62),
                      last_event_id: str | None = Header(default=None, max_length=32)) -> Response:
    """Server-Sent Events: the status, then every post after `Last-Event-ID` (or `after`), then new ones live.

    Event ids are journal sequence numbers; a browser that reconnects sends the last one it saw and misses
    nothing. 503 with Retry-After when the server already serves LIVECUE_LIVE_SSE_MAX_CLIENTS streams. The
    streams of public pages are normally opened by server/livepage/edge.py before the request gets here; this
    route answers what it leaves (the 404 of an unknown page, a malformed `after`), and streams the same way.
    """
    channel = await _channel(request, slug)
    hub = _hub(request)
    client = hub.subscribe(channel, resume_from(after, last_event_id))
    if client is None:
        return refused()
    return EventStream(hub, channel, client)
