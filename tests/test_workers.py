"""The one worker loop (server/workers.py: run_forever) and the loops `Workers` iterates."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from fastapi import FastAPI

from server.loopfailures import LoopFailures
from server.workers import SINGLETONS, run_forever

HOUR = 3600.0  # a pause no test waits out: only `wake` or a busy round starts the next round


@contextlib.asynccontextmanager
async def looping(once: Callable[[], Awaitable[object]], wake: asyncio.Event,
                  failures: LoopFailures) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(run_forever(once, HOUR, wake, failures=failures))
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_a_busy_round_goes_again_at_once_and_an_idle_one_waits_for_wake() -> None:
    rounds: list[int] = []
    idle, woken = asyncio.Event(), asyncio.Event()
    wake = asyncio.Event()

    async def once() -> bool:
        rounds.append(len(rounds))
        if len(rounds) == 3:
            idle.set()
        if len(rounds) == 4:
            woken.set()
        return len(rounds) < 3  # two busy rounds, then idle

    async with looping(once, wake, LoopFailures(logging.getLogger("test"), "test")):
        await asyncio.wait_for(idle.wait(), timeout=10)
        await asyncio.sleep(0)
        assert len(rounds) == 3  # paused: not spinning
        wake.set()
        await asyncio.wait_for(woken.wait(), timeout=10)


async def test_failed_rounds_never_end_the_loop_and_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("test.loop")
    failures = LoopFailures(log, "tester")
    wake, done = asyncio.Event(), asyncio.Event()
    calls: list[int] = []

    async def once() -> bool:
        calls.append(1)
        if len(calls) <= 2:
            wake.set()  # the next round comes at once even after a failure
            raise RuntimeError("a bug")
        done.set()
        return False

    with caplog.at_level(logging.WARNING, logger="test.loop"):
        async with looping(once, wake, failures) as task:
            await asyncio.wait_for(done.wait(), timeout=10)
            assert not task.done()
    messages = [r.getMessage() for r in caplog.records]
    assert messages.count("tester round failed") == 2
    assert "tester works again after 2 failed rounds" in messages
    assert failures.failing == 0


async def test_a_round_that_reported_its_own_failure_is_no_success() -> None:
    failures = LoopFailures(logging.getLogger("test.poller"), "poller")
    wake, second = asyncio.Event(), asyncio.Event()
    rounds: list[int] = []

    async def once() -> bool:  # like the poller: one event failed, the round went on with the others
        rounds.append(1)
        if len(rounds) == 1:
            failures.failed(ConnectionError("event 1"))
            wake.set()
        else:
            second.set()
        return False

    async with looping(once, wake, failures):
        await asyncio.wait_for(second.wait(), timeout=10)
        await asyncio.sleep(0)
    assert failures.failing == 0  # the second, clean round ended the run of failures
    assert len(rounds) == 2


async def test_workers_run_every_loop_in_the_one_helper(app: FastAPI) -> None:
    workers = app.state.livecue.workers
    names = [loop.name for loop in workers.loops]
    assert {"dispatcher", "scheduler", "poller", "preuploader"} <= set(names)
    assert set(SINGLETONS) <= set(names)
    state = app.state.livecue
    for loop in workers.loops:
        if loop.name in ("dispatcher", "poller"):
            assert loop.wake is getattr(state, loop.name).wake  # their wake_after_commit pokes the running loop
