"""Media endpoints: upload a photo or video (sanitized, stored by hash) and read a stored file back.

Both use the app's one media store (built at startup beside the dispatcher and pre-uploader that read it).
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Path, UploadFile
from fastapi.responses import Response

from server.auth.deps import AnyUser, CommsUser
from server.db.session import DbSession
from server.errors import Invalid, NotFound, TooLarge
from server.limits import size_text
from server.media.assets import store_upload
from server.media.errors import MediaRejected
from server.models import MediaAsset
from server.state import MediaStoreDep, StateDep

router = APIRouter(tags=["media"])


@router.post("/api/media", status_code=201)
async def upload_media(state: StateDep, file: UploadFile, _user: CommsUser, session: DbSession) -> dict[str, object]:
    """Upload a photo or video: metadata is stripped and the file stored by its SHA-256.

    The body was already bounded while it arrived (server/limits.py); the file itself is held to the same
    LIVECUE_MAX_MEDIA_BYTES.
    """
    settings = state.settings
    data = await file.read(settings.max_media_bytes + 1)
    if len(data) > settings.max_media_bytes:
        raise TooLarge(f"the file is larger than {size_text(settings.max_media_bytes)} (LIVECUE_MAX_MEDIA_BYTES)",
                       field="file")
    try:
        asset = await store_upload(session, state.media_store, data=data, filename=file.filename or "upload")
    except MediaRejected as exc:
        raise Invalid(str(exc), field="file") from None
    return _asset_json(asset)


@router.get("/api/media/{sha256}")
async def get_media(store: MediaStoreDep, _user: AnyUser, session: DbSession,
                    sha256: str = Path(max_length=64)) -> Response:
    """A stored (sanitized) file."""
    asset = await session.get(MediaAsset, sha256)
    if asset is None:
        raise NotFound("no such media")
    return Response(await asyncio.to_thread(store.get, sha256), media_type=asset.mime_type,
                    headers={"Cache-Control": "private, max-age=86400, immutable"})


def _asset_json(asset: MediaAsset) -> dict[str, object]:
    return {"sha256": asset.sha256, "mime_type": asset.mime_type, "kind": asset.kind,
            "size_bytes": asset.size_bytes, "width": asset.width, "height": asset.height,
            "filename": asset.original_name}
