"""Pulling back posts that have not left: one click in the safety delay, or everything at an emergency hold.

A delivery can be pulled back only while it is `pending` — no request for it has reached the platform, or the
last one certainly failed. `sending` and `unknown` ones may already be public, so they are never pulled back
(the operator deletes on the platform if needed). Pulling back undoes what queuing did, so the content can be
posted again later: a timeline item is approved again, an answered question is open again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.errors import Conflict
from server.journal import service as journal
from server.journal.kinds import JournalKind
from server.models import Delivery, Event, Item, Message, QuestionGroup, User
from server.publishing.gate import SAFETY_KINDS, outgoing_of
from server.publishing.thread import HOLDS_THREAD

PULLABLE = ("pending",)


async def pull_back(session: AsyncSession, delivery: Delivery, *, actor: User | None, reason: str) -> None:
    """Stop one delivery that has not left, and reopen what it came from; 409 when it may be out already."""
    if delivery.status not in PULLABLE:
        said = {"posted": "it is already posted", "sending": "it is being sent right now",
                "unknown": "it may already be on the platform"}.get(delivery.status, f"it is {delivery.status}")
        raise Conflict(f"too late to pull back: {said}", extra={"state": delivery.status})
    delivery.status, delivery.last_error = "abandoned", f"pulled back: {reason}"
    delivery.next_attempt_at = None
    await session.flush()
    await _reopen_source(session, delivery)
    await journal.record(session, actor=actor, kind=JournalKind.DELIVERY_PULLED_BACK, subject_type="delivery",
                         subject_id=delivery.id, event_id=delivery.event_id,
                         payload={"platform": delivery.platform, "item_id": delivery.item_id,
                                  "question_id": delivery.question_id, "reason": reason})


async def pull_back_for_emergency(session: AsyncSession, event: Event, actor: User | None) -> list[int]:
    """Everything of the live run not yet sent, except safety messages; returns the timeline items reopened."""
    rows = (await session.execute(select(Delivery).where(
        Delivery.event_id == event.id, Delivery.status.in_(PULLABLE), Delivery.rehearsal.is_(False))
        .order_by(Delivery.id))).scalars().all()
    items: list[int] = []
    for delivery in rows:
        item = await session.get(Item, delivery.item_id) if delivery.item_id else None
        outgoing = outgoing_of(delivery, item)
        if outgoing.kind in SAFETY_KINDS:
            continue  # the holding message and emergency replies are what must still go out
        await pull_back(session, delivery, actor=actor, reason="emergency hold")
        if item is not None and item.kind == "post" and item.id not in items:
            items.append(item.id)
    return sorted(items)


async def counting_down(session: AsyncSession, event_id: int, now: datetime) -> list[tuple[Delivery, Item | None]]:
    """Posts in their safety delay: never tried, due later. Oldest first."""
    query = (select(Delivery, Item).outerjoin(Item, Item.id == Delivery.item_id)
             .where(Delivery.event_id == event_id, Delivery.status == "pending", Delivery.attempts == 0,
                    Delivery.next_attempt_at > now)
             .order_by(Delivery.next_attempt_at, Delivery.id).limit(200))
    return [(delivery, item) for delivery, item in (await session.execute(query)).all()]


async def _still_going(session: AsyncSession, *conditions: object) -> bool:
    query = select(Delivery.id).where(*conditions, Delivery.status.in_((*HOLDS_THREAD, "posted"))).limit(1)  # type: ignore[arg-type]
    return (await session.execute(query)).first() is not None


async def _reopen_source(session: AsyncSession, delivery: Delivery) -> None:
    item = await session.get(Item, delivery.item_id) if delivery.item_id else None
    if delivery.question_id is not None:
        message = await session.get(Message, delivery.question_id)
        if message is not None and message.status == "answered" and not await _still_going(
                session, Delivery.question_id == message.id):
            message.status = "queued"
            group = await session.get(QuestionGroup, message.group_id) if message.group_id else None
            if group is not None and group.status == "answered":
                group.status = "open"
    elif item is not None and item.kind == "post" and not delivery.rehearsal:
        if item.status == "queued" and not await _still_going(session, Delivery.item_id == item.id):
            item.status = "approved"
    elif item is not None and item.kind in ("answer", "reply"):
        groups = (await session.execute(select(QuestionGroup).where(
            QuestionGroup.answer_item_id == item.id, QuestionGroup.status == "answered"))).scalars().all()
        if not await _still_going(session, Delivery.item_id == item.id, Delivery.purpose == "thread"):
            for group in groups:
                group.status = "open"
                for message in (await session.execute(select(Message).where(
                        Message.group_id == group.id, Message.status == "answered"))).scalars():
                    message.status = "queued"
    await session.flush()
