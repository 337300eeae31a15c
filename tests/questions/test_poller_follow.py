"""The poller follows an adapter that says more messages are waiting: fetches ahead while storing, stops at
`max_fetches` (then the next round comes at once), and after a failed store resumes from the stored cursor."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from server.clock import FakeClock
from server.platforms.base import IncomingMessage, IncomingPage, RemoteRef
from server.platforms.errors import RetryLater
from server.questions import poller as poller_module
from server.questions.poller import Poller
from server.workers import run_forever
from tests.questions.qakit import ScriptedPlatform, cursor, incoming, messages, qa_kit


@dataclass
class PagedPlatform:
    """Scripted batches; the cursor counts batches and `more` is true while batches remain."""

    batches: list[list[IncomingMessage]]
    fetched: list[str | None] = field(default_factory=list)
    asked: dict[str, asyncio.Event] = field(default_factory=dict)

    async def fetch_incoming(self, cursor: str | None) -> IncomingPage:
        """The batch after `cursor`."""
        self.fetched.append(cursor)
        self.asked.setdefault(str(cursor), asyncio.Event()).set()
        index = int(cursor or 0)
        batch = self.batches[index] if index < len(self.batches) else []
        return IncomingPage(messages=batch, cursor=str(index + 1) if batch else cursor,
                                    more=index + 1 < len(self.batches))

    async def fetch_thread_replies(self, roots: Sequence[RemoteRef]) -> list[IncomingMessage]:
        """Nothing beyond the scripted batches."""
        return []


def _batches(count: int, size: int = 3) -> list[list[IncomingMessage]]:
    return [[incoming(f"m{b}-{n}", f"How long does step {b} take, part {n}?") for n in range(size)]
            for b in range(count)]


async def test_one_round_follows_every_waiting_batch_fetching_ahead(
        client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    platform = PagedPlatform(_batches(4))
    kit.state.registry.overrides[("sandbox", "hospital")] = platform
    real_ingest = poller_module.ingest

    async def ingest_waiting_for_the_fetch_ahead(session: Any, **kwargs: Any) -> Any:
        batch = kwargs["messages"]
        if batch and batch[0].external_id == "m0-0":  # the second batch is asked for while the first is stored
            await asyncio.wait_for(platform.asked.setdefault("1", asyncio.Event()).wait(), 5)
        return await real_ingest(session, **kwargs)

    monkeypatch.setattr(poller_module, "ingest", ingest_waiting_for_the_fetch_ahead)
    result = await Poller(sessionmaker, kit.state.registry).tick()
    assert len(result.stored) == 12
    assert platform.fetched == [None, "1", "2", "3"]  # no extra fetch once the adapter says nothing waits
    assert (await cursor(kit)).cursor == "4"  # type: ignore[union-attr]


async def test_a_round_stops_at_max_fetches_and_the_next_round_continues(
        client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    platform = PagedPlatform(_batches(5))
    kit.state.registry.overrides[("sandbox", "hospital")] = platform
    loop = Poller(sessionmaker, kit.state.registry, max_fetches=2)
    assert len((await loop.tick()).stored) == 6
    assert loop.behind and platform.fetched == [None, "1"]
    assert len((await loop.tick()).stored) == 6
    assert len((await loop.tick()).stored) == 3
    assert not loop.behind
    rows = await messages(kit)
    assert len(rows) == len({m.external_id for m in rows}) == 15


async def test_a_failed_store_drops_the_fetch_ahead_and_resumes_from_the_stored_cursor(
        client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    platform = PagedPlatform(_batches(3))
    kit.state.registry.overrides[("sandbox", "hospital")] = platform
    real_ingest = poller_module.ingest
    calls = 0

    async def failing_second_batch(session: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("the database refused the commit")
        return await real_ingest(session, **kwargs)

    monkeypatch.setattr(poller_module, "ingest", failing_second_batch)
    loop = Poller(sessionmaker, kit.state.registry)
    assert len((await loop.tick()).stored) == 0  # the round failed (logged); the first batch is committed
    assert (await cursor(kit)).cursor == "1"  # type: ignore[union-attr]
    assert len(await messages(kit)) == 3
    assert len((await loop.tick()).stored) == 6
    rows = await messages(kit)
    assert len(rows) == len({m.external_id for m in rows}) == 9
    assert (await cursor(kit)).cursor == "3"  # type: ignore[union-attr]


async def test_a_rate_limited_account_is_left_alone_until_the_reset(client: AsyncClient, app: FastAPI,
                                                                   clock: FakeClock, sessionmaker: Any) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    seconds = [1000.0]
    limited = ScriptedPlatform(pages=[[incoming("m1", "How long does it take?")]],
                               fail_with=RetryLater("429 Too Many Requests", retry_after=30))
    kit.state.registry.overrides[("sandbox", "hospital")] = limited
    poller: Poller = kit.state.poller
    poller.now = lambda: seconds[0]
    await poller.tick()
    seconds[0] += 29
    await poller.tick()
    await poller.tick()
    assert limited.fetched == 1  # nothing sent before the reset the platform gave
    limited.fail_with = None
    seconds[0] += 1.5
    assert len((await poller.tick()).stored) == 1 and limited.fetched == 2


async def test_going_live_polls_at_once(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                        sessionmaker: Any) -> None:
    poller: Poller = app.state.livecue.poller
    rounds: list[int] = []
    tick = poller.tick

    async def counted() -> Any:
        rounds.append(1)
        return await tick()

    poller.tick = counted  # type: ignore[method-assign]
    loop = asyncio.create_task(run_forever(poller.once, 3600, poller.wake, failures=poller.failures))
    try:
        async with asyncio.timeout(10):
            while not rounds:
                await asyncio.sleep(0.01)
            await qa_kit(client, app, clock, sessionmaker)  # goes live
            while len(rounds) < 2:  # woken by the go-live commit, not after the hour-long pause
                await asyncio.sleep(0.01)
    finally:
        loop.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await loop
