"""Storing the event denylist as salted hashes; plaintext never reaches the database, API or logs."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from server.consent.schemas import DenylistStatus
from server.journal import service as journal
from server.journal.kinds import JournalKind
from server.models import Event, EventDenylist, User
from server.privacy.denylist import Denylist


def _key(session: AsyncSession, salt: bytes) -> bytes:
    # The matching key mixes the event's random salt with the server's secret (kept outside the database),
    # so a copy of the database alone is not enough to test guesses against the hashes.
    pepper: bytes = session.info.get("denylist_pepper", b"")
    return hmac.new(pepper, salt, hashlib.sha256).digest() if pepper else salt


async def load(session: AsyncSession, event_id: int) -> Denylist | None:
    """The event's denylist matcher, if one is set."""
    row = await session.get(EventDenylist, event_id)
    if row is None or not row.storage:
        return None
    salt = bytes.fromhex(str(row.storage["salt"]))
    return Denylist.from_storage(_key(session, salt), row.storage)


async def replace(session: AsyncSession, *, event: Event, entries: list[str], actor: User) -> None:
    """Hash the identifiers under a fresh salt and store only the hashes."""
    cleaned = [e for e in (entry.strip() for entry in entries) if e]
    salt = secrets.token_bytes(16)
    denylist = Denylist.build(cleaned, salt=_key(session, salt))
    storage: dict[str, Any] = {**denylist.to_storage(), "salt": salt.hex()}
    row = await session.get(EventDenylist, event.id)
    if row is None:
        session.add(EventDenylist(event_id=event.id, storage=storage, entry_count=len(cleaned)))
    else:
        row.storage, row.entry_count = storage, len(cleaned)
    await session.flush()
    await journal.record(session, actor=actor, kind=JournalKind.DENYLIST_REPLACED, subject_type="event",
                         subject_id=event.id, event_id=event.id, payload={"entries": len(cleaned)})


async def status(session: AsyncSession, event_id: int) -> DenylistStatus:
    """Configured or not, and the entry count."""
    row = await session.get(EventDenylist, event_id)
    if row is None:
        return DenylistStatus(configured=False, entry_count=0, updated_at=None)
    return DenylistStatus(configured=row.entry_count > 0, entry_count=row.entry_count, updated_at=row.updated_at)
