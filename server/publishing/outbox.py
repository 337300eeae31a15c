"""Creating deliveries: one per platform, in the same transaction as the state change that asks for them."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.clock import session_now
from server.consent import service as consent_service
from server.errors import Conflict
from server.events import service as event_service
from server.journal import service as journal
from server.models import Delivery, Event, Item, User
from server.publishing.render import render_text, warning_text
from server.timeline.approvals import ensure_publishable
from server.timeline.content import current_version, version_content

THREAD_PURPOSES = ("thread",)


def idempotency_key(*parts: object) -> str:
    """A stable key for one delivery; adapters turn it into their platform's dedupe mechanism."""
    raw = "/".join(str(p) for p in parts)
    return "lc-" + hashlib.sha256(raw.encode()).hexdigest()[:40]


async def publish_problems(session: AsyncSession, event: Event, item: Item, *,
                           at_post_time: bool = False) -> list[str]:
    """Why this item may not go out now (approvals, privacy findings, consents).

    At post time (`at_post_time`), an item another platform already posted may still go out on the others.
    """
    problems: list[str] = []
    allowed = ("approved", "queued", "posted") if at_post_time else ("approved", "queued")
    if item.status not in allowed:
        why = f" ({item.blocked_reason})" if item.blocked_reason else ""
        problems.append(f"the item is {item.status}, not approved{why}")
    version = await current_version(session, item)
    if any(not f.get("overridden") for f in (version.findings or [])):
        problems.append("open privacy findings")
    problems += await consent_service.authorization_problems(session, event=event, version=version)
    if not await consent_service.valid_patient_authorization(session, event):
        problems.append("no valid patient authorization on file for the event")
    return problems


async def enqueue_item(session: AsyncSession, *, event: Event, item: Item, actor: User | None,
                       manual: bool = False, rehearsal: bool = False) -> list[Delivery]:
    """Queue an approved item to every enabled platform; a second, concurrent call gets 409."""
    ensure_publishable(item)
    problems = await publish_problems(session, event, item)
    if problems:
        raise Conflict(f"cannot publish: {problems[0]}", extra={"problems": problems, "state": item.status})
    claimed = await session.execute(
        update(Item).where(Item.id == item.id, Item.status == "approved",
                           Item.current_version == item.current_version)
        .values(status="queued", updated_at=session_now(session))
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("this item is already being posted", extra={"state": "queued"})
    await session.refresh(item)
    await journal.record(session, actor=actor, kind="item.queued", subject_type="item", subject_id=item.id,
                         event_id=event.id, payload={"version": item.current_version, "manual": manual,
                                                     "rehearsal": rehearsal})
    content = version_content(await current_version(session, item))
    now = session_now(session)
    deliveries = []
    for platform in await event_service.platforms_of(session, event.id):
        if not platform.enabled:
            continue
        seq = await _next_thread_seq(session, event.id, platform.platform, rehearsal)
        media: list[dict[str, Any]] = [m.model_dump(mode="json") for m in content.media]
        delivery = Delivery(
            event_id=event.id, item_id=item.id, purpose="thread", platform=platform.platform,
            account=platform.account, version_number=item.current_version, thread_seq=seq,
            idempotency_key=idempotency_key(event.id, item.id, item.current_version, platform.platform,
                                            "rehearsal" if rehearsal else "live", seq),
            text=render_text(event, content, platform.platform, now), media=media,
            content_warning=warning_text(event, content), status="pending", rehearsal=rehearsal, manual=manual,
            next_attempt_at=now,
        )
        session.add(delivery)
        deliveries.append(delivery)
    await session.flush()
    return deliveries


async def _next_thread_seq(session: AsyncSession, event_id: int, platform: str, rehearsal: bool) -> int:
    query = select(func.max(Delivery.thread_seq)).where(
        Delivery.event_id == event_id, Delivery.platform == platform, Delivery.purpose.in_(THREAD_PURPOSES),
        Delivery.rehearsal.is_(rehearsal))
    return int((await session.execute(query)).scalar() or 0) + 1


async def deliveries_for_event(session: AsyncSession, event_id: int) -> list[Delivery]:
    """Every delivery of an event, in thread order per platform."""
    query = select(Delivery).where(Delivery.event_id == event_id).order_by(
        Delivery.platform, Delivery.thread_seq, Delivery.id)
    return list((await session.execute(query)).scalars())


async def enqueue_holding(session: AsyncSession, *, event: Event, actor: User | None) -> list[Delivery]:
    """Queue the event's pre-approved holding message to every platform (it can be used more than once)."""
    holding = (await session.execute(select(Item).where(Item.event_id == event.id, Item.kind == "holding")
                                     .order_by(Item.position))).scalars().first()
    if holding is None or holding.status != "approved":
        raise Conflict("the event has no approved holding message", field="post_holding_message")
    content = version_content(await current_version(session, holding))
    entry = await journal.record(session, actor=actor, kind="item.queued", subject_type="item",
                                 subject_id=holding.id, event_id=event.id,
                                 payload={"version": holding.current_version, "manual": True, "holding": True})
    now = session_now(session)
    deliveries = []
    for platform in await event_service.platforms_of(session, event.id):
        if not platform.enabled:
            continue
        seq = await _next_thread_seq(session, event.id, platform.platform, False)
        delivery = Delivery(
            event_id=event.id, item_id=holding.id, purpose="thread", platform=platform.platform,
            account=platform.account, version_number=holding.current_version, thread_seq=seq, manual=True,
            idempotency_key=idempotency_key(event.id, holding.id, "holding", entry.seq, platform.platform),
            text=render_text(event, content, platform.platform, now), media=[], status="pending",
            content_warning=None, next_attempt_at=now,
        )
        session.add(delivery)
        deliveries.append(delivery)
    await session.flush()
    return deliveries
