"""Engine and session factory construction; nothing here runs at import time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session, SessionTransaction

from server.clock import CLOCK_KEY, Clock, SystemClock, clock_of
from server.config import Settings
from server.datadir import private_dir, private_sqlite
from server.db import sqlite_driver
from server.secret_key import settings_key

FLOOR_KEY = "approval_floor"  # session info: the server's approval floor, (approvals, clinical approvals)

READ_ONLY = "livecue_read_only"
# SQLite's page cache per connection, in KiB (negative: a size, not a page count). The default 2 MiB held the
# indexes of a small store but not of one with 100,000 questions, whose grouping reads (newest rows of each
# bucket key, joined with their texts) then re-read pages from the OS on every batch: the ingest cost grew with
# the store (issue 19; bench/ingest_bench.py's growth part: CPU per message x1.34 -> x1.17 at 100,000 vs 1,000,
# same run). Only pages actually read fill it.
SQLITE_CACHE_KIB = 65_536


class WriteCommits:
    """How many writing transactions this process has committed to its SQLite database (`write_commits`).

    On SQLite a writer holds the database's write lock from its BEGIN IMMEDIATE to its COMMIT, so what it read
    is still the committed state when it commits, and stays so until the next writer commits. A cue uses that to
    send without reading again what its own transaction read (issue 19): the count tells whether anything else was
    committed since (`Dispatcher._send` reads again if so). Writers in other processes (the CLI) are not counted.
    """

    def __init__(self) -> None:
        self.count = 0


def write_commits(connection: AsyncConnection) -> WriteCommits | None:
    """The SQLite database's count of this process's write commits; None elsewhere (PostgreSQL: no such lock)."""
    found: WriteCommits | None = getattr(connection.dialect, "_livecue_write_commits", None)
    return found


def make_engine(settings: Settings) -> AsyncEngine:
    """Build the async engine; SQLite gets WAL, foreign keys and the configured durability."""
    url = settings.resolved_database_url()
    if url.startswith("sqlite"):
        private_dir(settings.data_dir)
        database = make_url(url).database
        if database and database != ":memory:" and not database.startswith("file:"):
            private_sqlite(Path(database))  # owner-only, and so are its -wal and -shm (server/datadir.py)
        # One call to the connection's thread per statement (server/db/sqlite_driver.py), not three or four.
        engine = create_async_engine(url, connect_args={"timeout": 30},
                                     module=sqlite_driver.dbapi() if "+aiosqlite" in url else None)
        synchronous = settings.sqlite_synchronous

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA synchronous={synchronous}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
            cursor.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # Writers take the write lock up front so they queue instead of failing to upgrade; readers
            # (`make_read_sessionmaker`) read a WAL snapshot and never wait for a writer.
            conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")

        engine.sync_engine.dialect._livecue_sqlite = True  # type: ignore[attr-defined]
        writes = engine.sync_engine.dialect._livecue_write_commits = WriteCommits()  # type: ignore[attr-defined]

        @event.listens_for(engine.sync_engine, "commit")
        def _count_write_commit(conn: Any) -> None:  # before the COMMIT itself: a failed one only counts too many
            if not conn.get_execution_options().get(READ_ONLY):
                writes.count += 1

        _disable_pysqlite_transactions(engine)
        return engine
    return create_async_engine(url, pool_pre_ping=True)


def _disable_pysqlite_transactions(engine: AsyncEngine) -> None:
    """Let SQLAlchemy's `begin` event issue BEGIN itself (the documented pysqlite recipe)."""

    @event.listens_for(engine.sync_engine, "connect")
    def _no_autobegin(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None


class ClockedSession(Session):
    """A session that lends its app's clock to every statement it runs (column defaults read it: `stamp`)."""


@event.listens_for(ClockedSession, "after_begin")
def _lend_clock(session: Session, _transaction: SessionTransaction, connection: Connection) -> None:
    connection.info[CLOCK_KEY] = clock_of(session)


def make_sessionmaker(engine: AsyncEngine, settings: Settings | None = None,
                      clock: Clock | None = None) -> async_sessionmaker[AsyncSession]:
    """Session factory; objects stay readable after commit; sessions carry the app's clock, the denylist pepper
    and the approval policy floor (`server.events.policy`)."""
    info: dict[str, Any] = {CLOCK_KEY: clock or SystemClock()}
    if settings is not None:
        info["denylist_pepper"] = settings_key(settings)
        info[FLOOR_KEY] = (settings.min_approvals, settings.min_clinical_approvals)  # read by events/policy.py
    return async_sessionmaker(engine, expire_on_commit=False, info=info, sync_session_class=ClockedSession)


def make_read_sessionmaker(engine: AsyncEngine, settings: Settings | None = None,
                           clock: Clock | None = None) -> async_sessionmaker[AsyncSession]:
    """Session factory for read-only work (the live feed): on SQLite its transactions never wait for a writer."""
    return make_sessionmaker(engine.execution_options(**{READ_ONLY: True}), settings, clock)
