"""Storing sanitized media: the file in the content-addressed store, its facts in the database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from server.media.sanitize import sanitize_media
from server.media.store import MediaStore
from server.models import MediaAsset
from server.offload import offload


async def store_upload(session: AsyncSession, store: MediaStore, *, data: bytes, filename: str) -> MediaAsset:
    """Sanitize a file, store it by hash, and record it (idempotent for identical files).

    Decoding, re-encoding, hashing and the durable write run in the media threads (server/offload.py): a photo
    near the size cap once held the event loop for most of a second.
    """
    clean = await offload("media", sanitize_media, data, filename)
    sha = await offload("media", store.put, clean.data)
    asset = await session.get(MediaAsset, sha)
    if asset is None:
        asset = MediaAsset(
            sha256=sha,
            mime_type=clean.mime_type,
            kind=clean.kind,
            size_bytes=len(clean.data),
            width=clean.width or None,
            height=clean.height or None,
            original_name=filename[:255],
        )
        session.add(asset)
        await session.flush()
    return asset


def media_store(data_dir: object) -> MediaStore:
    """The store under the data directory."""
    return MediaStore(Path(str(data_dir)) / "media")
