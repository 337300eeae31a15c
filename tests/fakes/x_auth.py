"""FakeX's authentication: OAuth 2.0 user tokens with rotating refresh, and OAuth 1.0a user context."""

from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Callable

from tests.fakes.messages import FakeRequest, FakeResponse
from tests.fakes.x_support import parse_oauth_header, verify_hmac_sha1

TOKEN_URL = "/2/oauth2/token"
ACCESS_TOKEN_SECONDS = 7200
OAUTH1_MAX_SKEW = 300.0
_FORM = "application/x-www-form-urlencoded"


class XAuth:
    """Tokens and secrets FakeX accepts; `user_for` authenticates, `token_endpoint` refreshes."""

    def __init__(self, clock: Callable[[], float], user_id: str) -> None:
        self.clock = clock
        self.clients: dict[str, str | None] = {}
        self.access_tokens: dict[str, tuple[str, float]] = {}
        self.refresh_tokens: dict[str, tuple[str, str]] = {}
        self.consumers: dict[str, str] = {}
        self.user_tokens: dict[str, tuple[str, str]] = {}
        self.token_uses: dict[str, int] = {}
        self.refresh_calls = 0
        self._nonces: set[tuple[str, str]] = set()
        self._user_id = user_id

    def add_oauth2(self, client_id: str, client_secret: str | None, access: str, refresh: str) -> None:
        """Register an OAuth 2.0 client with one access token (valid 2 h) and its refresh token."""
        self.clients[client_id] = client_secret
        self.access_tokens[access] = (self._user_id, self.clock() + ACCESS_TOKEN_SECONDS)
        self.refresh_tokens[refresh] = (self._user_id, client_id)

    def add_oauth1(self, consumer_key: str, consumer_secret: str, token: str, token_secret: str) -> None:
        """Register an OAuth 1.0a consumer and user access token."""
        self.consumers[consumer_key] = consumer_secret
        self.user_tokens[token] = (token_secret, self._user_id)

    def expire_access_tokens(self) -> None:
        """Expire every OAuth 2.0 access token."""
        self.access_tokens = {t: (u, self.clock() - 1) for t, (u, _) in self.access_tokens.items()}

    def user_for(self, req: FakeRequest) -> str | None:
        """Return the authenticated user id, or None (answer 401)."""
        header = req.headers.get("authorization", "")
        if header.startswith("Bearer "):
            token = header[7:]
            self.token_uses[token] = self.token_uses.get(token, 0) + 1
            user_id, expires = self.access_tokens.get(token, ("", 0.0))
            return user_id if user_id and expires > self.clock() else None
        if header.startswith("OAuth "):
            return self._oauth1(req, parse_oauth_header(header))
        return None

    def _oauth1(self, req: FakeRequest, oauth: dict[str, str]) -> str | None:
        secret = self.consumers.get(oauth.get("oauth_consumer_key", ""))
        user = self.user_tokens.get(oauth.get("oauth_token", ""))
        nonce = (oauth.get("oauth_consumer_key", ""), oauth.get("oauth_nonce", ""))
        try:
            skew = abs(time.time() - float(oauth.get("oauth_timestamp") or 0))
        except ValueError:
            return None
        if secret is None or user is None or skew > OAUTH1_MAX_SKEW or nonce in self._nonces:
            return None
        form = req.body if (req.content_type or "").startswith(_FORM) else None
        valid = verify_hmac_sha1(
            method=req.method, scheme=req.scheme, host=req.host, path=req.path, query=req.query,
            form_body=form, oauth=oauth, consumer_secret=secret, token_secret=user[0],
        )
        if not valid:
            return None
        self._nonces.add(nonce)
        return user[1]

    def token_endpoint(self, req: FakeRequest, violations: list[str]) -> FakeResponse:
        """Handle `POST /2/oauth2/token` (refresh grant); rotate the refresh token on success."""
        self.refresh_calls += 1
        form = {k: v[-1] for k, v in req.form.items() if v and isinstance(v[-1], str)}
        problems = [] if (req.content_type or "").startswith(_FORM) else [f"token request must be {_FORM}"]
        required = ("grant_type", "refresh_token", "client_id")
        problems += [f"token request lacks {f}" for f in required if f not in form]
        if problems:
            violations.extend(f"POST {TOKEN_URL}: {p}" for p in problems)
            return FakeResponse(400, {"error": "invalid_request", "error_description": "; ".join(problems)})
        owner = self.refresh_tokens.get(form["refresh_token"])
        if form["grant_type"] != "refresh_token" or owner is None or owner[1] != form["client_id"]:
            detail = "Value passed for the token was invalid."
            return FakeResponse(400, {"error": "invalid_request", "error_description": detail})
        secret = self.clients.get(form["client_id"])
        if secret is not None:
            basic = base64.b64encode(f"{form['client_id']}:{secret}".encode()).decode()
            if req.headers.get("authorization") != f"Basic {basic}":
                detail = "Missing valid authorization header"
                return FakeResponse(401, {"error": "unauthorized_client", "error_description": detail})
        del self.refresh_tokens[form["refresh_token"]]
        access, refresh = f"x-access-{secrets.token_hex(8)}", f"x-refresh-{secrets.token_hex(8)}"
        self.access_tokens[access] = (owner[0], self.clock() + ACCESS_TOKEN_SECONDS)
        self.refresh_tokens[refresh] = owner
        body = {
            "token_type": "bearer", "expires_in": ACCESS_TOKEN_SECONDS, "access_token": access,
            "scope": "tweet.read tweet.write users.read media.write offline.access", "refresh_token": refresh,
        }
        return FakeResponse(200, body)
