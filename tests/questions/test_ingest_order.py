"""Sandbox replies commit in id order (so the poller's cursor never skips one), and a poll reads every page."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.exc import OperationalError

from server.clock import FakeClock
from server.db.session_scope import transaction
from server.questions import ingest as ingest_module
from server.sandbox import service as sandbox
from server.sandbox.schemas import ReplyCreate
from tests.questions.qakit import audience_reply, cursor, messages, poll, qa_kit, root_post


async def test_a_reply_written_meanwhile_commits_after_the_open_one(client: AsyncClient, app: FastAPI,
                                                                  clock: FakeClock, sessionmaker: Any) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    root = await root_post(kit)
    maker = kit.app.state.livecue.sessionmaker

    def reply(n: int) -> ReplyCreate:
        return ReplyCreate(in_reply_to=root.id, handle=f"viewer{n}", display_name="Viewer", text=f"Question {n}?")

    async def second() -> int:
        async with transaction(maker) as session:
            return (await sandbox.add_reply(session, reply(2))).id

    async with transaction(maker) as session:
        first = (await sandbox.add_reply(session, reply(1))).id
        late = asyncio.create_task(second())
        await asyncio.sleep(0.3)
        assert not late.done()  # waits for the open reply to commit, so ids commit in order
    assert await late > first
    assert len((await poll(kit)).stored) == 2


async def test_one_poll_reads_every_page(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                         sessionmaker: Any) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    posts = [await audience_reply(kit, f"viewer{n % 9}", f"Question {n}: how long does it take?") for n in range(450)]
    assert len((await poll(kit)).stored) == 450
    assert (await cursor(kit)).cursor == str(posts[-1].id)  # type: ignore[union-attr]


async def test_a_database_failure_keeps_the_cursor_and_loses_nothing(client: AsyncClient, app: FastAPI,
                                                                     clock: FakeClock, sessionmaker: Any,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    posts = [await audience_reply(kit, f"viewer{n}", f"Question {n}: is the heart stopped?") for n in range(3)]
    store = ingest_module._store

    async def disk_full(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("INSERT INTO message", {}, sqlite3.OperationalError("database or disk is full"))

    monkeypatch.setattr(ingest_module, "_store", disk_full)
    result = await poll(kit)  # the round fails as a whole: no message is dropped, the cursor stays
    assert (result.stored, result.dropped) == ([], 0)
    assert await cursor(kit) is None and await messages(kit) == []
    monkeypatch.setattr(ingest_module, "_store", store)
    assert len((await poll(kit)).stored) == 3
    assert [m.external_id for m in await messages(kit)] == [str(p.id) for p in posts]
