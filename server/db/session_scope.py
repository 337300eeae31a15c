"""A transaction outside a request (CLI commands, background work), and waking a worker once one commits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.config import Settings
from server.db.engine import READ_ONLY, make_engine, make_sessionmaker
from server.db.migrate import upgrade


@asynccontextmanager
async def session_scope(settings: Settings, migrate: bool = True) -> AsyncIterator[AsyncSession]:
    """Open an engine, migrate if asked, and run one committed transaction."""
    engine = make_engine(settings)
    try:
        if migrate:
            await upgrade(engine)
        async with transaction(make_sessionmaker(engine, settings)) as session:
            yield session
    finally:
        await engine.dispose()


@asynccontextmanager
async def transaction(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One unit of work: commit on success, roll back on error."""
    async with sessionmaker() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()


@asynccontextmanager
async def reading(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session for reads only: on SQLite its transaction reads a WAL snapshot of what is committed and never
    takes or waits for the write lock (a writer's BEGIN IMMEDIATE that meets a held lock sleeps in SQLite's busy
    handler, 1, 2, 5, 10 ms and on, and came back up to 25 ms after the lock was free; issue 19). Nothing it
    changes is written: it is closed without a commit."""
    async with sessionmaker() as session:
        await session.connection(execution_options={READ_ONLY: True})
        yield session


def set_after_commit(session: AsyncSession, flag: asyncio.Event) -> None:
    """Set `flag` once `session`'s transaction commits (a worker poked before the commit would find nothing)."""
    event.listen(session.sync_session, "after_commit", lambda _session: flag.set(), once=True)
