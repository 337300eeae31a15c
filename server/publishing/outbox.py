"""Creating deliveries: the only code that does, each in the same transaction as the state change that asks.

Timeline items, the holding message, bank and new answers, redirect and emergency replies and rehearsal posts
all come through here, so each passes the one outgoing gate (`publishing.gate.check`) and takes the event's
safety delay the same way. Idempotency keys keep the recipes they always had: rows created before this module
owned every path must keep matching their platform posts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.dml import Update

from server.clock import session_now
from server.db.base import UTCDateTime
from server.errors import Conflict
from server.events import service as event_service
from server.journal import service as journal
from server.journal.kinds import JournalKind
from server.models import Delivery, Event, EventPlatform, Item, ItemVersion, Message, QuestionGroup, User
from server.publishing.audience import plan_reply
from server.publishing.gate import SAFETY_KINDS, Kind, Outgoing, check, facts_of
from server.timeline.approvals import ensure_publishable
from server.timeline.content import current_version, text_for, version_content
from server.timeline.render import render_text, warning_text

THREAD_PURPOSES = ("thread",)


def idempotency_key(*parts: object) -> str:
    """A stable key for one delivery; adapters turn it into their platform's dedupe mechanism."""
    raw = "/".join(str(p) for p in parts)
    return "lc-" + hashlib.sha256(raw.encode()).hexdigest()[:40]


def send_at(event: Event, kind: Kind, now: datetime) -> datetime:
    """When a new delivery may leave: after the event's safety delay, except safety messages (at once)."""
    if kind in SAFETY_KINDS or not event.safety_delay_seconds:
        return now
    return now + timedelta(seconds=event.safety_delay_seconds)


async def enqueue_item(session: AsyncSession, *, event: Event, item: Item, actor: User | None,
                       manual: bool = False, confirmed: bool = False, out_of_order: bool = False) -> list[Delivery]:
    """Queue an approved timeline item to every enabled platform; a second, concurrent call gets 409."""
    ensure_publishable(item)
    facts = await facts_of(session, event, item)  # the version and consents, read once for the gate and the text
    await check(session, event, Outgoing("item", manual=manual, confirmed=confirmed, out_of_order=out_of_order),
                item, facts=facts)
    now = session_now(session)
    claimed = await session.execute(_queue_item_statement(), {
        "queue_item": item.id, "queue_version": item.current_version, "queued_at": now})
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("this item is already being posted", extra={"state": "queued"})
    # What the guarded update wrote, without reading the row back (it matched the version this object holds).
    set_committed_value(item, "status", "queued")
    set_committed_value(item, "updated_at", now)
    await journal.record(session, actor=actor, kind=JournalKind.ITEM_QUEUED, subject_type="item", subject_id=item.id,
                         event_id=event.id, payload={"version": item.current_version, "manual": manual,
                                                     "rehearsal": False, "out_of_order": out_of_order})
    return await _thread_deliveries(session, event, item, "item", manual=manual, confirmed=confirmed,
                                    key=lambda platform, seq: (event.id, item.id, item.current_version, platform,
                                                               "live", seq), version=facts.version)


async def enqueue_rehearsal(session: AsyncSession, *, event: Event, item: Item, actor: User | None,
                            manual: bool = True, out_of_order: bool = False) -> list[Delivery]:
    """Queue one item to the sandbox for the rehearsal (the live record is untouched)."""
    if item.status != "approved":
        raise Conflict(f"only approved items can be rehearsed; this one is {item.status}",
                       extra={"state": item.status})
    if item.id in await rehearsed_items(session, event.id):
        raise Conflict("this item was already posted in the rehearsal", extra={"state": "rehearsed"})
    await check(session, event, Outgoing("rehearsal", manual=manual, rehearsal=True, out_of_order=out_of_order),
                item)
    started = event.started_at.isoformat() if event.started_at else ""
    deliveries = await _thread_deliveries(
        session, event, item, "rehearsal", manual=True, rehearsal=True,
        key=lambda platform, seq: (event.id, item.id, item.current_version, platform, "rehearsal", started, seq))
    await journal.record(session, actor=actor, kind=JournalKind.REHEARSAL_QUEUED, subject_type="item",
                         subject_id=item.id, event_id=event.id, payload={"key": item.key})
    return deliveries


