"""Event endpoints."""

from __future__ import annotations

from fastapi import APIRouter, Query

from server.auth.deps import AnyUser, CommsUser
from server.db.ids import MAX_SEQ
from server.db.session import DbSession
from server.events import service
from server.events.deps import EventDep
from server.events.schemas import EventCreate, EventRead, EventUpdate
from server.journal import service as journal
from server.journal.schemas import JournalPage, JournalRead
from server.journal.visibility import visible

router = APIRouter(tags=["events"])


@router.get("/api/events", response_model=list[EventRead])
async def list_events(_user: AnyUser, session: DbSession) -> list[EventRead]:
    """All events."""
    return [await service.to_read(session, e) for e in await service.list_events(session)]


@router.post("/api/events", response_model=EventRead, status_code=201)
async def create_event(body: EventCreate, user: CommsUser, session: DbSession) -> EventRead:
    """Create an event."""
    event = await service.create_event(session, data=body, actor=user)
    return await service.to_read(session, event)


@router.get("/api/events/{event_id}", response_model=EventRead)
async def get_event(_user: AnyUser, event: EventDep, session: DbSession) -> EventRead:
    """One event."""
    return await service.to_read(session, event)


@router.patch("/api/events/{event_id}", response_model=EventRead)
async def update_event(body: EventUpdate, user: CommsUser, event: EventDep, session: DbSession) -> EventRead:
    """Change an event's settings."""
    event = await service.update_event(session, event=event, data=body, actor=user)
    return await service.to_read(session, event)


@router.get("/api/events/{event_id}/journal", response_model=JournalPage)
async def event_journal(
    user: AnyUser, event: EventDep, session: DbSession,
    after: int = Query(default=0, ge=0, le=MAX_SEQ, description="Return entries with a sequence number above this."),
    limit: int = Query(default=200, ge=1, le=1000),
) -> JournalPage:
    """The event's audit trail: every state change the caller may see (the live feed's rule), oldest first.

    `limit` entries are examined per page; `last_seq` is the last one examined, so a page may hold fewer entries
    than `limit` (some were not for this role) and paging on from `last_seq` still misses nothing.
    """
    entries = await journal.entries_after(session, after=after, event_id=event.id, limit=limit + 1)
    more = len(entries) > limit
    entries = entries[:limit]
    return JournalPage(entries=[JournalRead.model_validate(e) for e in entries if visible(e, user)],
                       last_seq=entries[-1].seq if entries else after, more=more)
