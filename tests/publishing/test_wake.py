"""The dispatcher is woken after the cue's commit, and a poke that lands during a pass is not lost."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from fastapi import FastAPI
from sqlalchemy import text

from server.publishing.dispatcher import Dispatcher
from server.workers import run_forever


async def test_wake_after_commit_fires_on_commit_only(app: FastAPI, sessionmaker: Any) -> None:
    dispatcher: Dispatcher = app.state.livecue.dispatcher
    dispatcher.wake.clear()
    async with sessionmaker() as session:
        dispatcher.wake_after_commit(session)
        await session.execute(text("SELECT 1"))
        assert not dispatcher.wake.is_set()
        await session.rollback()
        assert not dispatcher.wake.is_set()
    async with sessionmaker() as session:
        dispatcher.wake_after_commit(session)
        await session.execute(text("SELECT 1"))
        await session.commit()
        assert dispatcher.wake.is_set()


async def test_a_poke_during_a_pass_triggers_another_pass(app: FastAPI) -> None:
    dispatcher: Dispatcher = app.state.livecue.dispatcher
    passes: list[int] = []
    second = asyncio.Event()

    async def run_once() -> int:
        passes.append(len(passes))
        if len(passes) == 1:
            dispatcher.wake.set()  # the cue commits while this pass is already past its query
        else:
            second.set()
        return 0

    dispatcher.run_once = run_once  # type: ignore[method-assign]
    loop = asyncio.create_task(run_forever(dispatcher.once, 30, dispatcher.wake, failures=dispatcher.failures))
    try:
        await asyncio.wait_for(second.wait(), timeout=5)  # not the 30 s idle wait
    finally:
        loop.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await loop
    assert passes[:2] == [0, 1]
