"""One request for what the console and the tablet render first (issue 16: ready under 500 ms).

A page's first load was two round trips of up to nine requests (who am I and the events, then the event, its live
state, items, deliveries, questions, consents, staff and journal): more requests than the browser's six connections
to one host, each paying for the session check, the event lookup and the middleware in the one server process.
This route composes the same reads from the same services, in one transaction, for anyone the endpoints it stands
for admit (comms or clinical: each of them is `AnyUser`). The pages still use those endpoints to refresh.
"""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from server.auth.deps import AnyUser
from server.auth.schemas import UserRead
from server.consent import service as consent_service
from server.consent.schemas import AuthorizationRead
from server.db.session import DbSession
from server.events import service as event_service
from server.events.deps import EventDep
from server.journal import service as journal
from server.journal.schemas import JournalPage, JournalRead
from server.journal.visibility import visible
from server.live.router import live_status_of
from server.live.setup_router import StaffName
from server.models import User
from server.pages.schemas import PageSnapshot
from server.publishing.outbox import deliveries_for_event
from server.publishing.router import DeliveryRead
from server.questions import service as questions
from server.state import ClockDep, RegistryDep
from server.timeline import service as timeline
from server.timeline.content import to_reads

router = APIRouter(tags=["pages"])

JOURNAL_KEEP = 1000  # entries a page keeps for its activity log (JOURNAL_KEEP in console_ui/js/lib/live.js)


@router.get("/api/events/{event_id}/snapshot", response_model=PageSnapshot)
async def snapshot(clock: ClockDep, registry: RegistryDep, user: AnyUser, event: EventDep,
                   session: DbSession) -> PageSnapshot:
    """What the console and the tablet show first, in one answer; each part as its own endpoint gives it.

    The journal is read first: whatever changes after it has a later sequence number than `journal.last_seq`, so
    the live feed opened from there brings it (and the page refreshes), even where each read sees the database
    afresh (PostgreSQL's read committed).
    """
    entries, last = await journal.newest_entries(session, event_id=event.id, keep=JOURNAL_KEEP,
                                                 accept=lambda entry: visible(entry, user))
    now = clock.now()
    events = [await event_service.to_read(session, e) for e in await event_service.list_events(session)]
    platforms = await timeline.enabled_platforms(session, event.id)
    queue, _next = await questions.queue_page(session, event_id=event.id, now=now)
    staff = await session.execute(select(User.id, User.display_name).order_by(User.id))
    return PageSnapshot(
        me=UserRead.model_validate(user), events=events, event=next(e for e in events if e.id == event.id),
        live=await live_status_of(session, event, now, registry),
        items=await to_reads(session, event, await timeline.list_items(session, event.id, None), platforms),
        deliveries=[DeliveryRead.model_validate(d) for d in await deliveries_for_event(session, event.id)],
        question_summary=await questions.summary(session, event.id), questions=queue,
        authorizations=[AuthorizationRead.model_validate(a)
                        for a in await consent_service.list_authorizations(session, event.id)],
        staff=[StaffName(id=user_id, display_name=name) for user_id, name in staff.all()],
        journal=JournalPage(entries=[JournalRead.model_validate(e) for e in entries], last_seq=last, more=False),
    )
