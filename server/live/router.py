"""Live control endpoints and the real-time feed."""

from __future__ import annotations

import math
from datetime import datetime

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.deps import AnyUser, CommsUser
from server.consent import service as consent_service
from server.db.ids import IdPath
from server.db.session import DbSession, commit_now
from server.events import service as event_service
from server.events.deps import EventDep
from server.events.schemas import EventRead
from server.live import preflight, rehearsal, service
from server.live.rehearsal import RehearsalStart
from server.live.schemas import (
    ConfirmRequest,
    CountdownEntry,
    EmergencyHoldRequest,
    GoLiveRequest,
    LiveItem,
    LiveStatus,
    ReorderRequest,
)
from server.live.setup_router import router as setup_router
from server.models import Event
from server.platforms.registry import AdapterRegistry
from server.publishing import gate, outbox, pullback
from server.questions import answers
from server.state import ClockDep, RegistryDep, StateDep
from server.timeline import service as timeline
from server.timeline.content import to_read
from server.timeline.order import label
from server.timeline.schemas import ItemRead
from server.timeline.timing import Slot, next_automatic, run_of_show

router = APIRouter(tags=["live"])
router.include_router(setup_router)  # pre-flight checklist, its waiver, staff names


def _ready_platforms(registry: AdapterRegistry, platforms: list[tuple[str, str]]) -> list[str]:
    return [p for p, account in platforms if registry.is_configured(p, account)]


def _live_item(slot: Slot) -> LiveItem:
    item = slot.item
    return LiveItem(id=item.id, key=item.key, status=item.status, planned_at=slot.planned_at,
                    automatic=slot.automatic, overdue=slot.overdue, cue=item.cue, waiting_for=slot.waiting_for)


async def _countdown(session: AsyncSession, event: Event, now: datetime) -> list[CountdownEntry]:
    return [CountdownEntry(delivery_id=d.id, item_id=d.item_id, item_key=item.key if item else None,
                           purpose=d.purpose, platform=d.platform, text=d.text, sends_at=d.next_attempt_at,
                           seconds_left=max(0, math.ceil((d.next_attempt_at - now).total_seconds())))
            for d, item in await pullback.counting_down(session, event.id, now) if d.next_attempt_at]


async def _resume_preview(session: AsyncSession, event: Event, slots: list[Slot], now: datetime) -> list[str]:
    """What "Resume" would do, in words, for the confirmation dialog."""
    if event.status != "held":
        return []
    lines = ["Automatic posting of the run of show resumes."]
    fell_due = [s.item for s in slots if s.planned_at is not None and s.planned_at <= now]
    if fell_due:
        names = ", ".join(f"‘{label(i)}’" for i in fell_due[:5]) + (" and more" if len(fell_due) > 5 else "")
        lines.append(f"{len(fell_due)} item(s) that fell due during the hold wait for you: {names}.")
    waiting = await answers.waiting_answers(session, event)
    if waiting:
        delay = f" after the {event.safety_delay_seconds} s safety delay" if event.safety_delay_seconds else ""
        lines.append(f"{len(waiting)} answer(s) written during the hold go out{delay}.")
    if event.hold_kind == "emergency":
        lines.append("Answers and redirects go out again; emergency replies no longer need confirming one by one.")
    return lines


@router.get("/api/events/{event_id}/live", response_model=LiveStatus)
async def live_status(clock: ClockDep, registry: RegistryDep, _user: AnyUser, event: EventDep,
                      session: DbSession) -> LiveStatus:
    """The live state: elapsed time, next automatic post, overdue items, platform readiness."""
    return await live_status_of(session, event, clock.now(), registry)


