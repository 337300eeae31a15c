"""Automatic timing, computed from stored times only, so it survives restarts."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.models import Event, Item

GRACE = timedelta(seconds=90)


def anchor(event: Event) -> datetime:
    """Time zero of the run of show: when the event went live (or its planned start, if chosen)."""
    return event.started_at or event.planned_start


def planned_time(event: Event, item: Item) -> datetime | None:
    """When an item is planned to go out, with the event's time scale (rehearsals run faster)."""
    if item.offset_seconds is None:
        return None
    return anchor(event) + timedelta(seconds=item.offset_seconds / (event.time_scale or 1.0))


def is_automatic(item: Item) -> bool:
    """Items with an offset and no cue label post themselves; cue-labelled items wait for the operator."""
    return item.kind == "post" and item.offset_seconds is not None and not item.cue


def is_overdue(event: Event, item: Item, now: datetime) -> bool:
    """Due before the event was last (re)started, or later than the grace period: waits for the operator."""
    when = planned_time(event, item)
    if when is None or item.status in ("posted", "queued", "skipped"):
        return False
    if event.status == "held":
        return when <= now
    live_since = event.live_since or anchor(event)
    return when < live_since or when < now - GRACE


async def upcoming(session: AsyncSession, event_id: int) -> list[Item]:
    """Timeline posts not yet posted, queued or skipped, in order."""
    query = select(Item).where(Item.event_id == event_id, Item.kind == "post",
                               Item.status.in_(("draft", "rejected", "approved", "blocked")))
    return list((await session.execute(query.order_by(Item.position, Item.id))).scalars())


async def due_now(session: AsyncSession, event: Event, now: datetime) -> list[Item]:
    """Approved automatic items whose time has come and that are not overdue."""
    if event.status != "live":
        return []
    return [
        item for item in await upcoming(session, event.id)
        if item.status == "approved" and is_automatic(item)
        and (when := planned_time(event, item)) is not None and when <= now and not is_overdue(event, item, now)
    ]


async def next_automatic(session: AsyncSession, event: Event, now: datetime) -> tuple[Item, datetime] | None:
    """The next automatic post still to come, and when."""
    candidates = []
    for item in await upcoming(session, event.id):
        when = planned_time(event, item)
        if is_automatic(item) and when is not None and when > now:
            candidates.append((when, item.position, item))
    if not candidates:
        return None
    when, _, item = min(candidates, key=lambda c: (c[0], c[1]))
    return item, when
