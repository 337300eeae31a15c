"""Login, logout, the current user, and account administration."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from sqlalchemy import select

from server.auth import service as auth_service
from server.auth.deps import (
    CSRF_COOKIE,
    PUBLIC,
    SESSION_COOKIE,
    AdminUser,
    AnyUser,
    PrincipalDep,
)
from server.auth.schemas import LoginRequest, LoginResponse, UserCreate, UserRead
from server.db.session import DbSession
from server.models import User
from server.state import StateDep

router = APIRouter(tags=["auth"])


@router.post("/api/auth/login", response_model=LoginResponse, dependencies=[PUBLIC])
async def login(body: LoginRequest, request: Request, response: Response, state: StateDep,
                session: DbSession) -> LoginResponse:
    """Log in; sets the session cookie for pages and returns a bearer token for API clients."""
    settings, limiter = state.settings, state.login_limiter
    client = request.client.host if request.client else "unknown"
    limiter.check(body.username.lower(), client)
    try:
        token, auth, user = await auth_service.login(session, username=body.username, password=body.password,
                                                     hours=settings.session_hours)
    except Exception:
        limiter.failed(body.username.lower(), client)
        raise
    limiter.succeeded(body.username.lower(), client)
    max_age = int(settings.session_hours * 3600)
    response.set_cookie(SESSION_COOKIE, token, max_age=max_age, httponly=True, samesite="strict",
                        secure=settings.cookie_secure, path="/")
    response.set_cookie(CSRF_COOKIE, auth.csrf_token, max_age=max_age, httponly=False, samesite="strict",
                        secure=settings.cookie_secure, path="/")
    return LoginResponse(token=token, csrf_token=auth.csrf_token, expires_at=auth.expires_at,
                         user=UserRead.model_validate(user))


@router.post("/api/auth/logout", status_code=204)
async def logout(principal: PrincipalDep, response: Response, session: DbSession, everywhere: bool = False) -> None:
    """End this session (or all of the user's sessions with `everywhere=true`)."""
    await auth_service.logout(session, auth=principal.auth, user=principal.user, everywhere=everywhere)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")


@router.get("/api/auth/me", response_model=UserRead)
async def me(user: AnyUser) -> User:
    """The logged-in user."""
    return user


@router.post("/api/auth/policy-ack", response_model=UserRead)
async def acknowledge_policy(user: AnyUser, session: DbSession) -> User:
    """Record that the user has read the sharing policy."""
    return await auth_service.acknowledge_policy(session, user=user)


@router.get("/api/users", response_model=list[UserRead])
async def list_users(_admin: AdminUser, session: DbSession) -> list[User]:
    """All accounts."""
    return list((await session.execute(select(User).order_by(User.username))).scalars())


@router.post("/api/users", response_model=UserRead, status_code=201)
async def create_user(body: UserCreate, admin: AdminUser, session: DbSession) -> User:
    """Create an account."""
    return await auth_service.create_user(session, username=body.username, display_name=body.display_name,
                                          password=body.password, roles=body.roles, actor=admin)
