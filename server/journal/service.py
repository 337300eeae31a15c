"""Writing and reading the journal. Writers share the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.journal.kinds import JournalKind
from server.models import JournalEntry, JournalHead, User

SYSTEM_ACTOR = "system"
_advance_head = (update(JournalHead).where(JournalHead.id == 1).values(last_seq=JournalHead.last_seq + 1)
                 .returning(JournalHead.last_seq))


async def record(
    session: AsyncSession,
    *,
    actor: User | None,
    kind: JournalKind,
    subject_type: str,
    subject_id: int | None = None,
    event_id: int | None = None,
    payload: dict[str, Any] | None = None,
    actor_name: str | None = None,
) -> JournalEntry:
    """Append one entry with the next sequence number, inside the current transaction (`kind`: journal/kinds.py)."""
    seq = await _next_seq(session)
    entry = JournalEntry(
        seq=seq,
        actor_id=actor.id if actor else None,
        actor_name=actor_name or (actor.username if actor else SYSTEM_ACTOR),
        kind=kind,
        event_id=event_id,
        subject_type=subject_type,
        subject_id=subject_id,
        payload=payload or {},
    )
    session.add(entry)
    await session.flush()
    return entry


async def _next_seq(session: AsyncSession) -> int:
    # The UPDATE takes the head row's lock until commit, so sequence numbers are gap-free and become
    # visible in order: a reader that saw N has seen everything before N.
    # Core on the session's connection (autoflushed first, as session.execute would): no ORM bulk-update
    # machinery for the one row nobody loads as an object (issue 19: the form's per-batch cost).
    await session.flush()
    seq = (await (await session.connection()).execute(_advance_head)).scalar_one_or_none()
    if seq is None:
        current = (await session.execute(select(func.max(JournalEntry.seq)))).scalar() or 0
        session.add(JournalHead(id=1, last_seq=current + 1))
        await session.flush()
        return int(current) + 1
    return int(seq)


async def entries_after(
    session: AsyncSession, *, after: int = 0, event_id: int | None = None, limit: int = 500,
    kinds: tuple[str, ...] | None = None,
) -> list[JournalEntry]:
    """Entries with seq > after, oldest first, optionally for one event."""
    query = select(JournalEntry).where(JournalEntry.seq > after).order_by(JournalEntry.seq).limit(limit)
    if event_id is not None:
        query = query.where(JournalEntry.event_id == event_id)
    if kinds:
        query = query.where(JournalEntry.kind.in_(kinds))
    return list((await session.execute(query)).scalars())


async def newest_entries(
    session: AsyncSession, *, event_id: int, keep: int, accept: Callable[[JournalEntry], bool],
) -> tuple[list[JournalEntry], int]:
    """The newest `keep` entries of an event that `accept` lets through, oldest first, and the newest sequence
    number examined (0 when the event has none): what a page shows on first load, read from the end rather than
    paged through from the start, and where its live feed resumes."""
    found: list[JournalEntry] = []
    newest = 0
    before: int | None = None
    while len(found) < keep:
        query = (select(JournalEntry).where(JournalEntry.event_id == event_id)
                 .order_by(JournalEntry.seq.desc()).limit(keep))
        if before is not None:
            query = query.where(JournalEntry.seq < before)
        rows = list((await session.execute(query)).scalars())
        if not rows:
            break
        newest = newest or rows[0].seq
        found.extend(entry for entry in rows if accept(entry))
        before = rows[-1].seq
        if len(rows) < keep:
            break
    return found[:keep][::-1], newest


async def last_seq(session: AsyncSession) -> int:
    """The newest sequence number (0 when empty)."""
    return int((await session.execute(select(func.max(JournalEntry.seq)))).scalar() or 0)
