"""Event control during the live run; every action is journaled with who and when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from server.consent import denylist as denylist_store
from server.consent import service as consent_service
from server.errors import Conflict
from server.events import service as event_service
from server.journal import service as journal
from server.journal.kinds import JournalKind
from server.models import Delivery, Event, Item, User
from server.publishing import outbox, pullback
from server.timeline import approvals
from server.timeline.timing import due_now, upcoming


def _require(event: Event, *states: str, action: str) -> None:
    if event.status not in states:
        raise Conflict(f"cannot {action} while the event is {event.status}", extra={"state": event.status})


async def go_live(session: AsyncSession, *, event: Event, actor: User, now: datetime, ready_platforms: list[str],
                  clock: str = "now") -> Event:
    """Start the live run: needs a valid patient consent, the patient denylist and at least one ready platform."""
    _require(event, "draft", "rehearsal", action="go live")
    if not await consent_service.valid_patient_authorization(session, event, now):
        raise Conflict("cannot go live: no valid patient authorization is on file", field="authorizations",
                       extra={"state": event.status})
    if not (await denylist_store.status(session, event.id)).configured:  # the screen must know the patient first
        raise Conflict("cannot go live: the patient denylist is not set (PUT /api/events/{id}/denylist)",
                       field="denylist", extra={"state": event.status})
    if not ready_platforms:
        raise Conflict("cannot go live: no platform account is ready", field="platforms",
                       extra={"state": event.status})
    event.started_at = now if clock == "now" else event.planned_start
    event.live_since, event.time_scale, event.held_at, event.hold_kind = now, 1.0, None, None
    return await event_service.transition(session, event=event, to="live", actor=actor,
                                          payload={"clock": clock, "platforms": ready_platforms})


async def hold(session: AsyncSession, *, event: Event, actor: User, now: datetime) -> Event:
    """Stop automatic posting; manual posts need a deliberate confirm."""
    _require(event, "live", action="hold")
    event.held_at, event.hold_kind = now, "hold"
    return await event_service.transition(session, event=event, to="held", actor=actor, payload={"kind": "hold"})


async def emergency_hold(session: AsyncSession, *, event: Event, actor: User, now: datetime,
                         post_holding_message: bool) -> tuple[Event, list[int]]:
    """Stop everything at once: pull back all that has not left (answers too), optionally post the holding message.

    From here until resume the outgoing gate lets out only the holding message and emergency replies the
    operator confirms one by one.
    """
    _require(event, "live", "held", action="emergency hold")
    if event.status == "live":
        event.held_at, event.hold_kind = now, "emergency"
        await event_service.transition(session, event=event, to="held", actor=actor,
                                       payload={"kind": "emergency"})
    else:
        event.hold_kind = "emergency"
        await session.flush()
    pulled = await pullback.pull_back_for_emergency(session, event, actor)
    holding: list[Delivery] = []
    if post_holding_message:
        holding = await outbox.enqueue_holding(session, event=event, actor=actor)
    await journal.record(session, actor=actor, kind=JournalKind.ALERT_EMERGENCY_HOLD, subject_type="event",
                         subject_id=event.id, event_id=event.id,
                         payload={"holding_message": bool(holding), "pulled_back_items": pulled})
    return event, pulled


async def resume(session: AsyncSession, *, event: Event, actor: User, now: datetime) -> Event:
    """Go back to live; items that fell due during the hold wait for the operator."""
    _require(event, "held", action="resume")
    held_for = (now - event.held_at).total_seconds() if event.held_at else 0
    event.live_since, event.held_at, event.hold_kind = now, None, None
    return await event_service.transition(session, event=event, to="live", actor=actor,
                                          payload={"held_seconds": round(held_for)})


async def end(session: AsyncSession, *, event: Event, actor: User, now: datetime) -> Event:
    """End the event."""
    _require(event, "live", "held", action="end the event")
    event.ended_at = now
    return await event_service.transition(session, event=event, to="ended", actor=actor)


async def post_item(session: AsyncSession, *, event: Event, item: Item, actor: User, confirm: bool,
                    out_of_order: bool = False) -> Item:
    """Post a chosen item now (during a hold only with confirm; in a rehearsal, to the sandbox only).

    The outgoing gate decides: refused under an emergency hold, asks to confirm during an ordinary hold, and
    asks to confirm a jump ahead of earlier steps of the run of show, naming them.
    """
    _require(event, "live", "held", "rehearsal", action="post")
    if item.event_id != event.id or item.kind != "post":
        raise Conflict("only timeline posts of this event can be posted here")
    if event.status == "rehearsal":
        await outbox.enqueue_rehearsal(session, event=event, item=item, actor=actor, out_of_order=out_of_order)
        return item
    await outbox.enqueue_item(session, event=event, item=item, actor=actor, manual=True, confirmed=confirm,
                              out_of_order=out_of_order)
    return item


async def cue_next(session: AsyncSession, *, event: Event, actor: User, confirm: bool) -> Item:
    """Post the next item of the timeline."""
    _require(event, "live", "held", "rehearsal", action="cue the next item")
    items = await upcoming(session, event.id)
    if event.status == "rehearsal":
        done = await outbox.rehearsed_items(session, event.id)
        items = [i for i in items if i.id not in done]
    if not items:
        raise Conflict("there is no item left to cue", extra={"state": event.status})
    nxt = items[0]
    if nxt.status != "approved":
        raise Conflict(f"the next item '{nxt.key}' is {nxt.status}, not approved", extra={"state": nxt.status})
    return await post_item(session, event=event, item=nxt, actor=actor, confirm=confirm)


async def skip(session: AsyncSession, *, event: Event, item: Item, actor: User) -> Item:
    """Skip an upcoming item; the thread continues from the last posted one (undo: `unskip`)."""
    if event.status == "ended":
        raise Conflict("the event has ended", extra={"state": event.status})
    if item.status in ("posted", "queued", "skipped"):
        raise Conflict(f"the item is already {item.status}", extra={"state": item.status})
    previous = item.status
    item.status = "skipped"
    await session.flush()
    await journal.record(session, actor=actor, kind=JournalKind.ITEM_SKIPPED, subject_type="item", subject_id=item.id,
                         event_id=event.id, payload={"key": item.key, "was": previous})
    return item


async def unskip(session: AsyncSession, *, event: Event, item: Item, actor: User) -> Item:
    """Undo a skip while the event runs: the item's status is derived again from its approvals and findings."""
    _require(event, "draft", "rehearsal", "live", "held", action="undo a skip")
    if item.status != "skipped":
        raise Conflict(f"the item is {item.status}, not skipped", extra={"state": item.status})
    await approvals.recompute_status(session, event=event, item=item)
    await journal.record(session, actor=actor, kind=JournalKind.ITEM_UNSKIPPED, subject_type="item", subject_id=item.id,
                         event_id=event.id, payload={"key": item.key, "status": item.status})
    return item