async def live_status_of(session: AsyncSession, event: Event, now: datetime, registry: AdapterRegistry) -> LiveStatus:
    """The live state of an event (this route's, and the first-load snapshot's in server/pages/snapshot.py)."""
    platforms = [(p.platform, p.account) for p in await event_service.platforms_of(session, event.id) if p.enabled]
    ready = set(_ready_platforms(registry, platforms))
    # During a rehearsal what it already posted is no longer upcoming (the items themselves stay approved).
    rehearsed = await outbox.rehearsed_items(session, event.id) if event.status == "rehearsal" else set()
    nxt = await next_automatic(session, event, now) if event.status in ("live", "rehearsal") else None
    nxt = None if nxt and nxt[0].id in rehearsed else nxt
    slots = [slot for slot in await run_of_show(session, event, now) if slot.item.id not in rehearsed]
    by_id = {slot.item.id: slot for slot in slots}
    return LiveStatus(
        event_id=event.id, status=event.status, hold_kind=event.hold_kind, now=now, started_at=event.started_at,
        elapsed_seconds=int((now - event.started_at).total_seconds()) if event.started_at else None,
        held_at=event.held_at, time_scale=event.time_scale, timezone=event.timezone,
        next_automatic=_live_item(by_id[nxt[0].id]) if nxt and nxt[0].id in by_id else None,
        seconds_to_next=int((nxt[1] - now).total_seconds()) if nxt else None,
        upcoming=[_live_item(slot) for slot in slots],
        platforms={p: p in ready for p, _ in platforms},
        patient_authorization=await consent_service.valid_patient_authorization(session, event, now),
        posting_rule=gate.posting_rule(event), safety_delay_seconds=event.safety_delay_seconds or 0,
        countdown=await _countdown(session, event, now),
        resume_preview=await _resume_preview(session, event, slots, now),
    )


@router.post("/api/events/{event_id}/live/go", response_model=EventRead)
async def go_live(body: GoLiveRequest, state: StateDep, user: CommsUser, event: EventDep,
                  session: DbSession) -> EventRead:
    """Go live (needs a patient consent on file and a ready platform, and the pre-flight checklist complete)."""
    if state.settings.preflight_required:
        await preflight.require(session, event=event, registry=state.registry, now=state.clock.now())
    platforms = [(p.platform, p.account) for p in await event_service.platforms_of(session, event.id) if p.enabled]
    await service.go_live(session, event=event, actor=user, now=state.clock.now(),
                          ready_platforms=_ready_platforms(state.registry, platforms), clock=body.clock)
    state.poller.wake_after_commit(session)  # the event's first mentions are read at once, not in a burst later
    return await event_service.to_read(session, event)


@router.post("/api/events/{event_id}/live/hold", response_model=EventRead)
async def hold(clock: ClockDep, user: CommsUser, event: EventDep, session: DbSession) -> EventRead:
    """Hold: no automatic posting until resumed."""
    await service.hold(session, event=event, actor=user, now=clock.now())
    return await event_service.to_read(session, event)


@router.post("/api/events/{event_id}/live/emergency-hold", response_model=EventRead)
async def emergency_hold(body: EmergencyHoldRequest, state: StateDep, user: CommsUser, event: EventDep,
                         session: DbSession) -> EventRead:
    """Emergency hold: stop everything, pull back unsent posts, optionally post the holding message."""
    await service.emergency_hold(session, event=event, actor=user, now=state.clock.now(),
                                 post_holding_message=body.post_holding_message)
    state.dispatcher.wake_after_commit(session)
    return await event_service.to_read(session, event)


@router.post("/api/events/{event_id}/live/resume", response_model=EventRead)
async def resume(state: StateDep, user: CommsUser, event: EventDep, session: DbSession) -> EventRead:
    """Resume after a hold; items that fell due meanwhile wait for the operator."""
    await service.resume(session, event=event, actor=user, now=state.clock.now())
    await answers.send_waiting(session, event=event, actor=user)  # answers written during the hold
    state.dispatcher.wake_after_commit(session)
    return await event_service.to_read(session, event)


@router.post("/api/events/{event_id}/live/end", response_model=EventRead)
async def end(clock: ClockDep, user: CommsUser, event: EventDep, session: DbSession) -> EventRead:
    """End the event."""
    await service.end(session, event=event, actor=user, now=clock.now())
    return await event_service.to_read(session, event)


