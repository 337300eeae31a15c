"""The question queue, answers, moderation and the public question form."""

from __future__ import annotations

from fastapi import APIRouter, Path, Query, Request, Response

from server.auth.deps import PUBLIC, AnyUser, ClinicalUser, CommsUser
from server.clock import Clock
from server.db.ids import IdPath
from server.db.session import DbSession
from server.errors import Invalid
from server.events import service as event_service
from server.events.deps import EventDep
from server.questions import answers, service, staff
from server.questions.public_form import accept
from server.questions.schemas import (
    AnswerRequest,
    AssignRequest,
    ClinicianRead,
    GroupRead,
    MessageRead,
    MuteRequest,
    PublicQuestion,
    RelabelRequest,
    StatusChange,
    Suggestion,
    Summary,
    TemplateReply,
)
from server.state import ClockDep, StateDep

router = APIRouter(tags=["questions"])


async def _group_read(clock: Clock, session: DbSession, group_id: int) -> GroupRead:
    group = await service.get_group(session, group_id)
    reads = await service.list_groups(session, event_id=group.event_id, now=clock.now(), group_ids=[group_id])
    return reads[0]


@router.get("/api/events/{event_id}/questions", response_model=list[GroupRead])
async def list_questions(request: Request, clock: ClockDep, response: Response, _user: AnyUser, event: EventDep,
                         session: DbSession,
                         label: str | None = Query(default=None, max_length=32),
                         status: str | None = Query(default=None, max_length=32),
                         limit: int = Query(default=100, ge=1, le=200),
                         cursor: str | None = Query(default=None, max_length=500, description=(
                             "Where the previous page ended: the `X-Next-Cursor` header of that page.")),
                         ) -> list[GroupRead]:
    """The queue, a page at a time: urgent groups (emergency, personal medical) newest first, then by size and age.

    The body is the page's groups, as before paging existed; when more follow, the `X-Next-Cursor` header holds
    the cursor to pass for the next page (and `Link` the next page's address, rel="next").
    """
    groups, next_cursor = await service.queue_page(session, event_id=event.id, now=clock.now(), label=label,
                                                   status=status, limit=limit, cursor=cursor)
    if next_cursor:
        response.headers["X-Next-Cursor"] = next_cursor
        response.headers["Link"] = f'<{request.url.include_query_params(cursor=next_cursor)}>; rel="next"'
    return groups


@router.get("/api/events/{event_id}/clinicians", response_model=list[ClinicianRead])
async def list_clinicians(_user: AnyUser, event: EventDep, session: DbSession) -> list[ClinicianRead]:
    """The staff directory: active clinicians a question can be assigned to (names only)."""
    return [ClinicianRead.model_validate(u) for u in await staff.active_clinicians(session)]


@router.get("/api/events/{event_id}/questions/summary", response_model=Summary)
async def questions_summary(_user: AnyUser, event: EventDep, session: DbSession) -> Summary:
    """Counts by label and open emergencies."""
    return await service.summary(session, event.id)


@router.post("/api/question-groups/{group_id}/claim", response_model=GroupRead)
async def claim(group_id: IdPath, clock: ClockDep, user: ClinicalUser, session: DbSession) -> GroupRead:
    """Claim a question for answering (a lease; a second clinician gets 409)."""
    group = await service.get_group(session, group_id)
    await service.claim(session, group=group, user=user, now=clock.now())
    return await _group_read(clock, session, group_id)


@router.post("/api/question-groups/{group_id}/release", response_model=GroupRead)
async def release(group_id: IdPath, clock: ClockDep, user: AnyUser, session: DbSession) -> GroupRead:
    """Give a claimed question back."""
    await service.release(session, group=await service.get_group(session, group_id), user=user)
    return await _group_read(clock, session, group_id)


@router.post("/api/question-groups/{group_id}/assign", response_model=GroupRead)
async def assign(group_id: IdPath, body: AssignRequest, clock: ClockDep, user: CommsUser,
                 session: DbSession) -> GroupRead:
    """Assign a question to an active clinician, or unassign it (`user_id: null`)."""
    group = await service.get_group(session, group_id)
    assignee = None if body.user_id is None else await staff.get_user(session, body.user_id)
    await service.assign(session, group=group, assignee=assignee, actor=user)
    return await _group_read(clock, session, group_id)


