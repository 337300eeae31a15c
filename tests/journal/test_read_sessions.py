"""The live feed reads through read-only sessions: they see committed entries and never wait for a writer."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI

from server.db.engine import make_read_sessionmaker
from server.db.session_scope import transaction
from server.journal import service as journal


async def test_a_reader_does_not_wait_for_an_open_write(app: FastAPI) -> None:
    state = app.state.livecue
    reader = make_read_sessionmaker(state.engine, state.settings)

    async def last_seq() -> int:
        async with reader() as session:
            return await journal.last_seq(session)

    before = await last_seq()
    async with transaction(state.sessionmaker) as session:
        await journal.record(session, actor=None, kind="test.read_snapshot", subject_type="test", subject_id=1)
        assert await asyncio.wait_for(last_seq(), timeout=5) == before  # a snapshot: not blocked, not dirty
    assert await last_seq() == before + 1
    assert isinstance(state.feed.sessionmaker.kw["bind"].sync_engine.get_execution_options()
                      .get("livecue_read_only"), bool)
