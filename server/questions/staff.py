"""The staff directory for assigning questions: who may be assigned, as names only."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.errors import NotFound
from server.models import User


async def active_clinicians(session: AsyncSession) -> list[User]:
    """Every active account with the clinical role, by display name."""
    users = (await session.execute(select(User).where(User.active.is_(True))
                                   .order_by(User.display_name, User.id))).scalars()
    return [u for u in users if u.has_role("clinical")]  # roles are a JSON list: filtered here, portably


async def get_user(session: AsyncSession, user_id: int) -> User:
    """The user a request names as `user_id`, or 404 naming that field."""
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user with id {user_id}", field="user_id")
    return user
