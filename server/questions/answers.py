"""Answers: clinician drafts through the approval policy, bank answers at once, one-tap template replies."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.clock import session_now
from server.errors import Conflict, NotFound
from server.events.policy import effective_policy
from server.journal import service as journal
from server.journal.kinds import JournalKind
from server.models import Approval, Delivery, Event, Item, Message, QuestionGroup, User
from server.publishing import gate, outbox
from server.questions.schemas import Suggestion
from server.questions.service import get_group, public_status
from server.questions.similarity import similar
from server.timeline import service as timeline
from server.timeline.content import current_version, version_content
from server.timeline.schemas import ItemCreate

REPLYABLE = ("queued", "closed")  # never "answered": each asker gets one reply
OPEN_STATES = ("open", "claimed")


def _ensure_open(group: QuestionGroup) -> None:
    if group.status not in OPEN_STATES:
        state = public_status(group.status)
        raise Conflict(f"this question is already {state}", extra={"state": state})


async def draft_answer(session: AsyncSession, *, event: Event, group: QuestionGroup, user: User, caption: str,
                       mode: str, now: datetime | None = None) -> Item:
    """A clinician's new answer: screened, and approved by its clinical author; comms approval sends it.

    When the event's policy needs no approval beyond the author's clinical one, it is queued at once.
    """
    _ensure_open(group)
    now = now or session_now(session)
    if (group.status == "claimed" and group.claimed_by not in (None, user.id) and group.claim_until is not None
            and group.claim_until > now):
        raise Conflict("another clinician is answering this question", extra={"state": "claimed"})
    count = (await session.execute(select(func.count()).select_from(Item).where(Item.group_id == group.id))).scalar()
    item = await timeline.create_item(session, event=event, actor=user, data=ItemCreate(
        key=f"answer-{group.id}-{int(count or 0) + 1}", kind="reply", caption=caption, question=group.text[:500]))
    item.group_id, item.reply_mode = group.id, mode
    group.answer_item_id = item.id
    version = await current_version(session, item)
    if user.has_role("clinical") and not any(not f.get("overridden") for f in version.findings or []):
        # The clinician's own approval counts as the clinical one (the explicit exception).
        session.add(Approval(item_id=item.id, version_number=1, user_id=user.id, decision="approve",
                             as_clinical=True, note="author's clinical approval"))
        policy = effective_policy(session, event)
        if policy.approvals_required <= 1 and policy.clinical_required <= 1:
            item.status, item.approved_at = "approved", session_now(session)
    await session.flush()
    await journal.record(session, actor=user, kind=JournalKind.ANSWER_DRAFTED, subject_type="question_group",
                         subject_id=group.id, event_id=event.id, payload={"item_id": item.id, "mode": mode})
    if item.status == "approved":
        await send_or_wait(session, event=event, group=group, item=item, actor=user, mode=mode)
    return item


async def send_or_wait(session: AsyncSession, *, event: Event, group: QuestionGroup, item: Item,
                       actor: User | None, mode: str) -> bool:
    """Send an approved answer, or leave it waiting when only a hold stands in the way (sent on resume)."""
    verdict = await gate.verdict(session, event, gate.Outgoing("answer", manual=True, rehearsal=group.rehearsal),
                                 item)
    if not verdict.ok and verdict.waits:
        await journal.record(session, actor=actor, kind=JournalKind.ANSWER_WAITING, subject_type="question_group",
                             subject_id=group.id, event_id=event.id,
                             payload={"item_id": item.id, "mode": mode, "reason": verdict.reasons[0]})
        return False
    await send_answer(session, event=event, group=group, item=item, actor=actor, mode=mode)
    return True


async def after_approval(session: AsyncSession, *, event: Event, item: Item, actor: User) -> bool:
    """What an approval sets going for a question's reply: sent (True: the dispatcher has work) or left waiting."""
    if item.kind != "reply" or item.status != "approved" or item.group_id is None:
        return False
    group = await get_group(session, item.group_id)
    return await send_or_wait(session, event=event, group=group, item=item, actor=actor,
                              mode=item.reply_mode or "reply_each")


async def waiting_answers(session: AsyncSession, event: Event) -> list[tuple[QuestionGroup, Item]]:
    """Approved answers written during a hold, not sent yet: their groups are still open."""
    rows = (await session.execute(
        select(QuestionGroup, Item).join(Item, Item.id == QuestionGroup.answer_item_id)
        .where(QuestionGroup.event_id == event.id, QuestionGroup.status.in_(OPEN_STATES),
               Item.kind == "reply", Item.status == "approved")
        .order_by(QuestionGroup.id))).all()
    return [(group, item) for group, item in rows]


