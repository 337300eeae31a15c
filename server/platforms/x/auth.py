"""X credentials: OAuth 2.0 user tokens (refreshed and rotated) or OAuth 1.0a user context.

Stored secrets, one of:

- OAuth 2.0: `access_token`, `refresh_token`, `client_id`, optional `client_secret` (confidential
  clients authenticate the token call with HTTP Basic), optional `expires_at` (Unix seconds,
  written here after each refresh).
- OAuth 1.0a: `consumer_key`, `consumer_secret`, `token`, `token_secret` (signed HMAC-SHA1 by
  authlib; JSON and multipart bodies are not part of the signature, per RFC 5849).

A refresh persists the new tokens through `CredentialStore.save` *before* they are used, under a
lock so concurrent calls never spend the same single-use refresh token twice.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Callable
from typing import Literal

import httpx
from authlib.oauth1 import ClientAuth

from server.platforms.base import CredentialStore
from server.platforms.errors import NeedsReauth, RetryLater
from server.platforms.transport import mapped_transport_errors
from server.platforms.x.http import RETRY_SERVER_SECONDS

log = logging.getLogger(__name__)

TOKEN_PATH = "/2/oauth2/token"
REFRESH_MARGIN_SECONDS = 60.0
OAUTH1_KEYS = ("consumer_key", "consumer_secret", "token", "token_secret")
AuthMode = Literal["oauth2", "oauth1"]


def auth_mode(secrets: dict[str, str]) -> AuthMode:
    """Tell which credential kind is stored; NeedsReauth when neither is complete."""
    if secrets.get("access_token"):
        return "oauth2"
    if all(secrets.get(k) for k in OAUTH1_KEYS):
        return "oauth1"
    raise NeedsReauth("x: no usable credentials stored (need an OAuth 2.0 or OAuth 1.0a user token)")


def sign(request: httpx.Request, secrets: dict[str, str]) -> str:
    """Set the Authorization header of `request`; returns the access token used (OAuth 2.0) or ''."""
    if auth_mode(secrets) == "oauth2":
        request.headers["Authorization"] = f"Bearer {secrets['access_token']}"
        return secrets["access_token"]
    client = ClientAuth(
        secrets["consumer_key"], secrets["consumer_secret"], token=secrets["token"],
        token_secret=secrets["token_secret"],
    )
    content_type = request.headers.get("Content-Type", "")
    form = content_type.startswith("application/x-www-form-urlencoded")
    body = request.read() if form else b""
    _, headers, _ = client.prepare(request.method, str(request.url), {"Content-Type": content_type}, body)
    request.headers["Authorization"] = headers["Authorization"]
    return ""


class TokenRefresher:
    """Refreshes OAuth 2.0 tokens through `POST /2/oauth2/token` and persists the rotated pair."""

    def __init__(
        self,
        base_url: str,
        credentials: CredentialStore,
        client: httpx.AsyncClient,
        clock: Callable[[], float],
    ) -> None:
        self._url = f"{base_url}{TOKEN_PATH}"
        self._credentials = credentials
        self._client = client
        self._clock = clock
        self._lock = asyncio.Lock()
        self.refreshes = 0

    def expiring(self, secrets: dict[str, str]) -> bool:
        """True when a stored `expires_at` says the access token is (nearly) expired."""
        try:
            return float(secrets.get("expires_at", "inf")) <= self._clock() + REFRESH_MARGIN_SECONDS
        except ValueError:
            return False

    async def refresh(self, stale_access_token: str) -> None:
        """Exchange the refresh token once; NeedsReauth when X refuses it."""
        async with self._lock:
            secrets = await self._credentials.load()
            if secrets.get("access_token") != stale_access_token:
                return  # another call refreshed while we waited
            refresh_token, client_id = secrets.get("refresh_token"), secrets.get("client_id")
            if not refresh_token or not client_id:
                raise NeedsReauth("x: access token expired and no refresh token/client id is stored")
            form = {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": client_id}
            secret = secrets.get("client_secret")
            headers: dict[str, str] = {}
            if secret:  # confidential client: HTTP Basic with client id and secret
                pair = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
                headers["Authorization"] = f"Basic {pair}"
            self.refreshes += 1
            # If the answer was lost after X rotated the token, the next refresh fails: NeedsReauth.
            with mapped_transport_errors("x", "refresh token", creates=False):
                resp = await self._client.post(self._url, data=form, headers=headers)
            if resp.status_code in (400, 401, 403):
                log.warning("x: refresh token rejected (HTTP %s); reconnect needed", resp.status_code)
                raise NeedsReauth(f"x: refresh token rejected (HTTP {resp.status_code})")
            if resp.status_code >= 300:
                raise RetryLater(f"x refresh token: HTTP {resp.status_code}", RETRY_SERVER_SECONDS)
            try:
                body = resp.json()
                updates = {"access_token": str(body["access_token"])}
            except (ValueError, KeyError, TypeError) as exc:
                raise RetryLater("x refresh token: unreadable response", RETRY_SERVER_SECONDS) from exc
            if body.get("refresh_token"):
                updates["refresh_token"] = str(body["refresh_token"])
            if isinstance(body.get("expires_in"), int | float):
                updates["expires_at"] = str(int(self._clock() + body["expires_in"]))
            await self._credentials.save(updates)
            log.info("x: access token refreshed and persisted")
