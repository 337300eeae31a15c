"""Setup endpoints the console's setup screens need: the pre-flight checklist, its waiver, staff names, and the
platform accounts' reconnect and sandbox test post."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel
from sqlalchemy import select

from server.auth.deps import AnyUser, CommsUser
from server.clock import Clock
from server.db.ids import IdPath
from server.db.session import DbSession
from server.events import service as event_service
from server.live import preflight
from server.live.preflight import PreflightReport, WaiverRequest
from server.models import User
from server.platforms.capabilities import PlatformName
from server.publishing import accounts
from server.publishing.accounts import AccountCheck, QueuedTestPost
from server.secret_key import settings_key

router = APIRouter(tags=["live"])
PlatformPath = Annotated[PlatformName, Path(description="the platform")]


class StaffName(BaseModel):
    """A member of staff as the pages name them (display names, never logins)."""

    id: int
    display_name: str


async def _report(request: Request, session: DbSession, event_id: int) -> PreflightReport:
    state = request.app.state.livecue
    clock: Clock = state.services["clock"]
    event = await event_service.get_event(session, event_id)
    return await preflight.report(session, event=event, registry=state.services["registry"], now=clock.now(),
                                  required=bool(state.settings.preflight_required))


@router.get("/api/events/{event_id}/preflight", response_model=PreflightReport)
async def preflight_report(event_id: IdPath, request: Request, _user: CommsUser, session: DbSession) -> PreflightReport:
    """The pre-flight checklist going live requires (name, ok, detail per check)."""
    return await _report(request, session, event_id)


@router.post("/api/events/{event_id}/preflight/waive", response_model=PreflightReport)
async def waive_check(event_id: IdPath, body: WaiverRequest, request: Request, user: CommsUser,
                      session: DbSession) -> PreflightReport:
    """Waive the rehearsal with a written reason (journaled as `preflight.waived`)."""
    event = await event_service.get_event(session, event_id)
    await preflight.waive(session, event=event, data=body, actor=user)
    return await _report(request, session, event_id)


@router.get("/api/events/{event_id}/staff", response_model=list[StaffName])
async def staff_names(event_id: IdPath, _user: AnyUser, session: DbSession) -> list[StaffName]:
    """Display names of every member of staff, for naming who did what in the activity log and alerts."""
    await event_service.get_event(session, event_id)
    rows = await session.execute(select(User.id, User.display_name).order_by(User.id))
    return [StaffName(id=user_id, display_name=name) for user_id, name in rows.all()]


@router.post("/api/events/{event_id}/platforms/{platform}/reconnect", response_model=AccountCheck)
async def reconnect_account(event_id: IdPath, platform: PlatformPath, request: Request, user: CommsUser,
                            session: DbSession) -> AccountCheck:
    """Re-read the secrets file, check the account, and let its posts waiting for re-authentication go again."""
    state = request.app.state.livecue
    event = await event_service.get_event(session, event_id)
    result = await accounts.reconnect(session, event=event, platform=platform, registry=state.services["registry"],
                                      secrets_file=state.settings.secrets_file, key=settings_key(state.settings),
                                      actor=user)
    if result.resumed and state.services.get("dispatcher") is not None:
        state.services["dispatcher"].wake_after_commit(session)
    return result


@router.post("/api/events/{event_id}/platforms/{platform}/test-post", response_model=QueuedTestPost, status_code=201)
async def test_post(event_id: IdPath, platform: PlatformPath, request: Request, user: CommsUser,
                    session: DbSession) -> QueuedTestPost:
    """A test post for one of the event's accounts, to the sandbox, never in the event's thread (journaled)."""
    event = await event_service.get_event(session, event_id)
    result = await accounts.send_test_post(session, event=event, platform=platform, actor=user)
    dispatcher = request.app.state.livecue.services.get("dispatcher")
    if dispatcher is not None:
        dispatcher.wake_after_commit(session)
    return result