@router.post("/api/events/{event_id}/live/cue-next", response_model=ItemRead)
async def cue_next(body: ConfirmRequest, state: StateDep, user: CommsUser, event: EventDep,
                   session: DbSession) -> ItemRead:
    """Post the next item of the timeline now."""
    item = await service.cue_next(session, event=event, actor=user, confirm=body.confirm)
    hand_over = await state.dispatcher.claim_ahead(session, item.id)
    await commit_now(session)  # the hand-over happens at the commit
    await hand_over.underway()  # the answer's reads come after the platform request started, not beside it
    return await to_read(session, event, item, await timeline.enabled_platforms(session, event.id))


@router.post("/api/events/{event_id}/live/reorder", response_model=list[int])
async def reorder(body: ReorderRequest, user: CommsUser, event: EventDep, session: DbSession) -> list[int]:
    """Reorder upcoming items."""
    return [i.id for i in await service.reorder(session, event=event, item_ids=body.item_ids, actor=user)]


@router.post("/api/items/{item_id}/post-now", response_model=ItemRead)
async def post_now(item_id: IdPath, body: ConfirmRequest, state: StateDep, user: CommsUser,
                   session: DbSession) -> ItemRead:
    """Post a chosen, approved item now; a second press gets 409."""
    item, event = await timeline.get_item_and_event(session, item_id)
    await service.post_item(session, event=event, item=item, actor=user, confirm=body.confirm,
                            out_of_order=body.confirm_out_of_order)
    hand_over = await state.dispatcher.claim_ahead(session, item.id)
    await commit_now(session)  # the hand-over happens at the commit
    await hand_over.underway()  # the answer's reads come after the platform request started, not beside it
    return await to_read(session, event, item, await timeline.enabled_platforms(session, event.id))


@router.post("/api/items/{item_id}/skip", response_model=ItemRead)
async def skip(item_id: IdPath, user: CommsUser, session: DbSession) -> ItemRead:
    """Skip an upcoming item."""
    item = await timeline.get_item(session, item_id)
    event = await event_service.get_event(session, item.event_id)
    await service.skip(session, event=event, item=item, actor=user)
    return await to_read(session, event, item, await timeline.enabled_platforms(session, event.id))


@router.post("/api/items/{item_id}/unskip", response_model=ItemRead)
async def unskip(item_id: IdPath, user: CommsUser, session: DbSession) -> ItemRead:
    """Undo a skip while the event runs: the item takes its place in the run of show again."""
    item = await timeline.get_item(session, item_id)
    event = await event_service.get_event(session, item.event_id)
    await service.unskip(session, event=event, item=item, actor=user)
    return await to_read(session, event, item, await timeline.enabled_platforms(session, event.id))


@router.post("/api/events/{event_id}/rehearsal/start", response_model=EventRead)
async def start_rehearsal(body: RehearsalStart, clock: ClockDep, user: CommsUser, event: EventDep,
                          session: DbSession) -> EventRead:
    """Rehearse the whole event on the sandbox at a time scale, with simulated audience replies."""
    await rehearsal.start(session, event=event, data=body, actor=user, now=clock.now())
    return await event_service.to_read(session, event)


@router.post("/api/events/{event_id}/rehearsal/stop", response_model=EventRead)
async def stop_rehearsal(user: CommsUser, event: EventDep, session: DbSession) -> EventRead:
    """Stop the rehearsal; its posts stay until reset."""
    await rehearsal.stop(session, event=event, actor=user)
    return await event_service.to_read(session, event)


@router.post("/api/events/{event_id}/rehearsal/reset", response_model=dict[str, int])
async def reset_rehearsal(user: CommsUser, event: EventDep, session: DbSession) -> dict[str, int]:
    """Delete everything the rehearsal produced (sandbox posts, deliveries, questions)."""
    return await rehearsal.reset(session, event=event, actor=user)