async def enqueue_holding(session: AsyncSession, *, event: Event, actor: User | None) -> list[Delivery]:
    """Queue the event's pre-approved holding message to every platform (it can be used more than once)."""
    holding = (await session.execute(select(Item).where(Item.event_id == event.id, Item.kind == "holding")
                                     .order_by(Item.position))).scalars().first()
    if holding is None or holding.status != "approved":
        raise Conflict("the event has no approved holding message", field="post_holding_message")
    await check(session, event, Outgoing("holding", manual=True, confirmed=True), holding)
    entry = await journal.record(session, actor=actor, kind=JournalKind.ITEM_QUEUED, subject_type="item",
                                 subject_id=holding.id, event_id=event.id,
                                 payload={"version": holding.current_version, "manual": True, "holding": True})
    return await _thread_deliveries(session, event, holding, "holding", manual=True, confirmed=True, media=False,
                                    key=lambda platform, seq: (event.id, holding.id, "holding", entry.seq, platform))


async def enqueue_replies(session: AsyncSession, *, event: Event, item: Item, messages: Sequence[Message],
                          kind: Kind, confirmed: bool = False) -> list[Delivery]:
    """A reply under each message (answers, redirects, emergency replies); messages with nowhere to reply skip."""
    rehearsal = any(m.rehearsal for m in messages)
    await check(session, event, Outgoing(kind, manual=True, confirmed=confirmed, rehearsal=rehearsal), item)
    # An emergency reply a person sent is deliberate: once past the gate it goes even if a hold follows.
    confirmed = confirmed or kind == "emergency_reply"
    accounts = {p.platform: p.account for p in await event_service.platforms_of(session, event.id)}
    content = version_content(await current_version(session, item))
    now = session_now(session)
    deliveries = []
    for message in messages:
        account = accounts.get(message.platform)
        if account is None or not message.remote:
            continue  # e.g. the public web form: no platform to reply on
        plan = plan_reply(message, text_for(content, message.platform), kind)
        if plan.text is None:
            await journal.record(session, actor=None, kind=JournalKind.ANSWER_WITHHELD, subject_type="message",
                                 subject_id=message.id, event_id=event.id,
                                 payload={"item_id": item.id, "reason": plan.withheld})
            continue
        delivery = Delivery(
            event_id=event.id, item_id=item.id, question_id=message.id, purpose="reply", platform=message.platform,
            account=account, version_number=item.current_version, reply_to=message.remote, manual=True,
            confirmed=confirmed, visibility=plan.visibility,
            idempotency_key=idempotency_key(event.id, item.id, item.current_version, "reply", message.id),
            text=plan.text, media=[], status="pending", rehearsal=message.rehearsal,
            next_attempt_at=send_at(event, kind, now),
        )
        session.add(delivery)
        deliveries.append(delivery)
    await session.flush()
    return deliveries


async def enqueue_thread_answer(session: AsyncSession, *, event: Event, item: Item,
                                group: QuestionGroup) -> list[Delivery]:
    """An answer posted once in the event thread (a rehearsal's answer stays on the sandbox)."""
    await check(session, event, Outgoing("answer", manual=True, rehearsal=group.rehearsal), item)
    return await _thread_deliveries(
        session, event, item, "answer", manual=True, rehearsal=group.rehearsal, media=False, plain_text=True,
        key=lambda platform, seq: (event.id, item.id, item.current_version, "thread-answer", group.id, platform))


async def enqueue_test_post(session: AsyncSession, *, event: Event, platform: str, account: str,
                            actor: User) -> Delivery:
    """A test post for one of the event's platform accounts, to the sandbox, outside the event's thread.

    It proves the outgoing path (gate, dispatcher, adapter) without posting to the audience: purpose "test"
    never joins a thread (no thread position, replies to nothing) and carries no patient content.
    """
    await check(session, event, Outgoing("test", manual=True), None)
    now = session_now(session)
    entry = await journal.record(session, actor=actor, kind=JournalKind.PLATFORM_TEST_POST, subject_type="event",
                                 subject_id=event.id, event_id=event.id,
                                 payload={"platform": platform, "account": account})
    delivery = Delivery(
        event_id=event.id, item_id=None, purpose="test", platform="sandbox", account=account, version_number=0,
        thread_seq=0, manual=True, confirmed=True, rehearsal=False,
        idempotency_key=idempotency_key(event.id, "test", platform, account, entry.seq),
        text=f"Livecue test post for {platform}:{account} ({event.hashtag or event.slug}). Not part of the event.",
        media=[], status="pending", next_attempt_at=now,
    )
    session.add(delivery)
    await session.flush()
    return delivery


