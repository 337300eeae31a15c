"""The timing loop: every tick, queue the automatic items that are due (from stored times only)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.clock import Clock
from server.db.session_scope import transaction
from server.live import rehearsal
from server.live.service import run_due
from server.loopfailures import LoopFailures
from server.models import Event

log = logging.getLogger("livecue.scheduler")
TICK_SECONDS = 1.0  # how often live and rehearsing events are checked for due items


class Scheduler:
    """Queues due items for live events; holds, restarts and late starts never cause a burst."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock,
                 on_queued: Callable[[], None] | None = None) -> None:
        self.sessionmaker = sessionmaker
        self.clock = clock
        self.on_queued = on_queued
        self.interval = TICK_SECONDS
        self.wake = asyncio.Event()  # nothing pokes the scheduler: due items come with time, checked every tick
        self.failures = LoopFailures(log, "scheduler")

    async def tick(self) -> list[int]:
        """One pass over live events; returns the ids of items queued."""
        async with self.sessionmaker() as session:
            event_ids = list((await session.execute(select(Event.id).where(
                Event.status.in_(("live", "rehearsal"))))).scalars())
        queued: list[int] = []
        for event_id in event_ids:
            async with transaction(self.sessionmaker) as session:
                event = await session.get(Event, event_id)
                if event is None:
                    continue
                if event.status == "live":
                    queued += await run_due(session, event=event, now=self.clock.now())
                elif event.status == "rehearsal":
                    queued += await rehearsal.run_due(session, event=event, now=self.clock.now())
        if queued and self.on_queued:
            self.on_queued()
        return queued

    async def once(self) -> bool:
        """One round of the worker loop: a tick, then the pause (an item queued now is due no sooner than the
        next tick; never going again at once keeps a late start from queueing in a burst)."""
        await self.tick()
        return False
