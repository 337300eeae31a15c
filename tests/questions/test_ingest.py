"""Exactly-once ingest from the sandbox across overlapping polls, a reset cursor, concurrent pollers and a restart."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient

from server.app import create_app
from server.clock import FakeClock
from server.config import Settings
from server.questions.poller import Poller
from tests.questions.qakit import (
    audience_reply,
    cursor,
    messages,
    poll,
    qa_kit,
    root_post,
    set_cursor,
)


async def test_overlapping_polls_reset_cursor_and_restart_store_each_message_once(
        client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any, settings: Settings) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    first = [await audience_reply(kit, f"reader{n}", f"Question {n}: how is the patient kept asleep?")
             for n in range(3)]

    result = await poll(kit)
    assert len(result.stored) == 3 and result.duplicates == 0
    stored = await cursor(kit)
    assert stored is not None and stored.cursor == str(first[-1].id)

    # The hospital's own posts and replies to other people's posts are not incoming questions.
    reply_to_reader = await audience_reply(kit, "reader9", "I wondered that too", parent=first[0])
    later = await audience_reply(kit, "reader3", "Question 3: is the surgeon right-handed?")

    # An overlapping window (the cursor moved back by two messages) stores only the new one.
    await set_cursor(kit, str(first[0].id))
    result = await poll(kit)
    assert (len(result.stored), result.duplicates) == (1, 2)

    # A reset cursor replays everything: nothing is stored twice.
    await set_cursor(kit, None)
    result = await poll(kit)
    assert (len(result.stored), result.duplicates) == (0, 4)

    rows = await messages(kit)
    assert [m.external_id for m in rows] == [str(p.id) for p in [*first, later]]
    assert reply_to_reader.id not in {int(m.external_id) for m in rows}
    assert rows[0].author_handle == "reader0" and rows[0].author_name == "Reader0"
    assert rows[0].in_reply_to == str((await root_post(kit)).id)
    assert rows[0].url == f"/sandbox#post-{first[0].id}"
    assert rows[0].remote == {"remote_id": str(first[0].id)}
    assert (await cursor(kit)).cursor == str(later.id)  # type: ignore[union-attr]

    # A restart: a new app on the same database reads the stored cursor and stores only what is new.
    after_restart = await audience_reply(kit, "reader4", "Question 4: how long does the operation take?")
    fresh = create_app(settings, clock=clock)
    async with fresh.router.lifespan_context(fresh):
        poller = fresh.state.livecue.poller
        result = await poller.tick()
        assert (len(result.stored), result.duplicates) == (1, 0)  # the cursor was used: no replay
        again = await poller.tick()
        assert (len(again.stored), again.duplicates) == (0, 0)
    rows = await messages(kit)
    assert [m.external_id for m in rows][-1] == str(after_restart.id)
    assert len({m.external_id for m in rows}) == len(rows) == 5
    assert (await cursor(kit)).cursor == str(after_restart.id)  # type: ignore[union-attr]


async def test_two_pollers_at_once_store_each_message_once(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                          sessionmaker: Any) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    for n in range(20):
        await audience_reply(kit, f"fan{n}", f"What does instrument number {n} do?")
    # A second process's poller shares the database, not the first one's memory.
    other = Poller(sessionmaker, kit.state.registry)
    first, second = await asyncio.gather(poll(kit), other.tick())
    assert len(first.stored) + len(second.stored) == 20
    assert first.dropped == second.dropped == 0
    rows = await messages(kit)
    assert len(rows) == len({m.external_id for m in rows}) == 20
    assert (await cursor(kit)) is not None


async def test_duplicates_within_one_page_are_stored_once(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                         sessionmaker: Any) -> None:
    from tests.questions.qakit import ScriptedPlatform, incoming

    kit = await qa_kit(client, app, clock, sessionmaker)
    same = incoming("post-1", "Is the patient awake?")
    kit.state.registry.overrides[("sandbox", "hospital")] = ScriptedPlatform(pages=[[same, same, same]])
    result = await poll(kit)
    assert (len(result.stored), result.duplicates) == (1, 2)
    assert [m.external_id for m in await messages(kit)] == ["post-1"]
