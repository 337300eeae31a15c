"""The feed hub on its own: woken by commits, polling for other processes, dropping only the slow."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import event

from server.config import Settings
from server.db.engine import READ_ONLY, make_engine, make_sessionmaker
from server.db.session_scope import transaction
from server.feed import hub as feed_module
from server.feed.hub import FeedHub, Frame, Signal, Subscriber
from server.journal import service as journal
from tests.factories import create_user


async def _write(sessionmaker: Any, kind: str = "note.test", count: int = 1, event_id: int | None = None) -> None:
    async with transaction(sessionmaker) as session:
        for _ in range(count):
            await journal.record(session, actor=None, kind=kind, subject_type="test", event_id=event_id)


async def _take(sub: Subscriber, timeout: float = 2.0) -> Frame | Signal:
    async with asyncio.timeout(timeout):
        return await sub.queue.get()


def _hub(app: FastAPI) -> FeedHub:
    hub: FeedHub = app.state.livecue.feed
    return hub


async def _settle(hub: FeedHub, sessionmaker: Any) -> None:
    """Wait until the hub has fanned out everything committed so far (e.g. the `user.created` entries)."""
    async with sessionmaker() as session:
        head = await journal.last_seq(session)
    async with asyncio.timeout(2.0):
        while hub.last_seq < head:
            await asyncio.sleep(0.01)


async def _slow_polling(hub: FeedHub, seconds: float) -> None:
    hub.poll_seconds = seconds
    hub.poke.set()  # restart the current wait with the new interval
    await asyncio.sleep(0.05)
    await _settle(hub, hub.sessionmaker)


async def test_a_commit_wakes_the_hub(app: FastAPI, sessionmaker: Any) -> None:
    hub = _hub(app)
    admin = await create_user(sessionmaker, "admin")
    await _slow_polling(hub, 3600.0)  # only the commit hook can deliver before the next poll, an hour away
    sub = hub.subscribe(admin, None)
    await _write(sessionmaker, "note.first")
    first = await _take(sub)
    assert isinstance(first, Frame) and '"note.first"' in first.text

    # A rolled-back write delivers nothing and leaves no gap; a savepoint rolled back inside a committed
    # transaction keeps the rest of the transaction's entries.
    with pytest.raises(RuntimeError):
        async with transaction(sessionmaker) as session:
            await journal.record(session, actor=None, kind="note.rolled_back", subject_type="test")
            raise RuntimeError("abandon")
    async with transaction(sessionmaker) as session:
        await journal.record(session, actor=None, kind="note.kept", subject_type="test")
        savepoint = await session.begin_nested()
        await journal.record(session, actor=None, kind="note.undone", subject_type="test")
        await savepoint.rollback()
    kept = await _take(sub)
    assert isinstance(kept, Frame) and '"note.kept"' in kept.text and kept.seq == first.seq + 1
    assert sub.queue.empty()


async def test_other_processes_are_seen_by_polling(app: FastAPI, sessionmaker: Any, settings: Settings) -> None:
    hub = _hub(app)
    admin = await create_user(sessionmaker, "admin")
    await _slow_polling(hub, 0.05)
    sub = hub.subscribe(admin, None)
    other = make_engine(settings)
    try:
        await _write(make_sessionmaker(other), "note.elsewhere", count=3)
    finally:
        await other.dispose()
    kinds = [await _take(sub) for _ in range(3)]
    assert all(isinstance(k, Frame) and '"note.elsewhere"' in k.text for k in kinds)


async def test_overflow_drops_only_the_slow_subscriber(app: FastAPI, sessionmaker: Any,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feed_module, "QUEUE_LIMIT", 3)
    hub = _hub(app)
    admin = await create_user(sessionmaker, "admin")
    await _settle(hub, sessionmaker)
    slow, fast = hub.subscribe(admin, None), hub.subscribe(admin, None)
    got: list[Frame | Signal] = []
    for _ in range(5):
        await _write(sessionmaker)
        got.append(await _take(fast))
    assert all(isinstance(item, Frame) for item in got)
    assert hub.subscribers == {fast}
    assert slow.overflowed and not fast.overflowed
    assert await _take(slow) is Signal.DROP and slow.queue.empty()  # queued frames were discarded


async def test_frames_are_encoded_once_and_filtered_per_subscriber(app: FastAPI, sessionmaker: Any) -> None:
    hub = _hub(app)
    admin = await create_user(sessionmaker, "admin")
    comms = await create_user(sessionmaker, "comms")
    await _settle(hub, sessionmaker)
    subs = [hub.subscribe(admin, None) for _ in range(3)]
    staff = hub.subscribe(comms, None)
    await _write(sessionmaker, "note.account")  # no event: admins only
    frames = [await _take(sub) for sub in subs]
    assert len({id(f) for f in frames}) == 1 and all(isinstance(f, Frame) for f in frames)
    assert staff.queue.empty()


async def test_account_changes_ask_for_a_login_check(app: FastAPI, sessionmaker: Any) -> None:
    hub = _hub(app)
    clinical = await create_user(sessionmaker, "clinical")
    other = await create_user(sessionmaker, "clinical")
    await _settle(hub, sessionmaker)
    sub, bystander = hub.subscribe(clinical, None), hub.subscribe(other, None)
    async with transaction(sessionmaker) as session:
        await journal.record(session, actor=clinical, kind="auth.logout", subject_type="user",
                             subject_id=clinical.id, payload={"everywhere": True})
    assert await _take(sub) is Signal.RECHECK
    assert sub.queue.empty() and bystander.queue.empty()  # the entry itself is not for clinical eyes


async def test_stop_tells_every_client(app: FastAPI, sessionmaker: Any) -> None:
    hub = _hub(app)
    admin = await create_user(sessionmaker, "admin")
    sub = hub.subscribe(admin, None)
    await hub.stop()
    assert await _take(sub) is Signal.STOP and not hub.subscribers


async def test_this_process_commits_are_fanned_out_without_reading_them_back(app: FastAPI,
                                                                             sessionmaker: Any) -> None:
    hub = _hub(app)
    admin = await create_user(sessionmaker, "admin")
    await _slow_polling(hub, 3600.0)  # no poll reads meanwhile
    sub = hub.subscribe(admin, None)
    reads: list[str] = []
    engine = sessionmaker.kw["bind"].sync_engine

    def _count(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if conn.get_execution_options().get(READ_ONLY):
            reads.append(statement)

    event.listen(engine, "before_cursor_execute", _count)
    try:
        await _write(sessionmaker, "note.local", count=2, event_id=None)
        frames = [await _take(sub), await _take(sub)]
    finally:
        event.remove(engine, "before_cursor_execute", _count)
    assert reads == []  # the committed entries were handed over by the commit, not read back
    async with sessionmaker() as session:
        stored = await journal.entries_after(session, after=frames[0].seq - 1)  # type: ignore[union-attr]
    assert [f.text for f in frames if isinstance(f, Frame)] == [feed_module.encode(e) for e in stored]
