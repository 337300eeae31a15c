"""Across replicas the feed wakes on PostgreSQL NOTIFY: a commit in one replica reaches the WebSocket clients of
another without waiting for its poll (here the other hub's poll is an hour, so only the notification delivers)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from fastapi import FastAPI

from server.config import Settings
from server.db.engine import make_engine, make_read_sessionmaker
from server.db.notify import JournalNotifier
from server.db.session_scope import transaction
from server.feed.hub import FeedHub, Frame
from server.journal import service as journal
from tests.factories import create_user


@pytest.fixture
def settings_overrides(database_url: str) -> dict[str, Any]:
    """PostgreSQL only: SQLite is one process, there is nobody to notify."""
    if not database_url.startswith("postgresql"):
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's")
    return {}


async def test_a_commit_in_one_replica_wakes_another(app: FastAPI, sessionmaker: Any, settings: Settings) -> None:
    here: FeedHub = app.state.livecue.feed
    assert here.announce is not None
    admin = await create_user(sessionmaker, "admin")
    engine = make_engine(settings)  # the other replica: its own engine, hub and listener
    there = FeedHub(make_read_sessionmaker(engine, settings), poll_seconds=3600.0)
    listener = JournalNotifier(settings.resolved_database_url(), there.remote_commit)
    await there.start()
    await listener.start()
    try:
        mine: JournalNotifier = app.state.livecue.journal_notifier
        async with asyncio.timeout(20):  # a bound for a loaded machine, not a timing assertion
            while listener._conn is None or mine._conn is None:
                await asyncio.sleep(0.02)
        await asyncio.sleep(0.1)  # let the other hub enter its hour-long wait
        sub = there.subscribe(admin, None)
        async with transaction(sessionmaker) as session:
            entry = await journal.record(session, actor=None, kind="note.replica", subject_type="test")
        async with asyncio.timeout(20):
            while True:
                item = await sub.queue.get()
                if isinstance(item, Frame) and item.seq == entry.seq:
                    break
        assert listener.received >= 1
    finally:
        await listener.stop()
        await there.stop()
        await engine.dispose()
