"""Media on platforms: reuse an unexpired upload, or upload now (also used ahead of time by pre-upload)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.clock import Clock
from server.db.session_scope import reading, transaction
from server.media.store import MediaStore
from server.models import Delivery, MediaUpload
from server.platforms.base import Platform, UploadedMedia, UploadRequest

SAFETY_MARGIN = timedelta(seconds=60)


def alt_hash(alt: str) -> str:
    """Uploads are keyed by file and alt text (alt text travels with the upload on some platforms)."""
    return hashlib.sha256(alt.encode()).hexdigest()


async def ensure_uploaded(sessionmaker: async_sessionmaker[AsyncSession], adapter: Platform, store: MediaStore,
                          *, platform: str, account: str, media: dict[str, Any], clock: Clock) -> UploadedMedia:
    """An unexpired upload of this file to this account, uploading when needed."""
    sha, alt = str(media["sha256"]), str(media.get("alt_text", ""))
    now = clock.now()
    async with reading(sessionmaker) as session:  # a snapshot: waits for no writer, holds no lock
        cached = (await session.execute(select(MediaUpload).where(
            MediaUpload.platform == platform, MediaUpload.account == account, MediaUpload.sha256 == sha,
            MediaUpload.alt_hash == alt_hash(alt)))).scalar_one_or_none()
    if cached is not None and usable(cached, now):
        return _uploaded(cached)
    uploaded = await adapter.upload_media(UploadRequest(
        data=store.get(sha), mime_type=str(media["mime_type"]), alt_text=alt, sha256=sha,
        width=media.get("width"), height=media.get("height")))
    async with transaction(sessionmaker) as session:
        row = (await session.execute(select(MediaUpload).where(
            MediaUpload.platform == platform, MediaUpload.account == account, MediaUpload.sha256 == sha,
            MediaUpload.alt_hash == alt_hash(alt)))).scalar_one_or_none()
        if row is None:
            row = MediaUpload(platform=platform, account=account, sha256=sha, alt_hash=alt_hash(alt),
                              remote_id=uploaded.remote_id)
            session.add(row)
        row.remote_id, row.expires_at = uploaded.remote_id, uploaded.expires_at
        row.extra = {k: v for k, v in uploaded.extra.items() if _jsonable(v)}
        if getattr(adapter, "media_single_use", False):  # e.g. Mastodon: forgotten once a post used it
            row.extra["single_use"] = True
    return uploaded


async def forget_single_use(session: AsyncSession, delivery: Delivery) -> None:
    """Drop cached uploads a posted delivery consumed on a platform that attaches media to one post only."""
    for media in delivery.media or []:
        alt = str(media.get("alt_text", ""))
        row = (await session.execute(select(MediaUpload).where(
            MediaUpload.platform == delivery.platform, MediaUpload.account == delivery.account,
            MediaUpload.sha256 == str(media["sha256"]), MediaUpload.alt_hash == alt_hash(alt)))).scalar_one_or_none()
        if row is not None and (row.extra or {}).get("single_use"):
            await session.delete(row)


def _jsonable(value: object) -> bool:
    return isinstance(value, str | int | float | bool | list | dict | tuple) or value is None


def usable(row: MediaUpload, now: datetime) -> bool:
    """Whether a stored upload can still be attached (not within `SAFETY_MARGIN` of its expiry)."""
    return row.expires_at is None or row.expires_at > now + SAFETY_MARGIN


def _uploaded(row: MediaUpload) -> UploadedMedia:
    return UploadedMedia(remote_id=row.remote_id, expires_at=row.expires_at, extra=dict(row.extra))


async def cached_uploads(session: AsyncSession, delivery: Delivery) -> dict[tuple[str, str], MediaUpload]:
    """The stored uploads of a delivery's files to its account, by (file, alt text digest), in one statement."""
    return (await cached_uploads_of(session, [delivery])).get(delivery.id, {})


@cache
def _uploads_of_files() -> Select[MediaUpload]:
    """Built once (a cue reads it in its transaction; building a statement costs more than running it)."""
    return select(MediaUpload).where(MediaUpload.sha256.in_(bindparam("upload_files", expanding=True)))


async def stored_uploads(session: AsyncSession, files: set[str]) -> list[MediaUpload]:
    """Every stored upload of these files, to any account, in one statement (none for no files)."""
    if not files:
        return []
    return list((await session.execute(_uploads_of_files(), {"upload_files": sorted(files)})).scalars())


async def cached_uploads_of(session: AsyncSession,
                            deliveries: Sequence[Delivery]) -> dict[int, dict[tuple[str, str], MediaUpload]]:
    """`cached_uploads` of several deliveries (one per platform of a cue), in one statement, by delivery id."""
    rows = await stored_uploads(session, {str(m["sha256"]) for delivery in deliveries for m in delivery.media or []})
    return {delivery.id: {(row.sha256, row.alt_hash): row for row in rows
                          if (row.platform, row.account) == (delivery.platform, delivery.account)}
            for delivery in deliveries}


async def uploaded_media(sessionmaker: async_sessionmaker[AsyncSession], adapter: Platform, delivery: Delivery,
                         clock: Clock, store: MediaStore,
                         cached: dict[tuple[str, str], MediaUpload] | None = None) -> list[UploadedMedia]:
    """Every media file of a delivery, uploaded to its platform (`cached`: what `cached_uploads` read with the
    delivery; a file without an unexpired upload there is looked up and uploaded as `ensure_uploaded` does)."""
    out = []
    for media in delivery.media or []:
        row = (cached or {}).get((str(media["sha256"]), alt_hash(str(media.get("alt_text", "")))))
        if row is not None and usable(row, clock.now()):
            out.append(_uploaded(row))
            continue
        out.append(await ensure_uploaded(sessionmaker, adapter, store, platform=delivery.platform,
                                         account=delivery.account, media=media, clock=clock))
    return out
