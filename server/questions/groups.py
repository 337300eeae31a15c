"""Grouping in the database: candidates come from indexed bucket-key lookups, so cost stays flat.

Each bucket key is read newest first with its own LIMIT (one index range scan per key, joined in one
UNION ALL), so a popular key holding thousands of rows costs what a rare one does. Candidate texts are
scored once each; key rows are written with one Core insert.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, union_all, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.models import GroupKey, Message, QuestionGroup
from server.questions.grouping import SAME_GROUP_THRESHOLD, bucket_keys, similar

CANDIDATES = 48
PER_KEY_MIN = 4
OPEN_STATES = ("open", "claimed")


async def _candidates(session: AsyncSession, event_id: int, keys: list[str]) -> list[tuple[int, str]]:
    """(group id, member text) rows: the newest few for each key."""
    per_key = max(PER_KEY_MIN, CANDIDATES // len(keys))
    parts = []
    for key in keys:
        inner = (
            select(GroupKey.group_id.label("group_id"), Message.text.label("text"))
            .join(Message, Message.id == GroupKey.message_id)
            .where(GroupKey.event_id == event_id, GroupKey.key == key)
            .order_by(GroupKey.id.desc()).limit(per_key)
        ).subquery()
        parts.append(select(inner.c.group_id, inner.c.text))
    query = parts[0] if len(parts) == 1 else union_all(*parts)
    return [(int(g), str(t)) for g, t in (await session.execute(query)).all()]


async def _best_group(session: AsyncSession, event_id: int, text: str,
                      keys: list[str]) -> tuple[float, QuestionGroup] | None:
    scores: dict[str, float] = {}
    best: dict[int, float] = {}
    for group_id, candidate in await _candidates(session, event_id, keys):
        if candidate not in scores:
            scores[candidate] = similar(text, candidate)
        if scores[candidate] >= SAME_GROUP_THRESHOLD and scores[candidate] > best.get(group_id, 0.0):
            best[group_id] = scores[candidate]
    if not best:
        return None
    groups = (await session.execute(select(QuestionGroup).where(
        QuestionGroup.id.in_(list(best)), QuestionGroup.status.in_(OPEN_STATES)))).scalars().all()
    ranked = sorted(((best[g.id], -g.id, g) for g in groups), key=lambda t: (t[0], t[1]), reverse=True)
    return (ranked[0][0], ranked[0][2]) if ranked else None


async def assign_group(session: AsyncSession, *, event_id: int, message: Message) -> QuestionGroup:
    """Join the most similar open group sharing a bucket key, or start a new group."""
    keys = [k[:200] for k in dict.fromkeys(bucket_keys(message.text))] if message.label == "question" else []
    found = await _best_group(session, event_id, message.text, keys) if keys else None
    if found is None:
        group = QuestionGroup(event_id=event_id, label=message.label, text=message.text, size=1,
                              rehearsal=message.rehearsal, last_asked_at=message.received_at)
        session.add(group)
        await session.flush()
    else:
        group = found[1]
        # Increment in SQL: two ingests joining the same group at once must not lose a count.
        await session.execute(update(QuestionGroup).where(QuestionGroup.id == group.id).values(
            size=QuestionGroup.size + 1), execution_options={"synchronize_session": False})
        await session.refresh(group, ["size"])
        group.last_asked_at = max(group.last_asked_at, message.received_at)
    message.group_id = group.id
    await session.flush()
    if keys:
        rows: list[dict[str, Any]] = [{"event_id": event_id, "key": key, "group_id": group.id,
                                       "message_id": message.id} for key in keys]
        await session.execute(insert(GroupKey), rows)
    return group
