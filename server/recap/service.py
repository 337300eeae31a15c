"""The staff recap of one event: the public part, the questions metrics, every hold and correction, the replies
sent, and how the sampling went. Exports and pages are renderings of this one object (`render.py`).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.errors import NotFound
from server.events import service as event_service
from server.models import Delivery, Event, Item, JournalEntry, MetricsAccount
from server.recap import data
from server.recap.public import public_recap
from server.recap.questions import QuestionMetrics, question_metrics
from server.recap.schemas import AccountSampling, Moment, PublicRecap

# The console's ad-hoc composer names posts after their first words, so "Correction: …" gets the key
# "correction-…"; the public live page shows such items as corrections too (same rule).
CORRECTION_PREFIXES = ("correction", "update-to", "erratum")
HOLD_KINDS = ("event.status", "alert.emergency_hold", "delivery.pulled_back")


class Recap(BaseModel):
    """Everything the recap shows; `public` is what the public live page shows too."""

    event_id: int
    status: str
    generated_at: datetime
    public: PublicRecap
    questions: QuestionMetrics
    replies_posted: int
    moments: list[Moment]
    sampling: list[AccountSampling]


async def event_by_reference(session: AsyncSession, reference: str) -> Event:
    """An event by id (digits) or slug; 404 naming the reference otherwise."""
    event = await session.get(Event, int(reference)) if reference.isdigit() else None
    if event is None:
        event = await event_service.get_event_by_slug(session, reference)
    if event is None:
        raise NotFound(f"no event {reference!r}", field="event")
    return event


async def build_recap(session: AsyncSession, event: Event, now: datetime) -> Recap:
    """The recap of `event` as of `now` (figures keep growing while the sampler runs after the end)."""
    replies = (await session.execute(select(Delivery.id).where(
        Delivery.event_id == event.id, Delivery.purpose == "reply", Delivery.status == "posted",
        Delivery.rehearsal.is_(data.rehearsing(event))))).scalars()
    sampling = (await session.execute(select(MetricsAccount).where(MetricsAccount.event_id == event.id)
                                      .order_by(MetricsAccount.platform, MetricsAccount.account))).scalars()
    return Recap(
        event_id=event.id, status=event.status, generated_at=now, public=await public_recap(session, event),
        questions=await question_metrics(session, event), replies_posted=len(list(replies)),
        moments=await moments(session, event),
        sampling=[AccountSampling(platform=s.platform, account=s.account, samples=s.samples,
                                  last_error=s.last_error) for s in sampling],
    )


async def moments(session: AsyncSession, event: Event) -> list[Moment]:
    """Every hold, resume, emergency hold, pulled-back post and correction, oldest first."""
    entries = (await session.execute(select(JournalEntry).where(
        JournalEntry.event_id == event.id, JournalEntry.kind.in_(HOLD_KINDS))
        .order_by(JournalEntry.seq))).scalars()
    out: list[Moment] = []
    for entry in entries:
        payload = entry.payload or {}
        if entry.kind == "event.status" and "held" in (payload.get("to"), payload.get("from")):
            kind = "hold" if payload.get("to") == "held" else "resume"
            out.append(Moment(at=entry.at, kind=kind, by=entry.actor_name,
                              detail=f"{payload.get('from')} → {payload.get('to')}"))
        elif entry.kind == "alert.emergency_hold":
            pulled = payload.get("pulled_back_items") or 0
            out.append(Moment(at=entry.at, kind="emergency hold", by=entry.actor_name,
                              detail=f"holding message: {'yes' if payload.get('holding_message') else 'no'}; "
                                     f"{pulled} post(s) pulled back"))
        elif entry.kind == "delivery.pulled_back":
            out.append(Moment(at=entry.at, kind="pulled back", by=entry.actor_name,
                              detail=f"{payload.get('platform', '')} post pulled back before it went out"))
    posted = await data.posted_deliveries(session, event)
    item_ids = {d.item_id for d in posted if d.item_id is not None}
    keys = dict((await session.execute(select(Item.id, Item.key).where(Item.id.in_(item_ids)))).all()
                ) if item_ids else {}
    for delivery in posted:
        key = keys.get(delivery.item_id, "") if delivery.item_id is not None else ""
        if key.lower().startswith(CORRECTION_PREFIXES) and delivery.posted_at is not None:
            out.append(Moment(at=delivery.posted_at, kind="correction", by=delivery.platform,
                              detail=delivery.text[:280], url=delivery.remote_url))
    return sorted(out, key=lambda m: m.at)
