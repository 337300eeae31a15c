"""Who is calling, and may they: every route declares a role rule or is marked public."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request

from server.auth import service as auth_service
from server.db.session import DbSession
from server.errors import Forbidden, NotAuthenticated
from server.models import AuthSession, User

SESSION_COOKIE = "livecue_session"
CSRF_COOKIE = "livecue_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class Principal:
    """The authenticated caller."""

    user: User
    auth: AuthSession
    via: str


def bearer_token(request: Request) -> tuple[str, str] | None:
    """The session token from the Authorization header or the cookie, and where it came from."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip(), "bearer"
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        return cookie, "cookie"
    return None


async def current_principal(request: Request, session: DbSession) -> Principal:
    """Resolve the session; cookie-authenticated writes must carry the CSRF token."""
    found = bearer_token(request)
    if found is None:
        raise NotAuthenticated("log in first: no session token")
    token, via = found
    resolved = await auth_service.resolve(session, token)
    if resolved is None:
        raise NotAuthenticated("session expired or invalid: log in again")
    auth, user = resolved
    if via == "cookie" and request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent.encode(), auth.csrf_token.encode()):
            raise Forbidden("missing or wrong CSRF token (header X-CSRF-Token)", field="X-CSRF-Token")
    request.state.user = user
    return Principal(user=user, auth=auth, via=via)


current_principal.livecue_authenticated = True  # type: ignore[attr-defined]

PrincipalDep = Annotated[Principal, Depends(current_principal, scope="function")]


def require(*roles: str) -> Any:
    """A dependency that admits users holding any of `roles` (admins always pass)."""

    async def check(principal: PrincipalDep) -> User:
        if not principal.user.has_role("admin", *roles):
            raise Forbidden(f"this needs the role {' or '.join(roles)}")
        return principal.user

    check.livecue_roles = roles  # type: ignore[attr-defined]
    return Depends(check, scope="function")


def _public_marker() -> Callable[[], Awaitable[None]]:
    async def public() -> None:
        return None

    public.livecue_public = True  # type: ignore[attr-defined]
    return public


PUBLIC = Depends(_public_marker(), scope="function")

AnyUser = Annotated[User, require("comms", "clinical")]
CommsUser = Annotated[User, require("comms")]
ClinicalUser = Annotated[User, require("clinical")]
AdminUser = Annotated[User, require("admin")]