@router.post("/api/question-groups/{group_id}/status", response_model=GroupRead)
async def change_status(group_id: IdPath, body: StatusChange, clock: ClockDep, user: AnyUser,
                        session: DbSession) -> GroupRead:
    """Mark answered in thread, take offline, dismiss, or reopen."""
    await service.set_status(session, group=await service.get_group(session, group_id), status=body.status,
                             actor=user)
    return await _group_read(clock, session, group_id)


@router.get("/api/question-groups/{group_id}/suggestions", response_model=list[Suggestion])
async def suggest(group_id: IdPath, _user: AnyUser, session: DbSession) -> list[Suggestion]:
    """Pre-approved bank answers that fit, best first."""
    group = await service.get_group(session, group_id)
    event = await event_service.get_event(session, group.event_id)
    return await answers.suggestions(session, event=event, group=group)


@router.post("/api/question-groups/{group_id}/answer", response_model=GroupRead)
async def answer(group_id: IdPath, body: AnswerRequest, state: StateDep, user: ClinicalUser,
                 session: DbSession) -> GroupRead:
    """Answer: a bank answer goes out at once; new text needs the approval policy (author counts as clinical)."""
    group = await service.get_group(session, group_id)
    event = await event_service.get_event(session, group.event_id)
    if body.bank_item_id is not None:
        await answers.answer_with_bank(session, event=event, group=group, bank_item_id=body.bank_item_id,
                                       user=user, mode=body.mode)  # 409 in words while held back by a hold
        state.dispatcher.wake_after_commit(session)
    elif body.caption:
        item = await answers.draft_answer(session, event=event, group=group, user=user, caption=body.caption,
                                          mode=body.mode, now=state.clock.now())
        if item.status == "approved":
            state.dispatcher.wake_after_commit(session)
    else:
        raise Invalid("give a caption or a bank_item_id", field="caption")
    return await _group_read(state.clock, session, group_id)


@router.post("/api/messages/{message_id}/template-reply", response_model=MessageRead)
async def template_reply(message_id: IdPath, body: TemplateReply, state: StateDep, user: AnyUser,
                         session: DbSession) -> MessageRead:
    """One tap: send the pre-approved emergency or redirect reply under this message."""
    message = await service.get_message(session, message_id)
    event = await event_service.get_event(session, message.event_id)
    await answers.template_reply(session, event=event, message=message, template=body.template, actor=user,
                                 confirm_emergency=body.confirm_emergency)
    state.dispatcher.wake_after_commit(session)
    return MessageRead.model_validate(message)


@router.post("/api/messages/{message_id}/relabel", response_model=MessageRead)
async def relabel(message_id: IdPath, body: RelabelRequest, user: AnyUser, session: DbSession) -> MessageRead:
    """Correct the triage label."""
    message = await service.relabel(session, message=await service.get_message(session, message_id),
                                    label=body.label, reason=body.reason, actor=user)
    return MessageRead.model_validate(message)


@router.post("/api/messages/{message_id}/hide", response_model=MessageRead)
async def hide(message_id: IdPath, user: CommsUser, session: DbSession) -> MessageRead:
    """Hide a message."""
    return MessageRead.model_validate(
        await service.hide(session, message=await service.get_message(session, message_id), actor=user))


@router.post("/api/events/{event_id}/mutes", response_model=dict[str, int])
async def mute(body: MuteRequest, user: CommsUser, event: EventDep, session: DbSession) -> dict[str, int]:
    """Mute an author for the event (their messages are kept, not queued)."""
    return {"unqueued": await service.mute(session, event_id=event.id, platform=body.platform,
                                           handle=body.handle, actor=user)}


@router.post("/api/public/events/{slug}/questions", status_code=202, dependencies=[PUBLIC])
async def public_question(body: PublicQuestion, request: Request, state: StateDep,
                          slug: str = Path(max_length=64)) -> dict[str, str]:
    """The public question form (no account needed); rate-limited per client; stored as text.

    The question is stored by the form intake's writer with the others arriving meanwhile (group commit,
    server/questions/intake.py); the 202 is sent only once that transaction has committed. Well-formed posts
    are served by the fast path ahead of routing (server/questions/public_form.py), which calls the same
    `accept`; this route answers everything else (the 422s naming a field, among them).
    """
    client = request.client.host if request.client else "unknown"
    await accept(body, slug=slug, client=client, limiter=state.form_limiter, sender_key=state.form_sender_key,
                 clock=state.clock, intake=state.form_intake)  # raises NotFound when the event takes no questions
    return {"status": "received"}
