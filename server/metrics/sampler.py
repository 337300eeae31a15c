"""The metrics sampler: every few minutes, per platform account of each event in its sampling window, read the
follower count and each posted thread item's engagement and store them as samples.

The window runs from go-live (or a rehearsal's start) until `after_end` past the end (24 h by default). One
round (`tick`) claims each due account with a lease (`server.metrics.store`), reads it through the account's
adapter (`MetricsReader`; rehearsals read the sandbox), stores the samples and schedules the next read
`interval` later — later still when the platform asked for it (Retry-After) or its own spacing is longer. A
failed read keeps the platform's words as the account's last error; nothing is retried in a burst.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.clock import Clock
from server.db.session_scope import transaction
from server.loopfailures import LoopFailures
from server.metrics import store
from server.platforms.base import EngagementCounts, MetricsReader
from server.platforms.errors import PlatformError, RetryLater
from server.platforms.registry import AdapterRegistry

log = logging.getLogger("livecue.metrics")
DEFAULT_INTERVAL = 300.0
DEFAULT_AFTER_END = timedelta(hours=24)
LEASE = timedelta(minutes=2)
ROUND_SECONDS = 5.0  # the worker loop's pause between rounds (an account is read only when due)


class Sampler:
    """Samples followers and engagement of the accounts of events inside their window."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], registry: AdapterRegistry, clock: Clock, *,
                 interval_seconds: float = DEFAULT_INTERVAL, after_end: timedelta = DEFAULT_AFTER_END) -> None:
        self.sessionmaker = sessionmaker
        self.registry = registry
        self.clock = clock
        self.interval = timedelta(seconds=interval_seconds)
        self.after_end = after_end
        self.owner = f"sampler-{secrets.token_hex(6)}"
        self.failures = LoopFailures(log, "sampler")
        self.wake = asyncio.Event()

    async def tick(self) -> int:
        """One round: every due account read once; returns how many rounds of samples were stored."""
        now = self.clock.now()
        async with transaction(self.sessionmaker) as session:
            events = await store.sampled_events(session, now, self.after_end)
            for event in events:
                await store.ensure_schedule(session, event, now)
            rehearsal = {e.id: e.status == "rehearsal" for e in events}
            due = [store.Claimed(r.id, r.event_id, r.platform, r.account, rehearsal[r.event_id])
                   for r in await store.due_rows(session, list(rehearsal), now)]
        stored = 0
        for claimed in due:
            stored += await self._sample(claimed)
        return stored

    async def _sample(self, claimed: store.Claimed) -> int:
        now = self.clock.now()
        async with transaction(self.sessionmaker) as session:
            if not await store.claim(session, claimed.row_id, self.owner, now, LEASE):
                return 0  # another sampler holds it
        adapter = self.registry.get(claimed.platform, claimed.account, rehearsal=claimed.rehearsal)
        if not isinstance(adapter, MetricsReader):
            await self._failed(claimed, f"{claimed.platform}: counts cannot be read back", now + self.interval)
            return 0
        spacing = max(self.interval, timedelta(seconds=adapter.metrics_limits.min_interval_seconds))
        async with self.sessionmaker() as session:
            refs = await store.posted_refs(session, claimed, adapter.metrics_limits.max_posts)
        try:
            followers = await adapter.read_followers()
            by_remote = await adapter.read_engagement(list(refs.values())) if refs else {}
        except RetryLater as exc:
            wait = timedelta(seconds=exc.retry_after or 0)
            await self._failed(claimed, exc.message, self.clock.now() + max(spacing, wait))
            return 0
        except PlatformError as exc:
            await self._failed(claimed, exc.message, self.clock.now() + spacing)
            return 0
        counts: dict[int, EngagementCounts] = {
            delivery_id: by_remote[ref.remote_id] for delivery_id, ref in refs.items() if ref.remote_id in by_remote}
        at = self.clock.now()
        async with transaction(self.sessionmaker) as session:
            return int(await store.store_round(session, claimed, self.owner, at=at, followers=followers,
                                               counts=counts, next_at=at + spacing))

    async def _failed(self, claimed: store.Claimed, error: str, next_at: datetime) -> None:
        log.warning("metrics: %s account %s of event %d not read: %s", claimed.platform, claimed.account,
                    claimed.event_id, error)
        async with transaction(self.sessionmaker) as session:
            await store.release_failed(session, claimed, self.owner, error=error, next_at=next_at)

    async def once(self) -> bool:
        """One round of the worker loop (server/workers.py: run_forever), then its pause of ROUND_SECONDS: each
        account is read only when due, so a short pause costs nothing."""
        await self.tick()
        return False

