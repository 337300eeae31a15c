"""Creating, reading and changing events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.errors import Conflict, Forbidden, Invalid, NotFound
from server.events.policy import Policy, check_policy, default_policy, effective_policy
from server.events.schemas import ApprovalPolicy, EventCreate, EventRead, EventUpdate, PlatformAccount
from server.journal import service as journal
from server.journal.kinds import JournalKind
from server.models import Event, EventPlatform, JournalEntry, User
from server.sandbox.service import reserve_handles

ALLOWED_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("rehearsal", "live"),
    "rehearsal": ("draft", "live"),
    "live": ("held", "ended"),
    "held": ("live", "ended"),
    "ended": (),
}


async def get_event(session: AsyncSession, event_id: int) -> Event:
    """The event, or 404."""
    event = await session.get(Event, event_id)
    if event is None:
        raise NotFound(f"no event with id {event_id}")
    return event


async def get_event_by_slug(session: AsyncSession, slug: str) -> Event | None:
    """The event with this slug, if any."""
    return (await session.execute(select(Event).where(Event.slug == slug))).scalar_one_or_none()


async def list_events(session: AsyncSession) -> list[Event]:
    """All events, newest planned start first."""
    return list((await session.execute(select(Event).order_by(Event.planned_start.desc()))).scalars())


async def platforms_of(session: AsyncSession, event_id: int) -> list[EventPlatform]:
    """The event's platform accounts."""
    query = select(EventPlatform).where(EventPlatform.event_id == event_id).order_by(EventPlatform.id)
    return list((await session.execute(query)).scalars())


async def create_event(session: AsyncSession, *, data: EventCreate, actor: User | None) -> Event:
    """Create an event with its platform accounts."""
    if await get_event_by_slug(session, data.slug) is not None:
        raise Conflict(f"an event with slug '{data.slug}' exists", field="slug")
    policy = (_policy(data.approval_policy) if "approval_policy" in data.model_fields_set
              else default_policy(session))
    check_policy(session, policy)
    event = Event(
        slug=data.slug, title=data.title, hashtag=data.hashtag, timezone=data.timezone,
        planned_start=data.planned_start, date_everything=data.date_everything,
        safety_delay_seconds=data.safety_delay_seconds,
        content_warning_text=data.content_warning_text, staff_names=data.staff_names,
        approvals_required=policy.approvals_required, clinical_required=policy.clinical_required, status="draft",
    )
    session.add(event)
    await session.flush()
    await _set_platforms(session, event, data.platforms)
    await journal.record(session, actor=actor, kind=JournalKind.EVENT_CREATED, subject_type="event",
                         subject_id=event.id, event_id=event.id, payload={"slug": event.slug, "title": event.title})
    return event


async def update_event(session: AsyncSession, *, event: Event, data: EventUpdate, actor: User | None) -> Event:
    """Apply changes; journal which fields changed (and a policy change with who, old, new and why).

    `actor` None is the command line (schedule import), which may change the policy like an admin.
    """
    if event.status == "ended":
        raise Conflict("the event has ended and can no longer change", extra={"state": event.status})
    policy_change = (None if data.approval_policy is None
                     else _policy_change(session, event, data.approval_policy, data.policy_reason, actor))
    changed: dict[str, Any] = {}
    for name in ("title", "hashtag", "timezone", "planned_start", "date_everything", "safety_delay_seconds",
                 "content_warning_text", "staff_names"):
        value = getattr(data, name)
        if value is not None and value != getattr(event, name):
            setattr(event, name, value)
            changed[name] = value.isoformat() if hasattr(value, "isoformat") else value
    if policy_change is not None:
        new = policy_change[1]
        event.approvals_required, event.clinical_required = new.approvals_required, new.clinical_required
        changed["approval_policy"] = new.as_dict()
    if data.platforms is not None:
        await _set_platforms(session, event, data.platforms)
        changed["platforms"] = [p.model_dump() for p in data.platforms]
    if changed:
        await session.flush()
        await journal.record(session, actor=actor, kind=JournalKind.EVENT_UPDATED, subject_type="event",
                             subject_id=event.id, event_id=event.id, payload={"changed": sorted(changed)})
    if policy_change is not None:
        old, new, reason = policy_change
        await journal.record(session, actor=actor, kind=JournalKind.EVENT_POLICY_CHANGED, subject_type="event",
                             subject_id=event.id, event_id=event.id,
                             payload={"from": old.as_dict(), "to": new.as_dict(), "reason": reason})
    return event


