"""Grouping in the database: candidates come from indexed bucket-key lookups, so cost stays flat.

Each bucket key is read newest first with its own LIMIT (one index range scan per key, all in one
UNION ALL), so a popular key holding thousands of rows costs what a rare one does. Candidate texts are
scored once each. Ingest is a hot path, so everything here is a single Core statement: one candidate
query, one group insert or increment, one multi-row key insert.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, insert, select, union_all, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.models import GroupKey, Message, QuestionGroup
from server.questions.grouping import SAME_GROUP_THRESHOLD, bucket_keys, similar

CANDIDATES = 48
PER_KEY_MIN = 4
OPEN_STATES = ("open", "claimed")


@dataclass(frozen=True)
class Placement:
    """The group a new message joins, and the bucket keys to file it under once it has an id."""

    group_id: int
    keys: list[str]
    joined: bool


def keys_of(text: str, label: str) -> list[str]:
    """Bucket keys of a message (only questions are grouped with others)."""
    return [k[:200] for k in dict.fromkeys(bucket_keys(text))] if label == "question" else []


async def _candidates(session: AsyncSession, event_id: int, keys: list[str]) -> list[tuple[int, str, str]]:
    """(group id, group status, member text) rows: the newest few for each key."""
    per_key = max(PER_KEY_MIN, CANDIDATES // len(keys))
    parts = []
    for key in keys:
        inner = (
            select(GroupKey.group_id.label("group_id"), QuestionGroup.status.label("status"),
                   Message.text.label("text"))
            .join(Message, Message.id == GroupKey.message_id)
            .join(QuestionGroup, QuestionGroup.id == GroupKey.group_id)
            .where(GroupKey.event_id == event_id, GroupKey.key == key)
            .order_by(GroupKey.id.desc()).limit(per_key)
        ).subquery()
        parts.append(select(inner.c.group_id, inner.c.status, inner.c.text))
    query = parts[0] if len(parts) == 1 else union_all(*parts)
    return [(int(g), str(s), str(t)) for g, s, t in (await session.execute(query)).all()]


async def best_group(session: AsyncSession, event_id: int, text: str, keys: list[str]) -> int | None:
    """The open group whose member is most similar (at least SAME_GROUP_THRESHOLD), newest on ties."""
    if not keys:
        return None
    scores: dict[str, float] = {}
    best: tuple[float, int] | None = None
    for group_id, status, candidate in await _candidates(session, event_id, keys):
        if status not in OPEN_STATES:
            continue
        if candidate not in scores:
            scores[candidate] = similar(text, candidate)
        score = scores[candidate]
        if score >= SAME_GROUP_THRESHOLD and (best is None or (score, group_id) > best):
            best = (score, group_id)
    return best[1] if best else None


async def place(session: AsyncSession, *, event_id: int, text: str, label: str, received_at: datetime,
                rehearsal: bool) -> Placement:
    """Join the most similar open group sharing a bucket key, or start a new group."""
    keys = keys_of(text, label)
    group_id = await best_group(session, event_id, text, keys)
    if group_id is None:
        new = insert(QuestionGroup).values(event_id=event_id, label=label, text=text, size=1, rehearsal=rehearsal,
                                           last_asked_at=received_at).returning(QuestionGroup.id)
        return Placement(int((await session.execute(new)).scalar_one()), keys, joined=False)
    # Increment in SQL: two ingests joining the same group at once must not lose a count.
    later = case((QuestionGroup.last_asked_at < received_at, received_at), else_=QuestionGroup.last_asked_at)
    await session.execute(update(QuestionGroup).where(QuestionGroup.id == group_id)
                          .values(size=QuestionGroup.size + 1, last_asked_at=later),
                          execution_options={"synchronize_session": False})
    loaded = session.identity_map.get(session.identity_key(QuestionGroup, group_id))
    if loaded is not None:
        session.expire(loaded, ["size", "last_asked_at"])
    return Placement(group_id, keys, joined=True)


async def file_keys(session: AsyncSession, *, event_id: int, placement: Placement, message_id: int) -> None:
    """Store the message's bucket keys (one multi-row insert)."""
    if placement.keys:
        rows: list[dict[str, Any]] = [{"event_id": event_id, "key": key, "group_id": placement.group_id,
                                       "message_id": message_id} for key in placement.keys]
        await session.execute(insert(GroupKey), rows)


async def assign_group(session: AsyncSession, *, event_id: int, message: Message) -> int:
    """Group an already stored message (ORM object with an id); returns the group id."""
    placement = await place(session, event_id=event_id, text=message.text, label=message.label,
                            received_at=message.received_at, rehearsal=message.rehearsal)
    message.group_id = placement.group_id
    await session.flush()
    await file_keys(session, event_id=event_id, placement=placement, message_id=message.id)
    return placement.group_id
