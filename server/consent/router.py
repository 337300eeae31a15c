"""Consent records, the event denylist, privacy-finding overrides and media uploads."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Path, Query, Request, UploadFile
from fastapi.responses import Response

from server.auth.deps import AnyUser, ClinicalUser, CommsUser
from server.consent import denylist as denylist_service
from server.consent import screening, service
from server.consent.policy import PolicyPage, policy_page
from server.consent.schemas import (
    AuthorizationCreate,
    AuthorizationRead,
    DenylistStatus,
    DenylistUpdate,
    OverrideRequest,
    RevokeRequest,
    RevokeResult,
)
from server.db.ids import IdPath
from server.db.session import DbSession
from server.errors import BadRequest, NotFound, TooLarge
from server.events import service as event_service
from server.limits import size_text
from server.media.assets import media_store, store_upload
from server.media.errors import MediaRejected
from server.models import Authorization, MediaAsset
from server.timeline import service as timeline
from server.timeline.content import to_read
from server.timeline.schemas import ItemRead

router = APIRouter(tags=["privacy"])


@router.get("/api/events/{event_id}/authorizations", response_model=list[AuthorizationRead])
async def list_authorizations(event_id: IdPath, _user: AnyUser, session: DbSession) -> list[Authorization]:
    """The event's consent records."""
    await event_service.get_event(session, event_id)
    return await service.list_authorizations(session, event_id)


@router.post("/api/events/{event_id}/authorizations", response_model=AuthorizationRead, status_code=201)
async def record_authorization(event_id: IdPath, body: AuthorizationCreate, user: CommsUser,
                               session: DbSession) -> Authorization:
    """Record a signed consent."""
    event = await event_service.get_event(session, event_id)
    return await service.record_authorization(session, event=event, data=body, actor=user)


@router.post("/api/authorizations/{authorization_id}/revoke", response_model=RevokeResult)
async def revoke_authorization(authorization_id: IdPath, body: RevokeRequest, user: CommsUser,
                               session: DbSession) -> RevokeResult:
    """Withdraw a consent: every unposted item relying on it is blocked at once."""
    row = await service.get_authorization(session, authorization_id)
    blocked = await service.revoke(session, authorization=row, reason=body.reason, actor=user)
    return RevokeResult(authorization=AuthorizationRead.model_validate(row), blocked_item_ids=blocked)


@router.get("/api/events/{event_id}/denylist", response_model=DenylistStatus)
async def denylist_status(event_id: IdPath, _user: CommsUser, session: DbSession) -> DenylistStatus:
    """Whether the patient's identifiers are set (the identifiers themselves are never returned)."""
    await event_service.get_event(session, event_id)
    return await denylist_service.status(session, event_id)


@router.put("/api/events/{event_id}/denylist", response_model=DenylistStatus)
async def set_denylist(event_id: IdPath, body: DenylistUpdate, user: CommsUser, session: DbSession) -> DenylistStatus:
    """Replace the patient's identifiers; only salted hashes are kept, and open items are re-screened."""
    event = await event_service.get_event(session, event_id)
    await denylist_service.replace(session, event=event, entries=body.entries, actor=user)
    await screening.rescreen_open_items(session, event=event, actor=user)
    return await denylist_service.status(session, event_id)


@router.post("/api/items/{item_id}/findings/{index}/override", response_model=ItemRead)
async def override_finding(item_id: IdPath, index: int, body: OverrideRequest, user: ClinicalUser,
                           session: DbSession) -> ItemRead:
    """Let one privacy finding stand, with a written reason (clinicians only; admins too need the role)."""
    item = await timeline.get_item(session, item_id)
    event = await event_service.get_event(session, item.event_id)
    await screening.override(session, event=event, item=item, version=body.version, index=index,
                             reason=body.reason, user=user)
    return await to_read(session, event, item, await timeline.enabled_platforms(session, event.id))


@router.post("/api/media", status_code=201)
async def upload_media(request: Request, file: UploadFile, _user: CommsUser, session: DbSession) -> dict[str, object]:
    """Upload a photo or video: metadata is stripped and the file stored by its SHA-256.

    The body was already bounded while it arrived (server/limits.py); the file itself is held to the same
    LIVECUE_MAX_MEDIA_BYTES.
    """
    settings = request.app.state.livecue.settings
    data = await file.read(settings.max_media_bytes + 1)
    if len(data) > settings.max_media_bytes:
        raise TooLarge(f"the file is larger than {size_text(settings.max_media_bytes)} (LIVECUE_MAX_MEDIA_BYTES)",
                       field="file")
    store = media_store(settings.data_dir)
    try:
        asset = await store_upload(session, store, data=data, filename=file.filename or "upload")
    except MediaRejected as exc:
        raise BadRequest(str(exc), field="file") from None
    return _asset_json(asset)


@router.get("/api/media/{sha256}")
async def get_media(request: Request, _user: AnyUser, session: DbSession,
                    sha256: str = Path(max_length=64)) -> Response:
    """A stored (sanitized) file."""
    asset = await session.get(MediaAsset, sha256)
    if asset is None:
        raise NotFound("no such media")
    store = media_store(request.app.state.livecue.settings.data_dir)
    return Response(await asyncio.to_thread(store.get, sha256), media_type=asset.mime_type,
                    headers={"Cache-Control": "private, max-age=86400, immutable"})


def _asset_json(asset: MediaAsset) -> dict[str, object]:
    return {"sha256": asset.sha256, "mime_type": asset.mime_type, "kind": asset.kind,
            "size_bytes": asset.size_bytes, "width": asset.width, "height": asset.height,
            "filename": asset.original_name}


@router.get("/api/events/{event_id}/policy", response_model=PolicyPage)
async def sharing_policy(event_id: IdPath, user: AnyUser, session: DbSession,
                         role: str | None = Query(default=None, max_length=16)) -> PolicyPage:
    """The one-page sharing policy for the user's role, generated from the event's configuration."""
    event = await event_service.get_event(session, event_id)
    chosen = role if role in ("comms", "clinical") else ("clinical" if user.has_role("clinical")
                                                        and not user.has_role("comms") else "comms")
    return await policy_page(session, event=event, role=chosen)