async def send_waiting(session: AsyncSession, *, event: Event, actor: User | None) -> int:
    """On resume: send the answers that waited (each still passes the gate); returns how many went."""
    sent = 0
    for group, item in await waiting_answers(session, event):
        if await send_or_wait(session, event=event, group=group, item=item, actor=actor,
                              mode=item.reply_mode or "reply_each"):
            sent += 1
    return sent


async def answer_with_bank(session: AsyncSession, *, event: Event, group: QuestionGroup, bank_item_id: int,
                           user: User, mode: str) -> list[Delivery]:
    """Send a pre-approved bank answer at once."""
    bank = await session.get(Item, bank_item_id)
    if bank is None or bank.event_id != event.id or bank.kind != "answer":
        raise NotFound("no such bank answer for this event")
    if bank.status != "approved":
        raise Conflict("this bank answer is not approved", extra={"state": bank.status})
    bank.reply_mode = mode
    group.answer_item_id = bank.id
    return await send_answer(session, event=event, group=group, item=bank, actor=user, mode=mode)


async def send_answer(session: AsyncSession, *, event: Event, group: QuestionGroup, item: Item,
                      actor: User | None, mode: str) -> list[Delivery]:
    """Queue the answer: a reply under every asker's message, or one post in the event thread (once)."""
    _ensure_open(group)
    messages = list((await session.execute(select(Message).where(
        Message.group_id == group.id, Message.status.in_(REPLYABLE)))).scalars())
    if mode == "thread":
        deliveries = await outbox.enqueue_thread_answer(session, event=event, item=item, group=group)
    else:
        deliveries = await outbox.enqueue_replies(session, event=event, item=item, messages=messages, kind="answer")
    group.status, group.claimed_by, group.claim_until = "answered", None, None
    replied = {d.question_id for d in deliveries}
    for message in messages:
        if mode == "thread" or message.id in replied or not message.remote:
            message.status = "answered"  # a withheld reply (private question, public-only platform) stays queued
    await session.flush()
    await journal.record(session, actor=actor, kind=JournalKind.ANSWER_QUEUED, subject_type="question_group",
                         subject_id=group.id, event_id=event.id,
                         payload={"item_id": item.id, "mode": mode, "deliveries": len(deliveries)})
    return deliveries


async def template_reply(session: AsyncSession, *, event: Event, message: Message, template: str,
                         actor: User, confirm_emergency: bool = False) -> list[Delivery]:
    """One tap: the pre-approved emergency or redirect reply under one message (once per message).

    During an emergency hold an emergency reply goes only when confirmed for this one message.
    """
    if message.status not in REPLYABLE:
        raise Conflict(f"this message is {message.status}; it gets no further reply", extra={"state": message.status})
    kind = "reply_emergency" if template == "emergency" else "reply_redirect"
    item = (await session.execute(select(Item).where(Item.event_id == event.id, Item.kind == kind)
                                  .order_by(Item.position))).scalars().first()
    if item is None or item.status != "approved":
        raise Conflict(f"the event has no approved {template} reply", field="template")
    deliveries = await outbox.enqueue_replies(
        session, event=event, item=item, messages=[message],
        kind="emergency_reply" if template == "emergency" else "redirect", confirmed=confirm_emergency)
    if not deliveries:
        raise Conflict("this message came from a source Livecue cannot reply to", extra={"state": message.status})
    message.status = "answered"
    await session.flush()
    group = await session.get(QuestionGroup, message.group_id) if message.group_id is not None else None
    if group is not None and group.status in OPEN_STATES:
        waiting = (await session.execute(select(func.count()).select_from(Message).where(
            Message.group_id == group.id, Message.status == "queued"))).scalar()
        if not waiting:
            group.status, group.claimed_by, group.claim_until = "answered", None, None
            await session.flush()
    await journal.record(session, actor=actor, kind=JournalKind.ANSWER_TEMPLATE, subject_type="message",
                         subject_id=message.id, event_id=event.id, payload={"template": template})
    return deliveries


async def suggestions(session: AsyncSession, *, event: Event, group: QuestionGroup, limit: int = 3) -> list[Suggestion]:
    """Approved bank answers, best matches first."""
    bank = (await session.execute(select(Item).where(Item.event_id == event.id, Item.kind == "answer",
                                                     Item.status == "approved"))).scalars().all()
    scored = []
    for item in bank:
        caption = version_content(await current_version(session, item)).caption
        score = max(similar(group.text, item.question or ""), similar(group.text, caption) * 0.8)
        scored.append(Suggestion(item_id=item.id, question=item.question, caption=caption, score=round(score, 3)))
    return sorted(scored, key=lambda s: -s.score)[:limit]
