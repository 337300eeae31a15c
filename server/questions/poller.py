"""Polling every platform account of live events for replies and mentions; cursors persist with the messages."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.db.session_scope import transaction
from server.events import service as event_service
from server.models import Delivery, Event, IngestCursor
from server.platforms.base import IncomingMessage
from server.platforms.errors import PlatformError
from server.publishing.registry import AdapterRegistry
from server.questions.ingest import IngestResult, ingest

log = logging.getLogger("livecue.ingest")
POLLED_STATES = ("live", "held", "rehearsal")


class Poller:
    """Fetches incoming messages and stores them together with the new cursor, in one transaction."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], registry: AdapterRegistry) -> None:
        self.sessionmaker = sessionmaker
        self.registry = registry
        self._stopping = False

    async def poll_event(self, event_id: int) -> IngestResult:
        """One poll of every enabled platform of one event."""
        total = IngestResult()
        async with self.sessionmaker() as session:
            event = await session.get(Event, event_id)
            if event is None:
                return total
            rehearsal = event.status == "rehearsal"
            platforms = [(p.platform, p.account) for p in await event_service.platforms_of(session, event_id)
                         if p.enabled]
        for platform, account in platforms:
            adapter = self.registry.get(platform, account, rehearsal=rehearsal)
            async with self.sessionmaker() as session:
                row = await self._cursor(session, event_id, platform, account)
                cursor = row.cursor if row else None
            try:
                page = await adapter.fetch_incoming(cursor)
            except PlatformError as exc:
                log.warning("polling %s:%s failed: %s", platform, account, exc.message)
                continue
            except Exception:  # an adapter bug must not stop the other accounts and events from polling
                log.exception("polling %s:%s failed unexpectedly", platform, account)
                continue
            async with transaction(self.sessionmaker) as session:
                event = await session.get(Event, event_id)
                assert event is not None
                messages = await self._for_event(session, event_id, platform, list(page.messages))
                result = await ingest(session, event=event, messages=messages, rehearsal=rehearsal)
                row = await self._cursor(session, event_id, platform, account)
                if row is None:
                    row = IngestCursor(event_id=event_id, platform=platform, account=account)
                    session.add(row)
                row.cursor = page.cursor
                row.rejected = (row.rejected or 0) + result.rejected + result.dropped
            total.add(result)
        return total

    @staticmethod
    async def _for_event(session: AsyncSession, event_id: int, platform: str,
                         messages: list[IncomingMessage]) -> list[IncomingMessage]:
        """Keep replies in this event's own threads (an account may serve several events); keep plain mentions."""
        rows = (await session.execute(select(Delivery.remote).where(
            Delivery.event_id == event_id, Delivery.platform == platform, Delivery.status == "posted"))).scalars()
        ours = {str(v) for remote in rows if remote for k, v in remote.items()
                if k in ("remote_id", "uri", "root_uri") and v}
        if not ours:
            return [m for m in messages if m.root_ref is None]
        return [m for m in messages
                if m.root_ref is None or m.root_ref.remote_id in ours or (m.root_ref.uri or "") in ours]

    async def tick(self) -> IngestResult:
        """Poll every live, held or rehearsing event."""
        async with self.sessionmaker() as session:
            ids = list((await session.execute(select(Event.id).where(Event.status.in_(POLLED_STATES)))).scalars())
        total = IngestResult()
        for event_id in ids:
            try:
                total.add(await self.poll_event(event_id))
            except Exception:  # e.g. the database refused a commit: the next round retries this event
                log.exception("polling event %s failed", event_id)
        return total

    async def run_forever(self, interval: float = 2.0) -> None:
        """Poll until stopped; a failing round never ends the loop."""
        while not self._stopping:
            try:
                await self.tick()
            except Exception:
                log.exception("ingest round failed")
            await asyncio.sleep(interval)

    def stop(self) -> None:
        """End the loop."""
        self._stopping = True

    @staticmethod
    async def _cursor(session: AsyncSession, event_id: int, platform: str, account: str) -> IngestCursor | None:
        query = select(IngestCursor).where(IngestCursor.event_id == event_id, IngestCursor.platform == platform,
                                           IngestCursor.account == account)
        return (await session.execute(query)).scalar_one_or_none()
