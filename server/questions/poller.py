"""Polling every platform account of live events for replies and mentions; cursors persist with the messages.

A round polls each account once. When the adapter says more messages are waiting than one fetch returns
(`IncomingPage.more`), the poller fetches again from the new cursor, up to `max_fetches`
times per account and round; the next fetch runs while the previous batch is stored. Each batch is stored
with its cursor in one transaction, so a crash or a failed store resumes from the last stored batch (ingest
keeps every message once). A round that stopped at `max_fetches` with more waiting is followed at once.

Beside that cursor, every few rounds the replies under the event's newest thread posts are read from the
platform's threads (`Platform.fetch_thread_replies`, see `server.questions.threads`): notifications alone miss
some. Which messages an event keeps (its own threads', and mentions from anywhere) is decided there too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.db.session_scope import set_after_commit, transaction
from server.events import service as event_service
from server.loopfailures import LoopFailures
from server.models import Event, IngestCursor
from server.platforms.base import IncomingMessage, IncomingPage, Platform
from server.platforms.errors import PlatformError, RetryLater
from server.platforms.registry import AdapterRegistry
from server.questions.ingest import IngestResult, ingest
from server.questions.threads import Ownership, ThreadReading

log = logging.getLogger("livecue.ingest")
POLLED_STATES = ("live", "held", "rehearsal")
DEFAULT_INTERVAL = 2.0
DEFAULT_MAX_FETCHES = 25
T = TypeVar("T")


class Poller:
    """Fetches incoming messages and stores them together with the new cursor, in one transaction."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], registry: AdapterRegistry, *,
                 interval: float = DEFAULT_INTERVAL, max_fetches: int = DEFAULT_MAX_FETCHES,
                 now: Callable[[], float] = time.monotonic) -> None:
        self.sessionmaker = sessionmaker
        self.registry = registry
        self.now = now
        self.paused_until: dict[tuple[str, str], float] = {}  # accounts the platform asked us to leave alone
        self.failures = LoopFailures(log, "poller")
        self.wake = asyncio.Event()
        self.interval = interval
        self.max_fetches = max(1, max_fetches)
        self.behind = False  # the last round left messages waiting on a platform
        self.ownership = Ownership()
        self.threads = ThreadReading(now=lambda: self.now())

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
            total.add(await self._poll_account(event_id, platform, account, rehearsal))
        return total

    async def _poll_account(self, event_id: int, platform: str, account: str, rehearsal: bool) -> IngestResult:
        """Fetch and store batches of one account, fetching the next batch while storing the previous one."""
        total = IngestResult()
        if self.paused_until.get((platform, account), 0.0) > self.now():
            return total  # rate limited: the platform said when to come back
        adapter = self.registry.get(platform, account, rehearsal=rehearsal)
        async with self.sessionmaker() as session:
            row = await self._cursor(session, event_id, platform, account)
            cursor = row.cursor if row else None
        fetch = asyncio.create_task(self._fetch(adapter, platform, account, cursor))
        try:
            for fetches in range(1, self.max_fetches + 1):
                page = await fetch
                if page is None:
                    break
                more = page.more and page.cursor != cursor
                if more and fetches < self.max_fetches:
                    fetch = asyncio.create_task(self._fetch(adapter, platform, account, page.cursor))
                total.add(await self._store(event_id, platform, account, page, rehearsal))
                cursor = page.cursor
                if not more:
                    break
                if fetches == self.max_fetches:
                    self.behind = True
        finally:
            if not fetch.done():  # the store failed (or the round was cancelled): drop the fetch ahead
                fetch.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await fetch
        total.add(await self._read_threads(adapter, event_id, platform, account, rehearsal))
        return total

    async def _read_threads(self, adapter: Platform, event_id: int, platform: str, account: str,
                            rehearsal: bool) -> IngestResult:
        """When due, read the replies under the event's newest thread posts and store them (no cursor moves)."""
        key = (event_id, platform, account)
        if self.paused_until.get((platform, account), 0.0) > self.now() or not self.threads.due(key):
            return IngestResult()
        async with self.sessionmaker() as session:
            posts = await self.threads.posts(session, key, rehearsal)
        if not posts:
            return IngestResult()
        messages = await self._guarded(platform, account, lambda: adapter.fetch_thread_replies(posts), "thread replies")
        if not messages:
            return IngestResult()
        return await self._store(event_id, platform, account, IncomingPage(messages, cursor=None), rehearsal,
                                 move_cursor=False)

    async def _fetch(self, adapter: Platform, platform: str, account: str, cursor: str | None) -> IncomingPage | None:
        """One fetch; a failure is logged and ends this account's round (the stored cursor is unchanged).

        A rate limit with a reset time pauses this account's polling until then (the platform's headers rule).
        """
        return await self._guarded(platform, account, lambda: adapter.fetch_incoming(cursor), "mentions")

    async def _guarded(self, platform: str, account: str, call: Callable[[], Awaitable[T]], what: str) -> T | None:
        """Await one platform read; a failure is logged and gives None (a rate limit pauses the account)."""
        try:
            return await call()
        except RetryLater as exc:
            if exc.retry_after:
                self.paused_until[(platform, account)] = self.now() + exc.retry_after
            log.warning("polling %s:%s (%s) failed: %s (next try in %.0f s)", platform, account, what,
                        exc.message, exc.retry_after or self.interval)
        except PlatformError as exc:
            log.warning("polling %s:%s (%s) failed: %s", platform, account, what, exc.message)
        except Exception:  # an adapter bug must not stop the other accounts and events from polling
            log.exception("polling %s:%s (%s) failed unexpectedly", platform, account, what)
        return None

    async def _store(self, event_id: int, platform: str, account: str, page: IncomingPage,
                     rehearsal: bool, *, move_cursor: bool = True) -> IngestResult:
        """Ingest one batch and move the cursor (unless told not to), in one transaction."""
        async with transaction(self.sessionmaker) as session:
            event = await session.get(Event, event_id)
            assert event is not None
            messages = await self._for_event(session, event_id, platform, list(page.messages))
            result = await ingest(session, event=event, messages=messages, rehearsal=rehearsal)
            row = await self._cursor(session, event_id, platform, account)
            if row is None:
                row = IngestCursor(event_id=event_id, platform=platform, account=account)
                session.add(row)
            if move_cursor:
                row.cursor = page.cursor
            row.rejected = (row.rejected or 0) + result.rejected + result.dropped
        return result

    async def _for_event(self, session: AsyncSession, event_id: int, platform: str,
                         messages: list[IncomingMessage]) -> list[IncomingMessage]:
        """What this event keeps: replies in its own threads and mentions from anywhere (not another event's)."""
        return await self.ownership.for_event(session, event_id, platform, messages)

    async def tick(self) -> IngestResult:
        """Poll every live, held or rehearsing event."""
        self.behind = False
        async with self.sessionmaker() as session:
            ids = list((await session.execute(select(Event.id).where(Event.status.in_(POLLED_STATES)))).scalars())
        total = IngestResult()
        failed = False
        for event_id in ids:
            try:
                total.add(await self.poll_event(event_id))
            except Exception as exc:  # e.g. the database refused a commit: the next round retries this event
                self.failures.failed(exc)
                failed = True
        if not failed:
            self.failures.succeeded()
        return total

    async def once(self) -> bool:
        """One round of the worker loop; True while a platform still has messages waiting (`behind`), so the
        loop polls again at once instead of pausing `interval`."""
        await self.tick()
        return self.behind

    def wake_after_commit(self, session: AsyncSession) -> None:
        """Poll at once when `session` commits (an event going live reads its accounts' newest mentions then)."""
        set_after_commit(session, self.wake)

    @staticmethod
    async def _cursor(session: AsyncSession, event_id: int, platform: str, account: str) -> IngestCursor | None:
        query = select(IngestCursor).where(IngestCursor.event_id == event_id, IngestCursor.platform == platform,
                                           IngestCursor.account == account)
        return (await session.execute(query)).scalar_one_or_none()
