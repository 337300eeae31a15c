"""The clinical queue: listing, claiming with a lease, assigning, closing, relabeling, moderation."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from server.errors import Conflict, NotFound
from server.journal import service as journal
from server.journal.kinds import JournalKind
from server.models import Message, MutedAuthor, QuestionGroup, User
from server.questions.paging import Position, ordered
from server.questions.schemas import GroupRead, MessageRead, Summary

CLAIM_MINUTES = 10
QUEUE_LABELS = ("emergency", "personal_medical", "question")
MEMBER_STATES = ("queued", "closed", "answered")  # hidden, muted and rejected messages are no askers
# question_group.status is VARCHAR(16): "answered_in_thread" (18) is stored under a shorter name.
_STORED = {"answered_in_thread": "in_thread"}
_PUBLIC = {v: k for k, v in _STORED.items()}


def stored_status(status: str) -> str:
    """The column value for an API status."""
    return _STORED.get(status, status)


def public_status(status: str) -> str:
    """The API status for a column value."""
    return _PUBLIC.get(status, status)


async def get_group(session: AsyncSession, group_id: int) -> QuestionGroup:
    """A group, or 404."""
    group = await session.get(QuestionGroup, group_id)
    if group is None:
        raise NotFound(f"no question group with id {group_id}")
    return group


async def get_message(session: AsyncSession, message_id: int) -> Message:
    """A message, or 404."""
    message = await session.get(Message, message_id)
    if message is None:
        raise NotFound(f"no message with id {message_id}")
    return message


async def list_groups(session: AsyncSession, *, event_id: int, now: datetime, label: str | None = None,
                      status: str | None = None, limit: int = 100,
                      group_ids: list[int] | None = None) -> list[GroupRead]:
    """The first page of `queue_page` (or the groups `group_ids` names), without the cursor."""
    groups, _ = await queue_page(session, event_id=event_id, now=now, label=label, status=status, limit=limit,
                                 group_ids=group_ids)
    return groups


async def queue_page(session: AsyncSession, *, event_id: int, now: datetime, label: str | None = None,
                     status: str | None = None, limit: int = 100, cursor: str | None = None,
                     group_ids: list[int] | None = None) -> tuple[list[GroupRead], str | None]:
    """One page of groups in queue order (`paging`: urgent ones newest first, then the biggest questions), and
    the cursor of the next page (None on the last).

    A claim whose lease ran out counts as open (and no longer as claimed) when filtering by status.
    """
    query = select(QuestionGroup).where(QuestionGroup.event_id == event_id)
    if group_ids is not None:
        query = query.where(QuestionGroup.id.in_(group_ids))
    else:
        # Without a label filter: the clinical labels, plus every group triage flagged (an alert under any label,
        # or a language it cannot read), so no possible emergency is left outside the clinicians' queue.
        query = query.where(QuestionGroup.label == label if label else or_(
            QuestionGroup.label.in_(QUEUE_LABELS), QuestionGroup.alert.is_(True), QuestionGroup.unscreened.is_(True)))
        query = query.where(_status_filter(status, now))
    if cursor:
        query = query.where(Position.decode(cursor).after())
    groups = list((await session.execute(ordered(query).limit(limit + 1))).scalars())
    next_cursor = Position.of(groups[limit - 1]).encode() if len(groups) > limit else None
    groups = groups[:limit]
    if not groups:
        return [], None
    members = (await session.execute(select(Message).where(
        Message.group_id.in_([g.id for g in groups]), Message.status.in_(MEMBER_STATES))
        .order_by(Message.received_at, Message.id))).scalars().all()
    wanted = {u for g in groups for u in (g.claimed_by, g.assigned_to) if u is not None}
    names = {u.id: u.display_name for u in (await session.execute(
        select(User).where(User.id.in_(wanted)))).scalars()} if wanted else {}
    by_group: dict[int, list[MessageRead]] = {}
    for message in members:
        by_group.setdefault(message.group_id or 0, []).append(MessageRead.model_validate(message))
    return [
        GroupRead(id=g.id, event_id=g.event_id, label=g.label, text=g.text, size=g.size,
                  status=_effective_status(g, now), claimed_by=g.claimed_by if _claimed(g, now) else None,
                  claimed_by_name=names.get(g.claimed_by or 0) if _claimed(g, now) else None,
                  claim_until=g.claim_until if _claimed(g, now) else None, assigned_to=g.assigned_to,
                  assigned_to_name=names.get(g.assigned_to) if g.assigned_to is not None else None,
                  answer_item_id=g.answer_item_id, created_at=g.created_at, last_asked_at=g.last_asked_at,
                  alert=g.alert, unscreened=g.unscreened, messages=by_group.get(g.id, []))
        for g in groups
    ], next_cursor


def _status_filter(status: str | None, now: datetime) -> ColumnElement[bool]:
    live = and_(QuestionGroup.status == "claimed", QuestionGroup.claim_until > now)
    if status == "open":
        lapsed = or_(QuestionGroup.claim_until.is_(None), QuestionGroup.claim_until <= now)
        return or_(QuestionGroup.status == "open", and_(QuestionGroup.status == "claimed", lapsed))
    if status == "claimed":
        return live
    if status:
        return QuestionGroup.status == stored_status(status)
    return QuestionGroup.status.in_(("open", "claimed"))


def _claimed(group: QuestionGroup, now: datetime) -> bool:
    return group.claimed_by is not None and group.claim_until is not None and group.claim_until > now


def _effective_status(group: QuestionGroup, now: datetime) -> str:
    if group.status == "claimed" and not _claimed(group, now):
        return "open"
    return public_status(group.status)


async def summary(session: AsyncSession, event_id: int) -> Summary:
    """Counts by label of queued messages, open groups and open emergencies."""
    rows = (await session.execute(
        select(Message.label, func.count()).where(Message.event_id == event_id, Message.status == "queued")
        .group_by(Message.label))).all()
    open_groups = (await session.execute(select(func.count()).select_from(QuestionGroup).where(
        QuestionGroup.event_id == event_id, QuestionGroup.status.in_(("open", "claimed")),
        or_(QuestionGroup.label.in_(QUEUE_LABELS), QuestionGroup.alert.is_(True),
            QuestionGroup.unscreened.is_(True))))).scalar() or 0
    emergencies = (await session.execute(select(Message.id).where(
        Message.event_id == event_id, or_(Message.label == "emergency", Message.alert.is_(True)),
        Message.status == "queued"))).scalars().all()
    rejected = (await session.execute(select(func.count()).select_from(Message).where(
        Message.event_id == event_id, Message.status == "rejected"))).scalar() or 0
    return Summary(by_label={label: int(n) for label, n in rows}, open_groups=int(open_groups),
                   open_emergencies=list(emergencies), rejected=int(rejected))


async def claim(session: AsyncSession, *, group: QuestionGroup, user: User, now: datetime) -> QuestionGroup:
    """Take a group for CLAIM_MINUTES; a second clinician gets 409 while the lease runs."""
    if group.status not in ("open", "claimed"):
        state = public_status(group.status)
        raise Conflict(f"this question is already {state}", extra={"state": state})
    until = now + timedelta(minutes=CLAIM_MINUTES)
    result = await session.execute(
        update(QuestionGroup).where(
            QuestionGroup.id == group.id, QuestionGroup.status.in_(("open", "claimed")),
            or_(QuestionGroup.claimed_by.is_(None), QuestionGroup.claimed_by == user.id,
                QuestionGroup.claim_until.is_(None), QuestionGroup.claim_until <= now))
        .values(status="claimed", claimed_by=user.id, claim_until=until))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        await session.refresh(group)
        raise Conflict("another clinician is answering this question", extra={"state": "claimed"})
    await session.refresh(group)
    await journal.record(session, actor=user, kind=JournalKind.QUESTION_CLAIMED, subject_type="question_group",
                         subject_id=group.id, event_id=group.event_id, payload={"until": until.isoformat()})
    return group


async def release(session: AsyncSession, *, group: QuestionGroup, user: User) -> QuestionGroup:
    """Give a claimed group back to the queue; "releasing" a closed one (dismissed, answered…) reopens it.

    A reopen is journaled as the reopen it is (`question.status`, from → open) and puts its askers back in the
    queue, exactly as `set_status(open)` does; it once went down as a mere `question.released`.
    """
    if group.claimed_by != user.id and not user.has_role("comms", "admin"):
        raise Conflict("only the clinician who claimed it (or comms) can release it", extra={"state": group.status})
    if group.status not in ("open", "claimed"):
        return await set_status(session, group=group, status="open", actor=user)
    group.status, group.claimed_by, group.claim_until = "open", None, None
    await session.flush()
    await journal.record(session, actor=user, kind=JournalKind.QUESTION_RELEASED, subject_type="question_group",
                         subject_id=group.id, event_id=group.event_id)
    return group


async def assign(session: AsyncSession, *, group: QuestionGroup, assignee: User | None,
                 actor: User) -> QuestionGroup:
    """Comms assigns a group to an active clinician, or unassigns it (`assignee` None).

    Journaled as `question.assigned` (to: username, to_name) or `question.unassigned` (from, from_name);
    unassigning a group nobody has is a no-op.
    """
    if assignee is None:
        if group.assigned_to is None:
            return group
        previous = await session.get(User, group.assigned_to)
        group.assigned_to = None
        await session.flush()
        await journal.record(session, actor=actor, kind=JournalKind.QUESTION_UNASSIGNED, subject_type="question_group",
                             subject_id=group.id, event_id=group.event_id,
                             payload={"from": previous.username if previous else None,
                                      "from_name": previous.display_name if previous else None})
        return group
    if not assignee.has_role("clinical"):
        raise Conflict(f"{assignee.display_name} is not a clinician", field="user_id")
    if not assignee.active:
        raise Conflict(f"{assignee.display_name}'s account is switched off", field="user_id")
    group.assigned_to = assignee.id
    await session.flush()
    await journal.record(session, actor=actor, kind=JournalKind.QUESTION_ASSIGNED, subject_type="question_group",
                         subject_id=group.id, event_id=group.event_id,
                         payload={"to": assignee.username, "to_name": assignee.display_name})
    return group


async def set_status(session: AsyncSession, *, group: QuestionGroup, status: str, actor: User) -> QuestionGroup:
    """Mark answered in thread, take offline, dismiss, or reopen."""
    previous = public_status(group.status)
    group.status = stored_status(status)
    group.claimed_by, group.claim_until = None, None
    closed = "queued" if status == "open" else "closed"
    await session.execute(update(Message).where(Message.group_id == group.id,
                                                Message.status.in_(("queued", "closed"))).values(status=closed))
    await session.flush()
    await journal.record(session, actor=actor, kind=JournalKind.QUESTION_STATUS, subject_type="question_group",
                         subject_id=group.id, event_id=group.event_id, payload={"from": previous, "to": status})
    return group


async def relabel(session: AsyncSession, *, message: Message, label: str, reason: str, actor: User) -> Message:
    """Correct a label; the change is journaled and kept as evaluation data.

    Relabelling as an emergency raises the alert; relabelling away from it keeps an alert that triage raised
    (a clinician dismisses the group to clear it), so a mistaken pick never hides a possible emergency.
    """
    previous = message.label
    message.label, message.relabeled_by = label, actor.id
    message.label_reason = reason or f"relabeled by {actor.username}"
    if label == "emergency" and not message.alert:
        message.alert = True
        message.alert_reasons = [*(message.alert_reasons or []), f"relabeled as an emergency by {actor.username}"]
    if message.group_id is not None:
        group = await session.get(QuestionGroup, message.group_id)
        if group is not None and group.size == 1:
            group.label = label
        if group is not None and message.alert:
            group.alert = True
    await session.flush()
    await journal.record(session, actor=actor, kind=JournalKind.MESSAGE_RELABELED, subject_type="message",
                         subject_id=message.id, event_id=message.event_id,
                         payload={"from": previous, "to": label, "text": message.text, "reason": reason})
    if label == "emergency" and previous != "emergency" and message.status == "queued":
        await journal.record(session, actor=actor, kind=JournalKind.ALERT_EMERGENCY_MESSAGE, subject_type="message",
                             subject_id=message.id, event_id=message.event_id,
                             payload={"platform": message.platform, "reason": message.label_reason,
                                      "relabeled": True})
    return message


async def _leave_groups(session: AsyncSession, group_ids: list[int | None]) -> None:
    """Shrink the groups that lost queued members; a group left with nobody is dismissed."""
    for group_id in group_ids:
        group = await session.get(QuestionGroup, group_id) if group_id is not None else None
        if group is None:
            continue
        group.size = max(0, group.size - 1)
        if group.size == 0 and group.status in ("open", "claimed"):
            group.status, group.claimed_by, group.claim_until = "dismissed", None, None
        headline = (await session.execute(select(Message.text).where(
            Message.group_id == group.id, Message.status.in_(MEMBER_STATES)).order_by(Message.id).limit(1))).scalar()
        if headline is not None:  # a hidden or muted message never stays the group's headline
            group.text = headline
    await session.flush()


async def hide(session: AsyncSession, *, message: Message, actor: User) -> Message:
    """Hide a message from the queue (kept for the record); its group shrinks."""
    if message.status == "hidden":
        return message
    queued = message.status == "queued"
    message.status = "hidden"
    await session.flush()
    if queued:
        await _leave_groups(session, [message.group_id])
    await journal.record(session, actor=actor, kind=JournalKind.MESSAGE_HIDDEN, subject_type="message",
                         subject_id=message.id, event_id=message.event_id)
    return message


async def mute(session: AsyncSession, *, event_id: int, platform: str, handle: str, actor: User) -> int:
    """Mute an author for the event: their queued messages leave the queue, later ones are kept unqueued.

    Possible emergencies are the exception: they are still queued and alerted, marked as from a muted author.
    """
    exists = (await session.execute(select(MutedAuthor.id).where(
        MutedAuthor.event_id == event_id, MutedAuthor.platform == platform, MutedAuthor.handle == handle))).first()
    if not exists:
        session.add(MutedAuthor(event_id=event_id, platform=platform, handle=handle, muted_by=actor.id))
    queued = (Message.event_id == event_id) & (Message.platform == platform) & (Message.author_handle == handle) & (
        Message.status == "queued") & Message.alert.is_(False)
    groups = list((await session.execute(select(Message.group_id).where(queued))).scalars())
    await session.execute(update(Message).where(queued).values(status="muted"),
                          execution_options={"synchronize_session": "fetch"})
    await _leave_groups(session, groups)
    await journal.record(session, actor=actor, kind=JournalKind.AUTHOR_MUTED, subject_type="event", subject_id=event_id,
                         event_id=event_id, payload={"platform": platform, "handle": handle})
    return len(groups)
