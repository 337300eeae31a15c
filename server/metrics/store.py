"""The sampler's schedule and samples: which accounts to read, claiming one (a lease), storing what was read.

Each account of a sampled event has one `MetricsAccount` row. A sampler claims a due row with a conditional
UPDATE (only where no other holder's lease is running), so with several server processes each account is read
by one of them at a time and the platform's rate limits are spent once; the lease runs out by itself if its
holder dies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.models import Delivery, EngagementSample, Event, EventPlatform, FollowerSample, MetricsAccount
from server.platforms.base import EngagementCounts, RemoteRef

SAMPLED_WHILE = ("live", "held", "rehearsal")


@dataclass(frozen=True)
class Claimed:
    """One account a sampler holds for one round."""

    row_id: int
    event_id: int
    platform: str
    account: str
    rehearsal: bool


def window_open(event: Event, now: datetime, after_end: timedelta) -> bool:
    """Whether an event is sampled now: from go-live until `after_end` past its end."""
    if event.status in SAMPLED_WHILE:
        return True
    return event.status == "ended" and event.ended_at is not None and now <= event.ended_at + after_end


async def sampled_events(session: AsyncSession, now: datetime, after_end: timedelta) -> list[Event]:
    """Events inside their sampling window."""
    query = select(Event).where(or_(Event.status.in_(SAMPLED_WHILE),
                                    and_(Event.status == "ended", Event.ended_at >= now - after_end)))
    return [e for e in (await session.execute(query)).scalars() if window_open(e, now, after_end)]


async def ensure_schedule(session: AsyncSession, event: Event, now: datetime) -> None:
    """A schedule row for each enabled account of the event, due now when new."""
    have = {(r.platform, r.account) for r in (await session.execute(
        select(MetricsAccount).where(MetricsAccount.event_id == event.id))).scalars()}
    accounts = (await session.execute(select(EventPlatform).where(
        EventPlatform.event_id == event.id, EventPlatform.enabled.is_(True)))).scalars()
    for account in accounts:
        if (account.platform, account.account) not in have:
            session.add(MetricsAccount(event_id=event.id, platform=account.platform, account=account.account,
                                       due_at=now, samples=0))
    await session.flush()


async def due_rows(session: AsyncSession, event_ids: list[int], now: datetime) -> list[MetricsAccount]:
    """Schedule rows of these events that are due and not held by a running lease."""
    if not event_ids:
        return []
    return list((await session.execute(select(MetricsAccount).where(
        MetricsAccount.event_id.in_(event_ids), MetricsAccount.due_at <= now,
        or_(MetricsAccount.lease_until.is_(None), MetricsAccount.lease_until < now))
        .order_by(MetricsAccount.due_at, MetricsAccount.id))).scalars())


async def claim(session: AsyncSession, row_id: int, owner: str, now: datetime, lease: timedelta) -> bool:
    """Take the row's lease when nobody else holds it (True when this sampler got it)."""
    result = await session.execute(
        update(MetricsAccount).where(
            MetricsAccount.id == row_id, MetricsAccount.due_at <= now,
            or_(MetricsAccount.lease_until.is_(None), MetricsAccount.lease_until < now))
        .values(lease_owner=owner, lease_until=now + lease))
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def posted_refs(session: AsyncSession, claimed: Claimed, limit: int) -> dict[int, RemoteRef]:
    """The newest posted thread deliveries of the account (at most `limit`), by delivery id."""
    rows = (await session.execute(
        select(Delivery).where(Delivery.event_id == claimed.event_id, Delivery.platform == claimed.platform,
                               Delivery.account == claimed.account, Delivery.status == "posted",
                               Delivery.purpose == "thread", Delivery.rehearsal.is_(claimed.rehearsal))
        .order_by(Delivery.posted_at.desc(), Delivery.id.desc()).limit(limit))).scalars()
    out = {}
    for row in rows:
        remote = row.remote or {}
        if remote.get("remote_id"):
            out[row.id] = RemoteRef(remote_id=str(remote["remote_id"]), uri=remote.get("uri"),
                                    cid=remote.get("cid"))
    return out


async def store_round(session: AsyncSession, claimed: Claimed, owner: str, *, at: datetime, followers: int,
                      counts: dict[int, EngagementCounts], next_at: datetime) -> bool:
    """Store one round's samples and release the lease; False (nothing stored) when the lease was lost."""
    row = await session.get(MetricsAccount, claimed.row_id, with_for_update=True)
    if row is None or row.lease_owner != owner:
        return False
    session.add(FollowerSample(event_id=claimed.event_id, platform=claimed.platform, account=claimed.account,
                               at=at, followers=followers))
    for delivery_id, c in counts.items():
        session.add(EngagementSample(event_id=claimed.event_id, delivery_id=delivery_id, platform=claimed.platform,
                                     at=at, likes=c.likes, reposts=c.reposts, replies=c.replies, quotes=c.quotes))
    row.samples += 1
    row.last_error, row.due_at, row.lease_owner, row.lease_until = None, next_at, None, None
    await session.flush()
    return True


async def release_failed(session: AsyncSession, claimed: Claimed, owner: str, *, error: str,
                         next_at: datetime) -> None:
    """Keep the platform's refusal as the account's last error and try again at `next_at`."""
    row = await session.get(MetricsAccount, claimed.row_id, with_for_update=True)
    if row is None or row.lease_owner != owner:
        return
    row.last_error, row.due_at, row.lease_owner, row.lease_until = error[:500], next_at, None, None
    await session.flush()
