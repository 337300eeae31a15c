"""Consent records: recording, revoking (which blocks dependent items at once) and checking validity."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.clock import session_now
from server.consent.schemas import AuthorizationCreate
from server.errors import Conflict, NotFound
from server.journal import service as journal
from server.journal.kinds import JournalKind
from server.models import Authorization, Event, Item, ItemVersion, User

OPEN_STATUSES = ("draft", "rejected", "approved", "queued", "blocked")


async def list_authorizations(session: AsyncSession, event_id: int) -> list[Authorization]:
    """An event's consent records."""
    query = select(Authorization).where(Authorization.event_id == event_id).order_by(Authorization.id)
    return list((await session.execute(query)).scalars())


async def get_authorization(session: AsyncSession, authorization_id: int) -> Authorization:
    """One consent record, or 404."""
    row = await session.get(Authorization, authorization_id)
    if row is None:
        raise NotFound(f"no authorization with id {authorization_id}")
    return row


async def record_authorization(session: AsyncSession, *, event: Event, data: AuthorizationCreate,
                               actor: User) -> Authorization:
    """Add a consent record to an event."""
    existing = await session.execute(select(Authorization.id).where(
        Authorization.event_id == event.id, Authorization.key == data.key))
    if existing.first():
        raise Conflict(f"an authorization with key '{data.key}' exists on this event", field="key")
    row = Authorization(event_id=event.id, key=data.key, person=data.person, role=data.role,
                        covers=list(data.covers), signed_on=data.signed_on, expires_on=data.expires_on)
    session.add(row)
    await session.flush()
    await journal.record(session, actor=actor, kind=JournalKind.AUTHORIZATION_RECORDED, subject_type="authorization",
                         subject_id=row.id, event_id=event.id,
                         payload={"key": row.key, "role": row.role, "covers": row.covers})
    return row


def referenced_keys(version: ItemVersion) -> set[str]:
    """Every authorization key a version relies on (item-level and per media file)."""
    keys = set(version.authorizations or [])
    for media in version.media or []:
        keys.update(media.get("authorizations", []))
    return keys


async def revoke(session: AsyncSession, *, authorization: Authorization, reason: str,
                 actor: User) -> list[int]:
    """Withdraw consent and block every unposted item that depends on it; returns their ids."""
    if authorization.revoked_at is not None:
        raise Conflict("this authorization is already revoked", extra={"state": "revoked"})
    authorization.revoked_at = session_now(session)
    authorization.revoked_reason = reason
    blocked: list[int] = []
    query = (
        select(Item, ItemVersion)
        .join(ItemVersion, (ItemVersion.item_id == Item.id) & (ItemVersion.number == Item.current_version))
        .where(Item.event_id == authorization.event_id, Item.status.in_(OPEN_STATUSES))
    )
    for item, version in (await session.execute(query)).all():
        if authorization.key in referenced_keys(version):
            item.status = "blocked"
            item.approved_at = None
            item.blocked_reason = f"consent '{authorization.key}' was revoked: {reason}"
            blocked.append(item.id)
    await session.flush()
    await journal.record(session, actor=actor, kind=JournalKind.AUTHORIZATION_REVOKED, subject_type="authorization",
                         subject_id=authorization.id, event_id=authorization.event_id,
                         payload={"key": authorization.key, "reason": reason, "blocked_items": blocked})
    return blocked


def _valid_on(row: Authorization, day: date) -> str | None:
    if row.revoked_at is not None:
        return f"consent '{row.key}' was revoked"
    if row.signed_on > day:
        return f"consent '{row.key}' is dated in the future ({row.signed_on.isoformat()})"
    if row.expires_on is not None and row.expires_on < day:
        return f"consent '{row.key}' expired on {row.expires_on.isoformat()}"
    return None


async def authorization_problems(session: AsyncSession, *, event: Event, version: ItemVersion,
                                 at: datetime | None = None) -> list[str]:
    """Why the consents this version relies on do not allow it to go out (empty: all good)."""
    day = (at or session_now(session)).date()
    return authorization_problems_in(await list_authorizations(session, event.id), version, day)


def authorization_problems_in(authorizations: Sequence[Authorization], version: ItemVersion, day: date) -> list[str]:
    """`authorization_problems` over the event's consent records already read (the gate reads them once)."""
    rows = {a.key: a for a in authorizations}
    problems: list[str] = []
    for key in sorted(referenced_keys(version)):
        row = rows.get(key)
        if row is None:
            problems.append(f"consent '{key}' is not on file for this event")
            continue
        why = _valid_on(row, day)
        if why:
            problems.append(why)
    for media in version.media or []:
        need = "video" if str(media.get("mime_type", "")).startswith("video/") else "photos"
        for key in media.get("authorizations", []):
            row = rows.get(key)
            if row is not None and need not in row.covers:
                problems.append(f"consent '{key}' does not cover {need}")
    return problems


async def valid_patient_authorization(session: AsyncSession, event: Event, at: datetime | None = None) -> bool:
    """Whether the event has a current (unrevoked, unexpired) patient consent on file."""
    day = (at or session_now(session)).date()
    return patient_authorization_in(await list_authorizations(session, event.id), day)


def patient_authorization_in(authorizations: Sequence[Authorization], day: date) -> bool:
    """`valid_patient_authorization` over the event's consent records already read."""
    return any(a.role == "patient" and _valid_on(a, day) is None for a in authorizations)
