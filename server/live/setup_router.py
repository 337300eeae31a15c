"""Setup endpoints the console's setup screens need: the pre-flight checklist, its waiver, staff names, and the
platform accounts' reconnect and sandbox test post."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel
from sqlalchemy import select

from server.auth.deps import AnyUser, CommsUser
from server.db.session import DbSession
from server.events.deps import EventDep
from server.live import preflight
from server.live.preflight import PreflightReport, WaiverRequest
from server.models import Event, User
from server.platforms.capabilities import PlatformName
from server.publishing import accounts
from server.publishing.accounts import AccountCheck, QueuedTestPost
from server.secret_key import settings_key
from server.state import AppState, StateDep

router = APIRouter(tags=["live"])
PlatformPath = Annotated[PlatformName, Path(description="the platform")]


class StaffName(BaseModel):
    """A member of staff as the pages name them (display names, never logins)."""

    id: int
    display_name: str


async def _report(state: AppState, session: DbSession, event: Event) -> PreflightReport:
    return await preflight.report(session, event=event, registry=state.registry, now=state.clock.now(),
                                  required=bool(state.settings.preflight_required))


@router.get("/api/events/{event_id}/preflight", response_model=PreflightReport)
async def preflight_report(state: StateDep, _user: CommsUser, event: EventDep, session: DbSession) -> PreflightReport:
    """The pre-flight checklist going live requires (name, ok, detail per check)."""
    return await _report(state, session, event)


@router.post("/api/events/{event_id}/preflight/waive", response_model=PreflightReport)
async def waive_check(body: WaiverRequest, state: StateDep, user: CommsUser, event: EventDep,
                      session: DbSession) -> PreflightReport:
    """Waive the rehearsal with a written reason (journaled as `preflight.waived`)."""
    await preflight.waive(session, event=event, data=body, actor=user)
    return await _report(state, session, event)


@router.get("/api/events/{event_id}/staff", response_model=list[StaffName])
async def staff_names(_user: AnyUser, event: EventDep, session: DbSession) -> list[StaffName]:
    """Display names of every member of staff, for naming who did what in the activity log and alerts."""
    rows = await session.execute(select(User.id, User.display_name).order_by(User.id))
    return [StaffName(id=user_id, display_name=name) for user_id, name in rows.all()]


@router.post("/api/events/{event_id}/platforms/{platform}/reconnect", response_model=AccountCheck)
async def reconnect_account(platform: PlatformPath, state: StateDep, user: CommsUser, event: EventDep,
                            session: DbSession) -> AccountCheck:
    """Re-read the secrets file, check the account, and let its posts waiting for re-authentication go again."""
    result = await accounts.reconnect(session, event=event, platform=platform, registry=state.registry,
                                      secrets_file=state.settings.secrets_file, key=settings_key(state.settings),
                                      actor=user)
    if result.resumed:
        state.dispatcher.wake_after_commit(session)
    return result


@router.post("/api/events/{event_id}/platforms/{platform}/test-post", response_model=QueuedTestPost, status_code=201)
async def test_post(platform: PlatformPath, state: StateDep, user: CommsUser, event: EventDep,
                    session: DbSession) -> QueuedTestPost:
    """A test post for one of the event's accounts, to the sandbox, never in the event's thread (journaled)."""
    result = await accounts.send_test_post(session, event=event, platform=platform, actor=user)
    state.dispatcher.wake_after_commit(session)
    return result
