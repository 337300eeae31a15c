"""Creating, reading and changing events."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.errors import Conflict, NotFound
from server.events.schemas import ApprovalPolicy, EventCreate, EventRead, EventUpdate, PlatformAccount
from server.journal import service as journal
from server.models import Event, EventPlatform, User

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
    _check_policy(data.approval_policy)
    event = Event(
        slug=data.slug, title=data.title, hashtag=data.hashtag, timezone=data.timezone,
        planned_start=data.planned_start, date_everything=data.date_everything,
        content_warning_text=data.content_warning_text, staff_names=data.staff_names,
        approvals_required=data.approval_policy.approvals_required,
        clinical_required=data.approval_policy.clinical_required, status="draft",
    )
    session.add(event)
    await session.flush()
    await _set_platforms(session, event, data.platforms)
    await journal.record(session, actor=actor, kind="event.created", subject_type="event", subject_id=event.id,
                         event_id=event.id, payload={"slug": event.slug, "title": event.title})
    return event


async def update_event(session: AsyncSession, *, event: Event, data: EventUpdate, actor: User | None) -> Event:
    """Apply changes; journal which fields changed."""
    if event.status == "ended":
        raise Conflict("the event has ended and can no longer change", extra={"state": event.status})
    changed: dict[str, Any] = {}
    for name in ("title", "hashtag", "timezone", "planned_start", "date_everything", "content_warning_text",
                 "staff_names"):
        value = getattr(data, name)
        if value is not None and value != getattr(event, name):
            setattr(event, name, value)
            changed[name] = value.isoformat() if hasattr(value, "isoformat") else value
    if data.approval_policy is not None:
        _check_policy(data.approval_policy)
        event.approvals_required = data.approval_policy.approvals_required
        event.clinical_required = data.approval_policy.clinical_required
        changed["approval_policy"] = data.approval_policy.model_dump()
    if data.platforms is not None:
        await _set_platforms(session, event, data.platforms)
        changed["platforms"] = [p.model_dump() for p in data.platforms]
    if changed:
        await session.flush()
        await journal.record(session, actor=actor, kind="event.updated", subject_type="event",
                             subject_id=event.id, event_id=event.id, payload={"changed": sorted(changed)})
    return event


async def transition(session: AsyncSession, *, event: Event, to: str, actor: User | None,
                     payload: dict[str, Any] | None = None) -> Event:
    """Move the event to another status, or 409 naming the current one."""
    if to not in ALLOWED_TRANSITIONS.get(event.status, ()):
        raise Conflict(f"cannot go from '{event.status}' to '{to}'", extra={"state": event.status})
    previous = event.status
    event.status = to
    await session.flush()
    await journal.record(session, actor=actor, kind="event.status", subject_type="event", subject_id=event.id,
                         event_id=event.id, payload={"from": previous, "to": to, **(payload or {})})
    return event


def _check_policy(policy: ApprovalPolicy) -> None:
    if policy.clinical_required > policy.approvals_required:
        raise Conflict("clinical_required cannot exceed approvals_required", field="approval_policy")


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


async def to_read(session: AsyncSession, event: Event) -> EventRead:
    """Build the API shape of an event."""
    platforms = [PlatformAccount.model_validate(p) for p in await platforms_of(session, event.id)]
    return EventRead(
        id=event.id, slug=event.slug, title=event.title, hashtag=event.hashtag, timezone=event.timezone,
        planned_start=event.planned_start, status=event.status, date_everything=event.date_everything,
        content_warning_text=event.content_warning_text, staff_names=list(event.staff_names or []),
        approval_policy=ApprovalPolicy(approvals_required=event.approvals_required,
                                       clinical_required=event.clinical_required),
        platforms=platforms, started_at=event.started_at, ended_at=event.ended_at,
        created_at=event.created_at, updated_at=event.updated_at,
    )