def _policy_change(session: AsyncSession, event: Event, requested: ApprovalPolicy, policy_reason: str | None,
                   actor: User | None) -> tuple[Policy, Policy, str] | None:
    """Check a requested policy: (old, new, reason) when it changes the policy in force, None when it does not.

    Below the floor (or more clinical than all approvals): 422. A change: only an admin (403), never while the
    event is live or held (409), and only with a reason (422).
    """
    new = _policy(requested)
    old = effective_policy(session, event)
    if new == old:
        check_policy(session, new)
        return None
    if actor is not None and not actor.has_role("admin"):
        raise Forbidden("only an admin can change an event's approval policy")
    check_policy(session, new)
    if event.status in ("live", "held"):
        raise Conflict(f"the approval policy cannot change while the event is {event.status}: items already "
                       "approved under one policy would go out beside items approved under another; change it "
                       "before going live", field="approval_policy", extra={"state": event.status})
    reason = (policy_reason or "").strip()
    if not reason:
        raise Invalid("say why the approval policy changes: policy_reason is required with a change to "
                         "approval_policy (it is journaled)", field="policy_reason")
    return old, new, reason


async def transition(session: AsyncSession, *, event: Event, to: str, actor: User | None,
                     payload: dict[str, Any] | None = None) -> Event:
    """Move the event to another status, or 409 naming the current one."""
    if to not in ALLOWED_TRANSITIONS.get(event.status, ()):
        raise Conflict(f"cannot go from '{event.status}' to '{to}'", extra={"state": event.status})
    previous = event.status
    event.status = to
    await session.flush()
    await journal.record(session, actor=actor, kind=JournalKind.EVENT_STATUS, subject_type="event", subject_id=event.id,
                         event_id=event.id, payload={"from": previous, "to": to, **(payload or {})})
    return event


async def went_live_at(session: AsyncSession, event_id: int) -> datetime | None:
    """When the event first went live (from the journal), or None when it never did.

    `Event.live_since` moves on every resume after a hold, so it cannot tell what happened before the event
    went live (a rehearsal's samples) from what happened before the last hold (the event's own).
    """
    rows = await session.execute(select(JournalEntry.at, JournalEntry.payload).where(
        JournalEntry.event_id == event_id, JournalEntry.kind == JournalKind.EVENT_STATUS).order_by(JournalEntry.seq))
    for at, payload in rows:
        if (payload or {}).get("to") == "live" and (payload or {}).get("from") in ("draft", "rehearsal"):
            return at
    return None


def _policy(policy: ApprovalPolicy) -> Policy:
    return Policy(policy.approvals_required, policy.clinical_required)


async def _set_platforms(session: AsyncSession, event: Event, platforms: list[PlatformAccount]) -> None:
    names = [p.platform for p in platforms]
    if len(names) != len(set(names)):
        raise Conflict("each platform may appear once per event", field="platforms")
    existing = {p.platform: p for p in await platforms_of(session, event.id)}
    for spec in platforms:
        row = existing.pop(spec.platform, None)
        if row is None:
            session.add(EventPlatform(event_id=event.id, platform=spec.platform, account=spec.account,
                                      enabled=spec.enabled))
        else:
            row.account, row.enabled = spec.account, spec.enabled
    for row in existing.values():
        await session.delete(row)
    await session.flush()
    await reserve_handles(session, [spec.account for spec in platforms])


async def to_read(session: AsyncSession, event: Event) -> EventRead:
    """Build the API shape of an event."""
    platforms = [PlatformAccount.model_validate(p) for p in await platforms_of(session, event.id)]
    return EventRead(
        id=event.id, slug=event.slug, title=event.title, hashtag=event.hashtag, timezone=event.timezone,
        planned_start=event.planned_start, status=event.status, date_everything=event.date_everything,
        safety_delay_seconds=event.safety_delay_seconds,
        content_warning_text=event.content_warning_text, staff_names=list(event.staff_names or []),
        approval_policy=ApprovalPolicy(**effective_policy(session, event).as_dict()),
        platforms=platforms, started_at=event.started_at, ended_at=event.ended_at,
        created_at=event.created_at, updated_at=event.updated_at,
    )
