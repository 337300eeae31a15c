"""Thread order: which delivery may go next on each platform, and what it replies to."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.models import Delivery, Event
from server.platforms.base import RemoteRef

OPEN = ("pending", "sending", "unknown")
HOLDS_THREAD = (*OPEN, "needs_reauth")  # an account to reconnect holds the rest of its thread until the retry


class Due(NamedTuple):
    """A delivery that may be attempted now, and its lane (the dispatcher sends one lane at a time)."""

    id: int
    platform: str
    account: str


async def due_deliveries(session: AsyncSession, now: datetime, *, item_id: int | None = None) -> list[Due]:
    """Deliveries that may be attempted now, honouring thread order and holds (only `item_id`'s when given).

    A thread post that failed because the account needs re-authentication stays the head of its thread:
    the posts after it wait (no request each, no failure each) until the operator reconnects and retries it.
    A Core query of three columns: the dispatcher claims by id and loads each row it sends itself (loading
    every due row as an ORM object was most of a wake-up round's CPU; issue 19).
    """
    heads = (
        select(Delivery.event_id, Delivery.platform, Delivery.rehearsal,
               func.min(Delivery.thread_seq).label("head"))
        .where(Delivery.purpose == "thread", Delivery.status.in_(HOLDS_THREAD))
        .group_by(Delivery.event_id, Delivery.platform, Delivery.rehearsal)
        .subquery()
    )
    query = (
        select(Delivery.id, Delivery.platform, Delivery.account)
        .join(Event, Event.id == Delivery.event_id)
        .outerjoin(heads, and_(heads.c.event_id == Delivery.event_id, heads.c.platform == Delivery.platform,
                               heads.c.rehearsal == Delivery.rehearsal))
        .where(
            Delivery.status.in_(("pending", "unknown")),
            or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= now),
            or_(Delivery.purpose != "thread", Delivery.thread_seq == heads.c.head),
            or_(Delivery.purpose != "thread", Event.status != "held", Delivery.manual.is_(True)),
        )
        .order_by(Delivery.platform, Delivery.thread_seq, Delivery.id)
        .limit(100)
    )
    if item_id is not None:
        query = query.where(Delivery.item_id == item_id)
    return [Due(*row) for row in (await session.execute(query)).all()]


def ref_from_json(data: dict[str, object] | None) -> RemoteRef | None:
    """A stored remote reference."""
    if not data:
        return None
    return RemoteRef(**{k: (str(v) if v is not None else None) for k, v in data.items()})  # type: ignore[arg-type]


async def reply_target(session: AsyncSession, delivery: Delivery) -> RemoteRef | None:
    """For a thread post, the previous delivered post of the same thread (with the thread's root)."""
    if delivery.purpose != "thread":
        return ref_from_json(delivery.reply_to)
    thread = (Delivery.event_id == delivery.event_id) & (Delivery.platform == delivery.platform) & (
        Delivery.rehearsal.is_(delivery.rehearsal)) & (Delivery.purpose == "thread") & (
        Delivery.status == "posted")
    previous = (await session.execute(
        select(Delivery).where(thread, Delivery.thread_seq < delivery.thread_seq)
        .order_by(Delivery.thread_seq.desc()).limit(1))).scalar_one_or_none()
    if previous is None or not previous.remote:
        return None
    root = (await session.execute(
        select(Delivery).where(thread).order_by(Delivery.thread_seq).limit(1))).scalar_one()
    parent = ref_from_json(previous.remote)
    root_ref = ref_from_json(root.remote)
    if parent is None or root_ref is None:
        return None
    return RemoteRef(remote_id=parent.remote_id, url=parent.url, uri=parent.uri, cid=parent.cid,
                     root_uri=root_ref.uri or root_ref.remote_id, root_cid=root_ref.cid)