async def reorder(session: AsyncSession, *, event: Event, item_ids: list[int], actor: User) -> list[Item]:
    """Give upcoming items a new order (ids listed first come first)."""
    items = {i.id: i for i in await upcoming(session, event.id)}
    unknown = [i for i in item_ids if i not in items]
    if unknown or len(set(item_ids)) != len(item_ids):
        raise Conflict(f"only upcoming items of this event can be reordered (bad ids: {unknown})",
                       field="item_ids")
    positions = sorted(i.position for i in items.values())
    ordered = [items[i] for i in item_ids] + [i for i in items.values() if i.id not in item_ids]
    for position, item in zip(positions, ordered, strict=True):
        item.position = position
    await session.flush()
    await journal.record(session, actor=actor, kind=JournalKind.TIMELINE_REORDERED, subject_type="event",
                         subject_id=event.id, event_id=event.id, payload={"order": [i.id for i in ordered]})
    return ordered


async def run_due(session: AsyncSession, *, event: Event, now: datetime) -> list[int]:
    """Queue every automatic item whose time has come and that overtakes no earlier step (scheduler tick)."""
    queued = []
    for item in await due_now(session, event, now):
        try:
            async with session.begin_nested():
                await outbox.enqueue_item(session, event=event, item=item, actor=None)
            queued.append(item.id)
        except Conflict:
            continue  # another process queued it, or it became unpublishable: the console shows why
    return queued
