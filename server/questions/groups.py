"""Grouping in the database: candidates come from an indexed bucket-key lookup, so cost stays flat."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.models import GroupKey, Message, QuestionGroup
from server.questions.grouping import SAME_GROUP_THRESHOLD, bucket_keys, similar

CANDIDATES = 48


async def assign_group(session: AsyncSession, *, event_id: int, message: Message) -> QuestionGroup:
    """Join the most similar open group sharing a bucket key, or start a new group."""
    keys = bucket_keys(message.text) if message.label == "question" else []
    best: tuple[float, QuestionGroup] | None = None
    if keys:
        query = (
            select(GroupKey.group_id, Message.text)
            .join(Message, Message.id == GroupKey.message_id)
            .where(GroupKey.event_id == event_id, GroupKey.key.in_(keys))
            .order_by(GroupKey.id.desc()).limit(CANDIDATES)
        )
        seen: set[int] = set()
        for group_id, text in (await session.execute(query)).all():
            score = similar(message.text, text)
            if score < SAME_GROUP_THRESHOLD or group_id in seen:
                continue
            seen.add(group_id)
            group = await session.get(QuestionGroup, group_id)
            if group is not None and group.status in ("open", "claimed") and (best is None or score > best[0]):
                best = (score, group)
    if best is None:
        group = QuestionGroup(event_id=event_id, label=message.label, text=message.text, size=1,
                              rehearsal=message.rehearsal, last_asked_at=message.received_at)
        session.add(group)
        await session.flush()
    else:
        group = best[1]
        group.size += 1
        group.last_asked_at = max(group.last_asked_at, message.received_at)
    message.group_id = group.id
    for key in keys:
        session.add(GroupKey(event_id=event_id, key=key[:200], group_id=group.id, message_id=message.id))
    await session.flush()
    return group
