"""One scheduler, poller and metrics sampler across replicas: the advisory lock of server/db/singleton.py.

Two `SingletonLock`s of one name stand for two replicas: only one runs the round; when the holder's connection
dies (a SIGKILLed replica's socket is closed by the kernel; here the backend is terminated) the other takes over
at its next round. On SQLite every round runs (one process)."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from server.db.singleton import SingletonLock, asyncpg_dsn, lock_key, only_one
from tests.conftest import BACKENDS


def test_keys_are_stable_and_distinct() -> None:
    assert lock_key("scheduler") == lock_key("scheduler")
    assert len({lock_key(n) for n in ("scheduler", "poller", "metrics")}) == 3
    assert asyncpg_dsn("postgresql+asyncpg://u:p@h:5/db") == "postgresql://u:p@h:5/db"


async def test_on_sqlite_every_round_runs(tmp_path) -> None:  # type: ignore[no-untyped-def]
    rounds: list[int] = []

    async def once() -> int:
        rounds.append(1)
        return len(rounds)

    guarded = only_one(once, SingletonLock("scheduler", f"sqlite+aiosqlite:///{tmp_path}/x.db"))
    assert await guarded() == 1
    assert await guarded() == 2


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="PostgreSQL not reachable")
async def test_one_holder_and_handover_when_it_dies(pg_url: str) -> None:
    ran: list[str] = []

    def worker(name: str):  # type: ignore[no-untyped-def]
        async def once() -> str:
            ran.append(name)
            return name
        return once

    first, second = SingletonLock("test-worker", pg_url), SingletonLock("test-worker", pg_url)
    a = only_one(worker("a"), first, retry_seconds=None)
    b = only_one(worker("b"), second, retry_seconds=None)
    try:
        assert await a() == "a"
        assert await b() is None  # the other replica waits
        assert await a() == "a"
        assert ran == ["a", "a"]
        # The holder's replica dies: its backend goes away, and with it the session-level lock.
        pid = first._conn.get_server_pid()
        admin = await asyncpg.connect(asyncpg_dsn(pg_url))
        try:
            await admin.execute("SELECT pg_terminate_backend($1, 10000)", pid)  # waits until it is gone
        finally:
            await admin.close()
        assert await b() == "b"  # taken over at the next round
        assert await a() is None  # the old holder noticed its connection broke and does not run
        assert await b() == "b"
    finally:
        await first.release()
        await second.release()


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="PostgreSQL not reachable")
async def test_release_hands_over_at_once(pg_url: str) -> None:
    first, second = SingletonLock("test-release", pg_url), SingletonLock("test-release", pg_url)
    try:
        assert await first.held()
        assert not await second.held()
        await first.release()
        assert await second.held()
    finally:
        await first.release()
        await second.release()


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="PostgreSQL not reachable")
async def test_a_waiting_replica_runs_as_soon_as_the_holder_goes(pg_url: str) -> None:
    first, second = SingletonLock("test-wait", pg_url), SingletonLock("test-wait", pg_url)

    async def once() -> str:
        return "ran"

    try:
        assert await first.held()
        waiting = asyncio.create_task(only_one(once, second, retry_seconds=0.05)())
        await asyncio.sleep(0.2)
        assert not waiting.done()  # the other replica's round waits for the lock
        await first.release()  # the holder goes away
        async with asyncio.timeout(20):  # a bound for a loaded machine, not a timing assertion
            assert await waiting == "ran"
    finally:
        await first.release()
        await second.release()
