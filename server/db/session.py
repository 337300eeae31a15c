"""The request's database session: it owns the transaction, committing before the response is sent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession


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
