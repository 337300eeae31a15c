"""The sampler: one holder per account (lease), Retry-After respected, sampling stops 24 h after the end."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.clock import FakeClock
from server.metrics.sampler import Sampler
from server.models import Event, EventPlatform, FollowerSample, MetricsAccount
from server.platforms.base import EngagementCounts, MetricsLimits, RemoteRef
from server.platforms.errors import RetryLater


class CountingReader:
    """A platform whose counts are read back; it can ask to be left alone (429 with Retry-After)."""

    metrics_limits = MetricsLimits(posts_per_request=10, max_posts=10, min_interval_seconds=0.0)

    def __init__(self) -> None:
        self.reads = 0
        self.retry_after: float | None = None

    async def read_followers(self) -> int:
        self.reads += 1
        if self.retry_after is not None:
            raise RetryLater("429 rate limited", retry_after=self.retry_after)
        return 1000 + self.reads

    async def read_engagement(self, refs: Sequence[RemoteRef]) -> dict[str, EngagementCounts]:
        return {}


async def _live_event(session: AsyncSession, clock: FakeClock) -> Event:
    event = Event(slug="sampled", title="Sampled", hashtag="#s", timezone="UTC", planned_start=clock.now(),
                  status="live", live_since=clock.now())
    session.add(event)
    await session.flush()
    session.add(EventPlatform(event_id=event.id, platform="mastodon", account="hospital"))
    await session.commit()
    return event


async def _samples(session: AsyncSession) -> int:
    return int((await session.execute(select(func.count()).select_from(FollowerSample))).scalar() or 0)


async def test_two_samplers_read_an_account_once_per_interval(app: FastAPI, clock: FakeClock,
                                                              session: AsyncSession, sessionmaker: Any) -> None:
    await _live_event(session, clock)
    registry = app.state.livecue.registry
    reader = CountingReader()
    registry.overrides[("mastodon", "hospital")] = reader
    first = Sampler(sessionmaker, registry, clock, interval_seconds=60)
    second = Sampler(sessionmaker, registry, clock, interval_seconds=60)

    assert await first.tick() == 1
    assert await second.tick() == 0  # not due again yet
    clock.advance(seconds=30)
    assert await second.tick() == 0
    clock.advance(seconds=31)
    assert await second.tick() == 1
    assert reader.reads == 2
    assert await _samples(session) == 2


async def test_a_held_lease_keeps_a_second_sampler_out(app: FastAPI, clock: FakeClock, session: AsyncSession,
                                                       sessionmaker: Any) -> None:
    event = await _live_event(session, clock)
    registry = app.state.livecue.registry
    registry.overrides[("mastodon", "hospital")] = CountingReader()
    sampler = Sampler(sessionmaker, registry, clock, interval_seconds=60)
    await sampler.tick()  # creates the schedule row
    clock.advance(seconds=61)
    async with sessionmaker() as db:
        row = (await db.execute(select(MetricsAccount).where(MetricsAccount.event_id == event.id))).scalar_one()
        row.lease_owner, row.lease_until = "another-process", clock.now() + timedelta(minutes=1)
        await db.commit()
    assert await sampler.tick() == 0
    clock.advance(minutes=2)  # the other holder died: its lease runs out
    assert await sampler.tick() == 1


async def test_retry_after_is_respected_and_kept_as_the_last_error(app: FastAPI, clock: FakeClock,
                                                                   session: AsyncSession, sessionmaker: Any) -> None:
    event = await _live_event(session, clock)
    registry = app.state.livecue.registry
    reader = CountingReader()
    reader.retry_after = 900.0
    registry.overrides[("mastodon", "hospital")] = reader
    sampler = Sampler(sessionmaker, registry, clock, interval_seconds=60)
    assert await sampler.tick() == 0
    async with sessionmaker() as db:
        row = (await db.execute(select(MetricsAccount).where(MetricsAccount.event_id == event.id))).scalar_one()
    assert row.last_error == "429 rate limited"
    assert row.due_at == clock.now() + timedelta(seconds=900)
    clock.advance(seconds=120)
    await sampler.tick()
    assert reader.reads == 1  # not asked again before the platform said


async def test_sampling_runs_until_24_hours_after_the_end(app: FastAPI, clock: FakeClock, session: AsyncSession,
                                                          sessionmaker: Any) -> None:
    event = await _live_event(session, clock)
    registry = app.state.livecue.registry
    reader = CountingReader()
    registry.overrides[("mastodon", "hospital")] = reader
    sampler = Sampler(sessionmaker, registry, clock, interval_seconds=3 * 3600)
    await sampler.tick()
    async with sessionmaker() as db:
        row = await db.get(Event, event.id)
        assert row is not None
        row.status, row.ended_at = "ended", clock.now()
        await db.commit()
    for _ in range(10):
        clock.advance(hours=3)
        await sampler.tick()
    assert reader.reads == 1 + 8  # every three hours until the end + 24 h, then never again
