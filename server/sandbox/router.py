"""The sandbox web API: a public timeline with audience replies, its media, and fault injection for drills.

The sandbox stands in for an external network, so nothing here is journaled: Livecue sees audience replies
the way it sees any platform's, through the sandbox adapter's `fetch_incoming`.
"""

from __future__ import annotations

import anyio
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from server.auth.deps import PUBLIC, CommsUser
from server.db.session import DbSession
from server.errors import NotFound
from server.media.errors import MediaStoreError
from server.platforms.registry import AdapterRegistry
from server.platforms.sandbox.faults import FaultPlan
from server.sandbox import service
from server.sandbox.schemas import FaultPlanRead, FaultRequest, FeedRead, ReplyCreate, ReplyRead
from server.state import MediaStoreDep, RegistryDep, StateDep

router = APIRouter(tags=["sandbox"])
MEDIA_HEADERS = {
    "Cache-Control": "public, max-age=300",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Content-Disposition": "inline",
}


def _faults(registry: AdapterRegistry) -> FaultPlan:
    plan: FaultPlan = registry.sandbox_faults
    return plan


def _plan(plan: FaultPlan) -> FaultPlanRead:
    return FaultPlanRead.model_validate(plan.describe())


@router.get("/api/sandbox/feed", response_model=FeedRead, dependencies=[PUBLIC])
async def sandbox_feed(session: DbSession, limit: int = Query(default=50, ge=1, le=200)) -> FeedRead:
    """The sandbox timeline: posts newest first, each with its replies, media as URLs."""
    return await service.feed(session, limit=limit)


@router.get("/sandbox/media/{sha256}", dependencies=[PUBLIC])
async def sandbox_media(store: MediaStoreDep, session: DbSession, sha256: str = Path(max_length=64)) -> Response:
    """A file attached to a standing sandbox post (nothing else in the media store is reachable here)."""
    mime_type = await service.attached_media_type(session, sha256)
    if mime_type is None:
        raise NotFound("no such media on the sandbox")
    try:
        data = await anyio.to_thread.run_sync(store.get, sha256)
    except (FileNotFoundError, MediaStoreError):
        raise NotFound("no such media on the sandbox") from None
    return Response(data, media_type=mime_type, headers=MEDIA_HEADERS)


@router.post("/api/sandbox/replies", response_model=ReplyRead, status_code=201, dependencies=[PUBLIC])
async def sandbox_reply(body: ReplyCreate, request: Request, state: StateDep, session: DbSession) -> ReplyRead:
    """Reply to a sandbox post as an audience member (rate limited per client address)."""
    client = request.client.host if request.client else "unknown"
    state.sandbox_reply_limiter.admit(client, "too many replies from this address")
    return await service.add_reply(session, body)


@router.get("/api/sandbox/faults", response_model=FaultPlanRead)
async def get_faults(registry: RegistryDep, _user: CommsUser) -> FaultPlanRead:
    """The faults the sandbox will inject."""
    return _plan(_faults(registry))


@router.post("/api/sandbox/faults", response_model=FaultPlanRead)
async def add_faults(body: FaultRequest, registry: RegistryDep, _user: CommsUser) -> FaultPlanRead:
    """Queue faults for the next calls of an operation and/or set a latency (for drills)."""
    plan = _faults(registry)
    if body.latency_seconds is not None:
        plan.latency_seconds = body.latency_seconds
    if body.kind is not None:
        plan.add(body.op, body.kind, count=body.count, retry_after=body.retry_after)
    return _plan(plan)


@router.delete("/api/sandbox/faults", response_model=FaultPlanRead)
async def clear_faults(registry: RegistryDep, _user: CommsUser) -> FaultPlanRead:
    """Remove every fault and the latency."""
    plan = _faults(registry)
    plan.clear()
    return _plan(plan)
