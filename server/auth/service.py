"""Accounts, logins and sessions."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import Select, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.passwords import hashed, verified, verified_dummy
from server.clock import session_now
from server.errors import Conflict, NotAuthenticated
from server.journal import service as journal
from server.journal.kinds import JournalKind
from server.models import AuthSession, User


def token_hash(token: str) -> str:
    """The stored form of a session token."""
    return hashlib.sha256(token.encode()).hexdigest()


async def create_user(
    session: AsyncSession, *, username: str, display_name: str, password: str, roles: list[str],
    actor: User | None = None,
) -> User:
    """Add an account; usernames are unique (case-insensitive)."""
    existing = await get_user_by_username(session, username)
    if existing is not None:
        raise Conflict(f"username '{username}' is taken", field="username")
    user = User(username=username, display_name=display_name, password_hash=await hashed(password),
                roles=sorted(set(roles)), active=True)
    session.add(user)
    await session.flush()
    await journal.record(session, actor=actor, kind=JournalKind.USER_CREATED, subject_type="user", subject_id=user.id,
                         payload={"username": username, "roles": user.roles})
    return user


async def get_user_by_username(session: AsyncSession, username: str) -> User | None:
    """Find an account by username, ignoring case."""
    query = select(User).where(func.lower(User.username) == username.lower())
    return (await session.execute(query)).scalar_one_or_none()


async def login(
    session: AsyncSession, *, username: str, password: str, hours: float
) -> tuple[str, AuthSession, User]:
    """Check credentials and open a session; returns the plaintext token once."""
    user = await get_user_by_username(session, username)
    if user is None or not user.active:
        await verified_dummy(password)
        raise NotAuthenticated("wrong username or password")
    if not await verified(user.password_hash, password):
        raise NotAuthenticated("wrong username or password")
    token = secrets.token_urlsafe(32)
    auth = AuthSession(token_hash=token_hash(token), csrf_token=secrets.token_urlsafe(24), user_id=user.id,
                       expires_at=session_now(session) + timedelta(hours=hours))
    session.add(auth)
    await session.flush()
    await journal.record(session, actor=user, kind=JournalKind.AUTH_LOGIN, subject_type="user", subject_id=user.id)
    return token, auth, user


@cache
def _resolve_query() -> Select[AuthSession, User]:
    """Built once: every signed-in request asks it (building a statement costs more than running it; issue 19)."""
    return (select(AuthSession, User).join(User, User.id == AuthSession.user_id)
            .where(AuthSession.token_hash == bindparam("token_hash")))


async def resolve(session: AsyncSession, token: str) -> tuple[AuthSession, User] | None:
    """The live session and user behind a token, or None."""
    row = (await session.execute(_resolve_query(), {"token_hash": token_hash(token)})).first()
    if row is None:
        return None
    auth, user = row
    if auth.revoked_at is not None or auth.expires_at <= session_now(session) or not user.active:
        return None
    return auth, user


async def logout(session: AsyncSession, *, auth: AuthSession, user: User, everywhere: bool = False) -> None:
    """Revoke this session, or every session of the user."""
    now = session_now(session)
    query = update(AuthSession).where(AuthSession.revoked_at.is_(None))
    query = query.where(AuthSession.user_id == user.id) if everywhere else query.where(AuthSession.id == auth.id)
    await session.execute(query.values(revoked_at=now))
    await journal.record(session, actor=user, kind=JournalKind.AUTH_LOGOUT, subject_type="user", subject_id=user.id,
                         payload={"everywhere": everywhere})


async def acknowledge_policy(session: AsyncSession, *, user: User, at: datetime | None = None) -> User:
    """Record that the user read the sharing policy."""
    user.policy_ack_at = at or session_now(session)
    await journal.record(session, actor=user, kind=JournalKind.USER_POLICY_ACKNOWLEDGED, subject_type="user",
                         subject_id=user.id)
    return user
