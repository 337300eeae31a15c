"""Rehearsal: the run of show on the sandbox, faster, with simulated audience replies; kept apart, resettable."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.errors import Conflict
from server.events import service as event_service
from server.journal import service as journal
from server.journal.kinds import JournalKind
from server.models import (
    Delivery,
    EngagementSample,
    Event,
    FollowerSample,
    GroupKey,
    Item,
    Message,
    MetricsAccount,
    QuestionGroup,
    SandboxPost,
    User,
)
from server.platforms.sandbox.adapter import ensure_account
from server.publishing import outbox
from server.timeline.offsets import parse_offset
from server.timeline.timing import anchor, is_automatic, planned_time


class AudienceLine(BaseModel):
    """One simulated audience reply: when (offset from start), who, what, and under which item (default: latest)."""

    model_config = ConfigDict(extra="forbid")

    at: str = Field(max_length=16, pattern=r"^T\+\d{2}:[0-5]\d(:[0-5]\d)?$")
    handle: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    name: str = Field(default="", max_length=100)
    text: str = Field(min_length=1, max_length=1000)
    reply_to: str | None = Field(default=None, max_length=64, description="Item key to reply under.")


class RehearsalStart(BaseModel):
    """Start a rehearsal at a time scale (10 = ten times faster) with an optional audience script."""

    model_config = ConfigDict(extra="forbid")

    time_scale: float = Field(default=10.0, ge=1.0, le=120.0)
    audience: list[AudienceLine] = Field(default_factory=list, max_length=2000)


async def start(session: AsyncSession, *, event: Event, data: RehearsalStart, actor: User, now: datetime) -> Event:
    """Draft → rehearsal on the sandbox, clock running `time_scale` times faster."""
    if event.status != "draft":
        raise Conflict(f"cannot start a rehearsal while the event is {event.status}", extra={"state": event.status})
    event.started_at, event.live_since, event.time_scale = now, now, data.time_scale
    event.rehearsal_script = [line.model_dump() for line in data.audience]
    return await event_service.transition(session, event=event, to="rehearsal", actor=actor,
                                          payload={"time_scale": data.time_scale, "audience": len(data.audience)})


async def stop(session: AsyncSession, *, event: Event, actor: User) -> Event:
    """End the rehearsal (its posts and questions stay visible until reset)."""
    if event.status != "rehearsal":
        raise Conflict(f"no rehearsal is running (the event is {event.status})", extra={"state": event.status})
    event.started_at, event.live_since, event.time_scale = None, None, 1.0
    return await event_service.transition(session, event=event, to="draft", actor=actor)


async def reset(session: AsyncSession, *, event: Event, actor: User) -> dict[str, int]:
    """Delete everything the rehearsal produced: sandbox posts, deliveries, questions, and its metrics."""
    if event.status == "rehearsal":
        await stop(session, event=event, actor=actor)
    posts = select(Delivery.remote).where(Delivery.event_id == event.id, Delivery.rehearsal.is_(True))
    post_ids = [int(r["remote_id"]) for r in (await session.execute(posts)).scalars() if r and "remote_id" in r]
    message_ids = list((await session.execute(select(Message.id).where(
        Message.event_id == event.id, Message.rehearsal.is_(True)))).scalars())
    await session.execute(delete(GroupKey).where(GroupKey.message_id.in_(message_ids)))
    await session.execute(update(Message).where(Message.id.in_(message_ids)).values(group_id=None))
    await session.execute(delete(QuestionGroup).where(QuestionGroup.event_id == event.id,
                                                      QuestionGroup.rehearsal.is_(True)))
    await session.execute(delete(Message).where(Message.id.in_(message_ids)))
    samples = await _remove_metrics(session, event)
    deliveries = await session.execute(delete(Delivery).where(Delivery.event_id == event.id,
                                                             Delivery.rehearsal.is_(True)))
    removed_posts = 0
    if post_ids:
        replies = select(SandboxPost.id).where(SandboxPost.root_id.in_(post_ids) | SandboxPost.id.in_(post_ids))
        ids = list((await session.execute(replies)).scalars())
        await session.execute(update(SandboxPost).where(SandboxPost.id.in_(ids)).values(reply_to_id=None,
                                                                                        root_id=None))
        removed = await session.execute(delete(SandboxPost).where(SandboxPost.id.in_(ids)))
        removed_posts = removed.rowcount or 0  # type: ignore[attr-defined]
    await session.execute(delete(SandboxPost).where(SandboxPost.rehearsal.is_(True),
                                                    SandboxPost.idempotency_key.like(f"rehearsal-{event.id}-%")))
    deleted = int(deliveries.rowcount or 0)  # type: ignore[attr-defined]
    counts = {"deliveries": deleted, "sandbox_posts": int(removed_posts), "messages": len(message_ids),
              "follower_samples": samples}
    await journal.record(session, actor=actor, kind=JournalKind.REHEARSAL_RESET, subject_type="event",
                         subject_id=event.id, event_id=event.id, payload=counts)
    return counts


async def _remove_metrics(session: AsyncSession, event: Event) -> int:
    """Remove the rehearsal's follower and engagement samples, so the next rehearsal's recap starts clean.

    Follower samples carry no rehearsal flag: those of a rehearsal are the ones taken before the event first
    went live (all of them when it never did). The sampler's schedule goes too when the event is back in draft;
    the next rehearsal or go-live makes it anew, due at once. Returns the number of follower samples removed.
    """
    rehearsed = select(Delivery.id).where(Delivery.event_id == event.id, Delivery.rehearsal.is_(True))
    await session.execute(delete(EngagementSample).where(EngagementSample.delivery_id.in_(rehearsed)))
    went_live = await event_service.went_live_at(session, event.id)
    followers = delete(FollowerSample).where(FollowerSample.event_id == event.id)
    if went_live is not None:
        followers = followers.where(FollowerSample.at < went_live)
    removed = await session.execute(followers)
    if event.status == "draft":
        await session.execute(delete(MetricsAccount).where(MetricsAccount.event_id == event.id))
    return int(removed.rowcount or 0)  # type: ignore[attr-defined]


async def enqueue(session: AsyncSession, *, event: Event, item: Item, actor: User | None,
                  manual: bool = True, out_of_order: bool = False) -> list[Delivery]:
    """Queue one item to the sandbox for the rehearsal (the outbox owns delivery creation)."""
    return await outbox.enqueue_rehearsal(session, event=event, item=item, actor=actor, manual=manual,
                                          out_of_order=out_of_order)


async def run_due(session: AsyncSession, *, event: Event, now: datetime) -> list[int]:
    """Queue due automatic items and post due audience lines, at the rehearsal's time scale."""
    done = await outbox.rehearsed_items(session, event.id)
    items = list((await session.execute(select(Item).where(Item.event_id == event.id, Item.kind == "post",
                                                           Item.status == "approved")
                                        .order_by(Item.position))).scalars())
    queued = []
    for item in items:
        when = planned_time(event, item)
        if item.id in done or not is_automatic(item) or when is None or when > now:
            continue
        try:
            async with session.begin_nested():
                await enqueue(session, event=event, item=item, actor=None, manual=False)
        except Conflict:
            continue  # waiting for an earlier step (or no longer publishable): the console shows why
        queued.append(item.id)
        done.add(item.id)
    await _audience(session, event, now, {i.key: i.id for i in items})
    return queued


