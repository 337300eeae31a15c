"""The request's database session: it owns the transaction, committing before the response is sent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.engine import READ_ONLY


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """Yield a session; commit when the endpoint returns, roll back when it raises."""
    sessionmaker = request.app.state.livecue.sessionmaker
    async with sessionmaker() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()


# scope="function": the commit runs when the endpoint returns, before the response goes out, so a
# state change is durable before it is acknowledged.
DbSession = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def commit_now(session: AsyncSession) -> None:
    """Commit the request's transaction before the route builds its answer, and read that answer in a snapshot
    (on SQLite without the write lock). For a cue (issue 19): its claim is handed to the dispatcher at the commit,
    so the platform request does not wait for the response's reads. Still durable before acknowledged; a
    failure while building the answer no longer undoes the change (it is committed), it only fails the answer.
    """
    await session.commit()
    await session.connection(execution_options={READ_ONLY: True})
