"""Automatic timing, computed from stored times only, so it survives restarts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.models import Delivery, Event, Item
from server.timeline.order import label

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


async def upcoming(session: AsyncSession, event_id: int) -> list[Item]:
    """Timeline posts not yet posted, queued or skipped, in order."""
    query = select(Item).where(Item.event_id == event_id, Item.kind == "post",
                               Item.status.in_(("draft", "rejected", "approved", "blocked")))
    return list((await session.execute(query.order_by(Item.position, Item.id))).scalars())


@dataclass
class Slot:
    """One upcoming timeline post as the run of show sees it now."""

    item: Item
    planned_at: datetime | None
    automatic: bool
    overdue: bool
    due: bool  # the scheduler posts it on this tick
    waiting_for: str | None  # "waiting for ‘incision made’": an earlier step holds it back


async def run_of_show(session: AsyncSession, event: Event, now: datetime) -> list[Slot]:
    """Walk the run of show in order: an automatic item is due only once every earlier step has gone out.

    Surgery runs late. An automatic item never overtakes an earlier item still waiting (for its cue, its
    approvals or the operator): it shows what it waits for, and its clock starts again when that step goes
    out, so it posts right after the cue instead of turning overdue while it waited.
    """
    posts = list((await session.execute(select(Item).where(Item.event_id == event.id, Item.kind == "post")
                                        .order_by(Item.position, Item.id))).scalars())
    released = await _first_sent(session, event.id)
    slots: list[Slot] = []
    released_at: datetime | None = None
    holding_line: Item | None = None
    for item in posts:
        if item.status == "skipped":
            continue
        if item.status in ("queued", "posted"):
            released_at = released.get(item.id) or item.published_at or released_at
            continue
        when = planned_time(event, item)
        automatic = is_automatic(item)
        if holding_line is not None:
            slots.append(Slot(item, when, automatic, False, False,
                              f"waiting for ‘{label(holding_line)}’" if automatic else None))
            continue
        start = max(when, released_at) if when is not None and released_at is not None else when
        overdue = _overdue(event, item, start, now)
        due = (event.status == "live" and automatic and item.status == "approved" and when is not None
               and when <= now and not overdue)
        slots.append(Slot(item, when, automatic, overdue, due, None))
        if due:
            released_at = now
        else:
            holding_line = item
    return slots


def _overdue(event: Event, item: Item, start: datetime | None, now: datetime) -> bool:
    if start is None or event.status not in ("live", "held"):
        return False
    if event.status == "held":
        return start <= now
    live_since = event.live_since or anchor(event)
    return start < live_since or start < now - GRACE


async def _first_sent(session: AsyncSession, event_id: int) -> dict[int, datetime]:
    """When each timeline item of the live run was first queued (its first delivery)."""
    query = (select(Delivery.item_id, func.min(Delivery.created_at))
             .where(Delivery.event_id == event_id, Delivery.rehearsal.is_(False), Delivery.item_id.is_not(None))
             .group_by(Delivery.item_id))
    return {item_id: at for item_id, at in (await session.execute(query)).all() if item_id is not None}


async def due_now(session: AsyncSession, event: Event, now: datetime) -> list[Item]:
    """Approved automatic items whose time has come, that are not overdue and overtake no earlier step."""
    if event.status != "live":
        return []
    return [slot.item for slot in await run_of_show(session, event, now) if slot.due]


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