async def _thread_deliveries(session: AsyncSession, event: Event, item: Item, kind: Kind, *, key: Any,
                             manual: bool, confirmed: bool = False, rehearsal: bool = False, media: bool = True,
                             plain_text: bool = False, version: ItemVersion | None = None) -> list[Delivery]:
    """One delivery per enabled platform at the end of the event's thread there (`version`: the item's current
    one when the caller has just read it)."""
    content = version_content(version or await current_version(session, item))
    now = session_now(session)
    deliveries = []
    for platform, last_seq in await _platforms_and_thread_ends(session, event.id, rehearsal):
        if not platform.enabled:
            continue
        seq = (last_seq or 0) + 1
        files: list[dict[str, Any]] = [m.model_dump(mode="json") for m in content.media] if media else []
        delivery = Delivery(
            event_id=event.id, item_id=item.id, purpose="thread", platform=platform.platform,
            account=platform.account, version_number=item.current_version, thread_seq=seq, manual=manual,
            confirmed=confirmed, rehearsal=rehearsal, idempotency_key=idempotency_key(*key(platform.platform, seq)),
            text=(text_for(content, platform.platform) if plain_text
                  else render_text(event, content, platform.platform, now)),
            media=files, content_warning=warning_text(event, content) if kind in ("item", "rehearsal") else None,
            status="pending", next_attempt_at=send_at(event, kind, now),
        )
        session.add(delivery)
        deliveries.append(delivery)
    await session.flush()
    return deliveries


async def _platforms_and_thread_ends(session: AsyncSession, event_id: int,
                                     rehearsal: bool) -> list[tuple[EventPlatform, int | None]]:
    """The event's platform accounts, each with the last thread position used there, in one statement."""
    rows = (await session.execute(_thread_ends_query(rehearsal), {"ends_event": event_id})).all()
    return [(platform, seq) for platform, seq in rows]


@cache
def _thread_ends_query(rehearsal: bool) -> Select[EventPlatform, int | None]:
    """Built once per kind (building the correlated subquery cost more than running it; issue 19)."""
    last = (select(func.max(Delivery.thread_seq)).where(
        Delivery.event_id == EventPlatform.event_id, Delivery.platform == EventPlatform.platform,
        Delivery.purpose.in_(THREAD_PURPOSES), Delivery.rehearsal.is_(rehearsal))
        .correlate(EventPlatform).scalar_subquery())
    return (select(EventPlatform, last).where(EventPlatform.event_id == bindparam("ends_event"))
            .order_by(EventPlatform.id))


@cache
def _queue_item_statement() -> Update:
    """`enqueue_item`'s guarded update (approved at the version the caller holds -> queued), built once."""
    return (update(Item).where(Item.id == bindparam("queue_item"), Item.status == "approved",
                               Item.current_version == bindparam("queue_version"))
            .values(status="queued", updated_at=bindparam("queued_at", type_=UTCDateTime()))
            .execution_options(synchronize_session=False))


async def rehearsed_items(session: AsyncSession, event_id: int) -> set[int]:
    """Items already posted (or queued) in the current rehearsal."""
    query = select(Delivery.item_id).where(Delivery.event_id == event_id, Delivery.rehearsal.is_(True))
    return {i for i in (await session.execute(query)).scalars() if i is not None}


async def deliveries_for_event(session: AsyncSession, event_id: int) -> list[Delivery]:
    """Every delivery of an event, in thread order per platform."""
    query = select(Delivery).where(Delivery.event_id == event_id).order_by(
        Delivery.platform, Delivery.thread_seq, Delivery.id)
    return list((await session.execute(query)).scalars())
