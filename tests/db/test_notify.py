"""LISTEN/NOTIFY between replicas (server/db/notify.py): a journal sequence announced by one replica reaches the
others' hubs; nothing happens on SQLite; a broken listener connection is reopened."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from server.db.notify import JournalNotifier
from server.db.singleton import asyncpg_dsn
from tests.conftest import BACKENDS

needs_pg = pytest.mark.skipif("postgresql" not in BACKENDS, reason="PostgreSQL not reachable")


async def _until(condition, seconds: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    """Wait for `condition()` (a bound, not a timing assertion: it fails only if it never happens)."""
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition never became true")


async def test_sqlite_is_off() -> None:
    notifier = JournalNotifier("sqlite+aiosqlite:///x.db", lambda seq: None)
    await notifier.start()
    notifier.notify(5)  # nothing to send to, no error
    await notifier.stop()
    assert not notifier.enabled


@needs_pg
async def test_a_commit_announced_by_one_replica_wakes_the_others(pg_url: str) -> None:
    seen_a: list[int] = []
    seen_b: list[int] = []
    a, b = JournalNotifier(pg_url, seen_a.append), JournalNotifier(pg_url, seen_b.append)
    await a.start()
    await b.start()
    try:
        await _until(lambda: a._conn is not None and b._conn is not None)
        a.notify(41)
        await _until(lambda: 41 in seen_b)
        assert 41 in seen_a or seen_a == []  # the sender may hear itself; the hub ignores seqs it has read
        # The listener's connection breaks (a database restart, a proxy in between): it is reopened.
        pid = b._conn.get_server_pid()
        admin = await asyncpg.connect(asyncpg_dsn(pg_url))
        try:
            await admin.execute("SELECT pg_terminate_backend($1, 10000)", pid)
        finally:
            await admin.close()
        await _until(lambda: b._conn is not None and not b._conn.is_closed() and b._conn.get_server_pid() != pid)
        a.notify(42)
        await _until(lambda: 42 in seen_b)
    finally:
        await a.stop()
        await b.stop()
