"""The account's XRPC session: log in once, persist tokens, refresh once on an expired token."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from server.platforms.base import CredentialStore
from server.platforms.bluesky.client import JsonObject, XrpcClient, XrpcError, to_platform_error
from server.platforms.errors import NeedsReauth

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Session:
    """Tokens and identity of a logged-in account (the tokens never appear in its repr)."""

    access_jwt: str = field(repr=False)
    refresh_jwt: str = field(repr=False)
    did: str
    handle: str | None


class SessionManager:
    """Owns the account's session; `call` runs an authenticated XRPC call with one refresh on auth errors.

    Sessions come from the credential store (`access_jwt`, `refresh_jwt`, `did`, `handle`); only when
    none is stored does it log in with `identifier` + `password` (createSession is limited to 30 per
    5 minutes per account, so it is never called per post). Rotated tokens are saved through the
    store before they are used. If refreshing fails, `NeedsReauth` is raised: a person reconnects.
    """

    def __init__(self, xrpc: XrpcClient, credentials: CredentialStore) -> None:
        self.xrpc = xrpc
        self.credentials = credentials
        self.session: Session | None = None
        self._lock = asyncio.Lock()

    async def current(self) -> Session:
        """Return the session, loading it from the store or logging in if there is none."""
        if self.session is not None:
            return self.session
        async with self._lock:
            if self.session is None:
                self.session = _from_secrets(await self.credentials.load()) or await self._login()
            return self.session

    async def call(self, request: Callable[[str], Awaitable[JsonObject]]) -> JsonObject:
        """Run `request(access_jwt)`; on an auth error refresh the session once and retry.

        Raises:
            XrpcError: any other error response (and an auth error that survives the refresh).
            NeedsReauth: the refresh itself failed.
        """
        session = await self.current()
        try:
            return await request(session.access_jwt)
        except XrpcError as err:
            if not err.is_auth_error:
                raise
            log.info("bluesky access token rejected (%s); refreshing the session", err.error)
        fresh = await self.refresh(session.access_jwt)
        return await request(fresh.access_jwt)

    async def refresh(self, rejected_access_jwt: str) -> Session:
        """Replace a rejected access token: adopt one another task or process saved, else refreshSession."""
        async with self._lock:
            if self.session is not None and self.session.access_jwt != rejected_access_jwt:
                return self.session  # another task refreshed meanwhile
            stored = _from_secrets(await self.credentials.load())
            if stored is not None and stored.access_jwt != rejected_access_jwt:
                self.session = stored  # another process refreshed and saved
                return stored
            known = self.session or stored
            if known is None:
                raise NeedsReauth("Bluesky session has no refresh token; reconnect the account")
            try:
                data = await self.xrpc.procedure("com.atproto.server.refreshSession", token=known.refresh_jwt)
            except XrpcError as err:
                if err.status < 500 and err.status != 429:
                    raise NeedsReauth(
                        f"Bluesky session refresh failed ({err.error}); reconnect the account"
                    ) from err
                raise to_platform_error(err) from err
            self.session = await self._persist(data)
            log.info("bluesky session refreshed for %s", self.session.did)
            return self.session

    async def _login(self) -> Session:
        secrets = await self.credentials.load()
        identifier, password = secrets.get("identifier"), secrets.get("password")
        if not identifier or not password:
            raise NeedsReauth("Bluesky account has neither a session nor identifier+password")
        try:
            data = await self.xrpc.procedure(
                "com.atproto.server.createSession", {"identifier": identifier, "password": password}
            )
        except XrpcError as err:
            if err.status in (400, 401, 403) and err.error not in ("RateLimitExceeded",):
                raise NeedsReauth(f"Bluesky login failed ({err.error}); check the app password") from err
            raise to_platform_error(err) from err
        session = await self._persist(data)
        log.info("bluesky logged in as %s", session.did)
        return session

    async def _persist(self, data: JsonObject) -> Session:
        try:
            session = Session(
                access_jwt=str(data["accessJwt"]),
                refresh_jwt=str(data["refreshJwt"]),
                did=str(data["did"]),
                handle=str(data["handle"]) if data.get("handle") else None,
            )
        except KeyError as exc:
            raise NeedsReauth(f"Bluesky session response lacks {exc.args[0]}") from exc
        updates = {"access_jwt": session.access_jwt, "refresh_jwt": session.refresh_jwt, "did": session.did}
        if session.handle:
            updates["handle"] = session.handle
        await self.credentials.save(updates)
        return session


def _from_secrets(secrets: dict[str, str]) -> Session | None:
    access, refresh, did = secrets.get("access_jwt"), secrets.get("refresh_jwt"), secrets.get("did")
    if not access or not refresh or not did:
        return None
    return Session(access, refresh, did, secrets.get("handle") or None)
