"""Timeline and content endpoints, and clinical overrides of a version's privacy findings."""

from __future__ import annotations

from fastapi import APIRouter, Query
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.deps import AnyUser, ClinicalUser, CommsUser
from server.consent.schemas import OverrideRequest
from server.db.ids import IdPath
from server.db.session import DbSession
from server.events import service as event_service
from server.events.deps import EventDep
from server.models import Event, Item
from server.questions import answers
from server.state import StateDep
from server.timeline import approvals, screening, service
from server.timeline.content import to_read, to_reads, version_content
from server.timeline.schemas import (
    ApproveRequest,
    ItemCreate,
    ItemKind,
    ItemRead,
    ItemUpdate,
    RejectRequest,
    VersionRead,
)

router = APIRouter(tags=["timeline"])


async def _read(session: AsyncSession, event: Event, item: Item) -> ItemRead:
    return await to_read(session, event, item, await service.enabled_platforms(session, event.id))


async def _item_and_event(session: AsyncSession, item_id: int) -> tuple[Item, Event]:
    item = await service.get_item(session, item_id)
    return item, await event_service.get_event(session, item.event_id)


@router.get("/api/events/{event_id}/items", response_model=list[ItemRead])
async def list_items(_user: AnyUser, event: EventDep, session: DbSession,
                     kind: ItemKind | None = Query(default=None)) -> list[ItemRead]:
    """The event's items (timeline posts first, in order), with approvals and dates."""
    platforms = await service.enabled_platforms(session, event.id)
    return await to_reads(session, event, await service.list_items(session, event.id, kind), platforms)


@router.post("/api/events/{event_id}/items", response_model=ItemRead, status_code=201)
async def create_item(body: ItemCreate, user: CommsUser, event: EventDep, session: DbSession) -> ItemRead:
    """Write a new item; it needs the event's approvals before it can go out."""
    item = await service.create_item(session, event=event, data=body, actor=user)
    return await _read(session, event, item)


@router.get("/api/items/{item_id}", response_model=ItemRead)
async def get_item(item_id: IdPath, _user: AnyUser, session: DbSession) -> ItemRead:
    """One item."""
    item, event = await _item_and_event(session, item_id)
    return await _read(session, event, item)


@router.patch("/api/items/{item_id}", response_model=ItemRead)
async def update_item(item_id: IdPath, body: ItemUpdate, user: CommsUser, session: DbSession) -> ItemRead:
    """Edit an item; changed content becomes a new version and clears approvals."""
    item, event = await _item_and_event(session, item_id)
    item = await service.update_item(session, event=event, item=item, data=body, actor=user)
    return await _read(session, event, item)


@router.get("/api/items/{item_id}/versions", response_model=list[VersionRead])
async def item_versions(item_id: IdPath, _user: AnyUser, session: DbSession) -> list[VersionRead]:
    """Every version of an item, oldest first."""
    item = await service.get_item(session, item_id)
    return [
        VersionRead(number=v.number, content=version_content(v), content_hash=v.content_hash,
                    created_by=v.created_by, created_at=v.created_at, findings=v.findings or [])
        for v in await service.versions(session, item)
    ]


@router.post("/api/items/{item_id}/approve", response_model=ItemRead)
async def approve_item(item_id: IdPath, body: ApproveRequest, state: StateDep, user: AnyUser,
                       session: DbSession) -> ItemRead:
    """Approve the current version of an item."""
    item, event = await _item_and_event(session, item_id)
    item = await approvals.approve(session, event=event, item=item, version=body.version, user=user)
    if await answers.after_approval(session, event=event, item=item, actor=user):
        state.dispatcher.wake_after_commit(session)
    return await _read(session, event, item)


@router.post("/api/items/{item_id}/reject", response_model=ItemRead)
async def reject_item(item_id: IdPath, body: RejectRequest, user: AnyUser, session: DbSession) -> ItemRead:
    """Reject the current version of an item with a note."""
    item, event = await _item_and_event(session, item_id)
    item = await approvals.reject(session, event=event, item=item, version=body.version, user=user,
                                  note=body.note)
    return await _read(session, event, item)


@router.post("/api/items/{item_id}/findings/{index}/override", response_model=ItemRead)
async def override_finding(item_id: IdPath, index: int, body: OverrideRequest, user: ClinicalUser,
                           session: DbSession) -> ItemRead:
    """Let one privacy finding stand, with a written reason (clinicians only; admins too need the role)."""
    item, event = await _item_and_event(session, item_id)
    await screening.override(session, event=event, item=item, version=body.version, index=index,
                             reason=body.reason, user=user)
    return await _read(session, event, item)
