"""Consent records, the event denylist and the sharing policy."""

from __future__ import annotations

from fastapi import APIRouter, Query

from server.auth.deps import AnyUser, CommsUser
from server.consent import denylist as denylist_service
from server.consent import service
from server.consent.policy import PolicyPage, policy_page
from server.consent.schemas import (
    AuthorizationCreate,
    AuthorizationRead,
    DenylistStatus,
    DenylistUpdate,
    RevokeRequest,
    RevokeResult,
)
from server.db.ids import IdPath
from server.db.session import DbSession
from server.events.deps import EventDep
from server.models import Authorization
from server.timeline import screening

router = APIRouter(tags=["privacy"])


@router.get("/api/events/{event_id}/authorizations", response_model=list[AuthorizationRead])
async def list_authorizations(_user: AnyUser, event: EventDep, session: DbSession) -> list[Authorization]:
    """The event's consent records."""
    return await service.list_authorizations(session, event.id)


@router.post("/api/events/{event_id}/authorizations", response_model=AuthorizationRead, status_code=201)
async def record_authorization(body: AuthorizationCreate, user: CommsUser, event: EventDep,
                               session: DbSession) -> Authorization:
    """Record a signed consent."""
    return await service.record_authorization(session, event=event, data=body, actor=user)


@router.post("/api/authorizations/{authorization_id}/revoke", response_model=RevokeResult)
async def revoke_authorization(authorization_id: IdPath, body: RevokeRequest, user: CommsUser,
                               session: DbSession) -> RevokeResult:
    """Withdraw a consent: every unposted item relying on it is blocked at once."""
    row = await service.get_authorization(session, authorization_id)
    blocked = await service.revoke(session, authorization=row, reason=body.reason, actor=user)
    return RevokeResult(authorization=AuthorizationRead.model_validate(row), blocked_item_ids=blocked)


@router.get("/api/events/{event_id}/denylist", response_model=DenylistStatus)
async def denylist_status(_user: CommsUser, event: EventDep, session: DbSession) -> DenylistStatus:
    """Whether the patient's identifiers are set (the identifiers themselves are never returned)."""
    return await denylist_service.status(session, event.id)


@router.put("/api/events/{event_id}/denylist", response_model=DenylistStatus)
async def set_denylist(body: DenylistUpdate, user: CommsUser, event: EventDep, session: DbSession) -> DenylistStatus:
    """Replace the patient's identifiers; only salted hashes are kept, and open items are re-screened."""
    await denylist_service.replace(session, event=event, entries=body.entries, actor=user)
    await screening.rescreen_open_items(session, event=event, actor=user)
    return await denylist_service.status(session, event.id)


@router.get("/api/events/{event_id}/policy", response_model=PolicyPage)
async def sharing_policy(user: AnyUser, event: EventDep, session: DbSession,
                         role: str | None = Query(default=None, max_length=16)) -> PolicyPage:
    """The one-page sharing policy for the user's role, generated from the event's configuration."""
    chosen = role if role in ("comms", "clinical") else ("clinical" if user.has_role("clinical")
                                                        and not user.has_role("comms") else "comms")
    return await policy_page(session, event=event, role=chosen)
