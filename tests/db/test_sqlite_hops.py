"""On SQLite each statement is one call to the connection's thread (issue 19: aiosqlite's cursor took three or
four, cursor, execute, fetch, close, each a wake-up of that thread and of the event loop), with the same
results, row counts, last row ids and errors as before."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from server.config import Settings
from server.db.engine import make_engine


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every call queued to an aiosqlite connection's thread."""
    calls: list[Any] = []
    original = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(fn)
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return calls


async def test_a_statement_is_one_call_to_the_connection_thread(tmp_path: Path, hops: list[Any]) -> None:
    engine = make_engine(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'h.db'}", data_dir=tmp_path))
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)"))
            hops.clear()
            inserted = await conn.execute(text("INSERT INTO t (v) VALUES (:v)"), {"v": "a"})
            assert len(hops) == 1 and inserted.lastrowid == 1 and inserted.rowcount == 1
            many = await conn.execute(text("INSERT INTO t (v) VALUES (:v)"), [{"v": "b"}, {"v": "c"}])
            assert len(hops) == 2 and many.rowcount == 2
            returned = await conn.execute(text("INSERT INTO t (v) VALUES ('d'), ('e') RETURNING id, v"))
            assert sorted(returned.all()) == [(4, "d"), (5, "e")] and len(hops) == 3
            rows = await conn.execute(text("SELECT id, v FROM t ORDER BY id"))
            assert list(rows.keys()) == ["id", "v"] and [r.v for r in rows] == ["a", "b", "c", "d", "e"]
            assert len(hops) == 4
            updated = await conn.execute(text("UPDATE t SET v = v || '!' WHERE id > 3"))
            assert updated.rowcount == 2 and len(hops) == 5
            with pytest.raises(IntegrityError):
                await conn.execute(text("INSERT INTO t (v) VALUES ('a')"))
            with pytest.raises(OperationalError):
                await conn.execute(text("SELECT nope FROM t"))
            assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar_one() == 5
    finally:
        await engine.dispose()


async def test_a_transactions_begin_travels_with_its_first_statement(tmp_path: Path, hops: list[Any]) -> None:
    """BEGIN IMMEDIATE runs in the same call as the transaction's first statement, and still takes the write lock
    before it: a second writer waits (here: gives up after its busy timeout) while the first holds it."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'b.db'}"
    engine = make_engine(Settings(database_url=url, data_dir=tmp_path))
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
        hops.clear()
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO t (v) VALUES ('a')"))
            assert len(hops) == 1  # BEGIN IMMEDIATE and the insert, one call
            second = sqlite3.connect(tmp_path / "b.db", timeout=0.05, isolation_level=None)
            try:
                with pytest.raises(sqlite3.OperationalError, match="locked"):
                    second.execute("BEGIN IMMEDIATE")
            finally:
                second.close()
        assert len(hops) == 2  # and the COMMIT
        hops.clear()
        async with engine.begin():
            pass  # a transaction without statements runs nothing on the thread
        assert hops == []
        async with engine.connect() as conn:
            streamed = await conn.stream(text("SELECT v FROM t"))  # aiosqlite's own cursor: BEGIN runs first
            assert [row.v async for row in streamed] == ["a"]
            await conn.commit()
    finally:
        await engine.dispose()