async def _audience(session: AsyncSession, event: Event, now: datetime, keys: dict[str, int]) -> None:
    for index, line in enumerate(event.rehearsal_script or []):
        when = anchor(event) + timedelta(seconds=parse_offset(str(line["at"])).total_seconds() / event.time_scale)
        key = f"rehearsal-{event.id}-{event.started_at.isoformat() if event.started_at else ''}-{index}"[:64]
        if when > now or (await session.execute(select(SandboxPost.id).where(
                SandboxPost.idempotency_key == key))).first():
            continue
        parent = await _parent_post(session, event, keys.get(str(line.get("reply_to") or "")))
        if parent is None:
            continue
        author = await ensure_account(session, str(line["handle"]), audience=True,
                                      display_name=str(line.get("name") or line["handle"]))
        session.add(SandboxPost(account_id=author.id, text=str(line["text"]), reply_to_id=parent.id,
                                root_id=parent.root_id or parent.id, idempotency_key=key, rehearsal=True))
    await session.flush()


async def _parent_post(session: AsyncSession, event: Event, item_id: int | None) -> SandboxPost | None:
    query = select(Delivery).where(Delivery.event_id == event.id, Delivery.rehearsal.is_(True),
                                   Delivery.status == "posted")
    if item_id is not None:
        query = query.where(Delivery.item_id == item_id)
    delivery = (await session.execute(query.order_by(Delivery.thread_seq.desc()))).scalars().first()
    remote: dict[str, Any] | None = delivery.remote if delivery else None
    if not remote or "remote_id" not in remote:
        return None
    return await session.get(SandboxPost, int(remote["remote_id"]))
