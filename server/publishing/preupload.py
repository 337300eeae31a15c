"""Media pre-upload: approved items' media go to each platform ahead of their time, within its validity window."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.clock import Clock
from server.db.session_scope import reading
from server.events import service as event_service
from server.loopfailures import LoopFailures
from server.media.store import MediaStore
from server.models import Event, Item, ItemVersion
from server.platforms.errors import PlatformError
from server.platforms.registry import AdapterRegistry
from server.publishing.media import SAFETY_MARGIN, alt_hash, ensure_uploaded, stored_uploads, usable
from server.timeline.timing import planned_time

log = logging.getLogger("livecue.preupload")
UNPLANNED_MIN_VALIDITY = timedelta(hours=1)
CHECK_SECONDS = 30.0  # how often approved media is checked for uploads falling due


class PreUploader:
    """Keeps an unexpired upload of every approved item's media on every platform that will need it soon."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], registry: AdapterRegistry,
                 store: MediaStore, clock: Clock) -> None:
        self.sessionmaker = sessionmaker
        self.registry = registry
        self.store = store
        self.clock = clock
        self.interval = CHECK_SECONDS
        self.wake = asyncio.Event()  # nothing pokes it: uploads fall due with time
        self.failures = LoopFailures(log, "pre-upload")

    async def run_once(self) -> int:
        """Upload what is due; returns how many (item, platform, file) uploads were checked.

        The check reads a snapshot (no write lock: a cue never waits for it) in two statements per event and one
        for every stored upload of the files it found, whatever the number of items; only files without a usable
        upload go on to `ensure_uploaded`. Before (issue 19) it took a statement per item and a write-locked
        read per file every 30 s, which a cue arriving meanwhile waited behind.
        """
        now = self.clock.now()
        work: list[tuple[str, str, dict[str, Any], bool]] = []
        async with reading(self.sessionmaker) as session:
            events = (await session.execute(select(Event).where(
                Event.status.in_(("draft", "rehearsal", "live", "held"))))).scalars().all()
            for event in events:
                platforms = [p for p in await event_service.platforms_of(session, event.id) if p.enabled]
                items = (await session.execute(
                    select(Item, ItemVersion.media)
                    .join(ItemVersion, and_(ItemVersion.item_id == Item.id, ItemVersion.number == Item.current_version))
                    .where(Item.event_id == event.id, Item.kind == "post", Item.status == "approved"))).all()
                for item, media in items:
                    if not media:
                        continue
                    when = planned_time(event, item) if event.status in ("live", "held", "rehearsal") else None
                    for target in platforms:
                        rehearsal = event.status == "rehearsal"
                        adapter = self.registry.get(target.platform, target.account, rehearsal=rehearsal)
                        validity = timedelta(seconds=adapter.capabilities.media_validity_seconds)
                        if when is None and validity < UNPLANNED_MIN_VALIDITY:
                            continue  # short-lived uploads (Bluesky) are made at the cue or shortly before
                        if when is not None and when - now > validity - SAFETY_MARGIN:
                            continue
                        work += [(target.platform, target.account, m, rehearsal) for m in media]
            stored = {(row.platform, row.account, row.sha256, row.alt_hash): row
                      for row in await stored_uploads(session, {str(file["sha256"]) for _, _, file, _ in work})}
        for name, account, file, rehearsal in work:
            upload = stored.get((name, account, str(file["sha256"]), alt_hash(str(file.get("alt_text", "")))))
            if upload is not None and usable(upload, now):
                continue
            adapter = self.registry.get(name, account, rehearsal=rehearsal)
            try:
                await ensure_uploaded(self.sessionmaker, adapter, self.store, platform=name, account=account,
                                      media=file, clock=self.clock)
            except PlatformError as exc:
                log.warning("pre-upload to %s failed: %s", name, exc.message)
        return len(work)

    async def once(self) -> bool:
        """One round of the worker loop, then the pause (`interval`)."""
        await self.run_once()
        return False

