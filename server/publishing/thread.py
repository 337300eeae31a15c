"""Thread order: which delivery may go next on each platform, and what it replies to."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import BindParameter, ColumnElement, ScalarSelect, Select, and_, bindparam, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from server.db.base import UTCDateTime
from server.models import Delivery, Event
from server.platforms.base import RemoteRef

OPEN = ("pending", "sending", "unknown")
HOLDS_THREAD = (*OPEN, "needs_reauth")  # an account to reconnect holds the rest of its thread until the retry


class Due(NamedTuple):
    """A delivery that may be attempted now, and its lane (the dispatcher sends one lane at a time)."""

    id: int
    platform: str
    account: str


def due_now(now: datetime | BindParameter[datetime]) -> ColumnElement[bool]:
    """The one rule for which open delivery may be attempted now, as a WHERE clause: its time has come (past the
    safety delay or a retry's wait), it is at the head of its thread (no earlier post of its thread open or
    waiting for re-authentication), and it is not a thread post kept back by a hold unless a person asked for it.
    The dispatcher's round (`due_deliveries`) and a cue's claim (`claimable_now`) both ask it."""
    earlier = aliased(Delivery)
    open_before = exists().where(
        earlier.event_id == Delivery.event_id, earlier.platform == Delivery.platform,
        earlier.rehearsal == Delivery.rehearsal, earlier.purpose == "thread", earlier.status.in_(HOLDS_THREAD),
        earlier.thread_seq < Delivery.thread_seq)
    held = select(Event.status).where(Event.id == Delivery.event_id).scalar_subquery() == "held"
    return and_(
        or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= now),
        or_(Delivery.purpose != "thread", ~open_before),
        or_(Delivery.purpose != "thread", Delivery.manual.is_(True), ~held),
    )


async def due_deliveries(session: AsyncSession, now: datetime, *, item_id: int | None = None) -> list[Due]:
    """Deliveries that may be attempted now (`due_now`), pending or awaiting reconciliation (only `item_id`'s
    when given), in thread order.

    A thread post that failed because the account needs re-authentication stays the head of its thread:
    the posts after it wait (no request each, no failure each) until the operator reconnects and retries it.
    A Core query of three columns: the dispatcher claims by id and loads each row it sends itself (loading
    every due row as an ORM object was most of a wake-up round's CPU; issue 19).
    """
    query = _due_query(item_id is not None)
    params: dict[str, Any] = {"due_at": now} if item_id is None else {"due_at": now, "due_item": item_id}
    return [Due(*row) for row in (await session.execute(query, params)).all()]


@cache
def _due_query(for_item: bool) -> Select[int, str, str]:
    """Built once (every idle round asks it: building `due_now`'s subqueries cost more than running them)."""
    query = (
        select(Delivery.id, Delivery.platform, Delivery.account)
        .where(Delivery.status.in_(("pending", "unknown")), due_now(bindparam("due_at", type_=UTCDateTime())))
        .order_by(Delivery.platform, Delivery.thread_seq, Delivery.id)
        .limit(100)
    )
    return query.where(Delivery.item_id == bindparam("due_item")) if for_item else query


def claimable_now(now: datetime | BindParameter[datetime]) -> ColumnElement[bool]:
    """A delivery a cue may claim in the same statement that finds it (issue 19): pending, not leased, and due
    now by the same rule as the dispatcher's round (`due_now`)."""
    return and_(Delivery.status == "pending", or_(Delivery.lease_until.is_(None), Delivery.lease_until < now),
                due_now(now))


def ref_from_json(data: dict[str, object] | None) -> RemoteRef | None:
    """A stored remote reference."""
    if not data:
        return None
    return RemoteRef(**{k: (str(v) if v is not None else None) for k, v in data.items()})  # type: ignore[arg-type]


def thread_remotes(delivery: type[Delivery] | Any = Delivery) -> tuple[ScalarSelect[Any], ScalarSelect[Any]]:
    """Correlated subqueries for a thread post's reply target: the remote of the previous posted post of its thread
    and of the thread's first posted post (the root), to select beside the delivery itself."""
    def posted_in_thread(other: Any) -> ColumnElement[bool]:
        return and_(other.event_id == delivery.event_id, other.platform == delivery.platform,
                    other.rehearsal == delivery.rehearsal, other.purpose == "thread", other.status == "posted")

    previous, first = aliased(Delivery), aliased(Delivery)
    parent = (select(previous.remote).where(posted_in_thread(previous), previous.thread_seq < delivery.thread_seq)
              .order_by(previous.thread_seq.desc()).limit(1).correlate(delivery).scalar_subquery())
    root = (select(first.remote).where(posted_in_thread(first)).order_by(first.thread_seq).limit(1)
            .correlate(delivery).scalar_subquery())
    return parent, root


def reply_target_of(delivery: Delivery, parent: dict[str, Any] | None, root: dict[str, Any] | None) -> RemoteRef | None:
    """What a delivery replies to, given the remotes `thread_remotes` selects: for a thread post the previous posted
    post of its thread (with the thread's root), for a reply the message it answers."""
    if delivery.purpose != "thread":
        return ref_from_json(delivery.reply_to)
    parent_ref, root_ref = ref_from_json(parent), ref_from_json(root)
    if parent_ref is None or root_ref is None:
        return None
    return RemoteRef(remote_id=parent_ref.remote_id, url=parent_ref.url, uri=parent_ref.uri, cid=parent_ref.cid,
                     root_uri=root_ref.uri or root_ref.remote_id, root_cid=root_ref.cid)


async def reply_target(session: AsyncSession, delivery: Delivery) -> RemoteRef | None:
    """For a thread post, the previous delivered post of the same thread (with the thread's root)."""
    if delivery.purpose != "thread":
        return ref_from_json(delivery.reply_to)
    parent, root = thread_remotes()
    row = (await session.execute(select(parent, root).select_from(Delivery).where(Delivery.id == delivery.id))).one()
    return reply_target_of(delivery, row[0], row[1])
