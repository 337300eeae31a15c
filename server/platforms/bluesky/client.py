"""A small XRPC client over httpx: calls, rate-limit headers and the mapping to Livecue's errors."""

from __future__ import annotations

import contextlib
import email.utils
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from server.clock import wall_seconds
from server.platforms.errors import NeedsReauth, PlatformError, Rejected, RetryLater
from server.platforms.transport import json_object, mapped_transport_errors

log = logging.getLogger(__name__)

JsonObject = dict[str, Any]
Params = Mapping[str, str | int | bool | list[str]]

# XRPC error names that mean "this access token is unusable": refresh the session and retry once.
AUTH_ERRORS = frozenset({"ExpiredToken", "InvalidToken", "AuthenticationRequired", "AuthMissing"})
# Errors that no token refresh can cure.
ACCOUNT_ERRORS = frozenset(
    {"AccountTakedown", "AccountDeactivated", "AccountSuspended", "AuthFactorTokenRequired"}
)


@dataclass(frozen=True)
class RateLimit:
    """The `RateLimit-*` headers of the last response (`reset` is Unix epoch seconds)."""

    limit: int | None
    remaining: int | None
    reset: float | None
    policy: str | None


class XrpcError(Exception):
    """An XRPC call answered with a non-2xx status; `error` is the XRPC error name."""

    def __init__(self, status: int, error: str, message: str, retry_after: float | None) -> None:
        super().__init__(f"{status} {error}: {message}")
        self.status = status
        self.error = error
        self.message = message
        self.retry_after = retry_after

    @property
    def is_auth_error(self) -> bool:
        """True when refreshing the session may fix the call."""
        return self.error in AUTH_ERRORS or (self.status == 401 and self.error not in ACCOUNT_ERRORS)


def _int_header(headers: httpx.Headers, name: str) -> int | None:
    value = headers.get(name)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def parse_rate_limit(headers: httpx.Headers) -> RateLimit | None:
    """Read the `RateLimit-Limit/Remaining/Reset/Policy` headers, or None when absent."""
    if "ratelimit-limit" not in headers and "ratelimit-reset" not in headers:
        return None
    reset = _int_header(headers, "ratelimit-reset")
    return RateLimit(
        limit=_int_header(headers, "ratelimit-limit"),
        remaining=_int_header(headers, "ratelimit-remaining"),
        reset=float(reset) if reset is not None else None,
        policy=headers.get("ratelimit-policy"),
    )


def retry_after_seconds(headers: httpx.Headers, now: float) -> float | None:
    """Seconds to wait per `Retry-After` (seconds or date) and `RateLimit-Reset` (epoch); the larger wins."""
    waits: list[float] = []
    raw = headers.get("retry-after")
    if raw:
        try:
            waits.append(float(raw))
        except ValueError:
            with contextlib.suppress(TypeError, ValueError):
                waits.append(email.utils.parsedate_to_datetime(raw).timestamp() - now)
    reset = _int_header(headers, "ratelimit-reset")
    if reset is not None:
        waits.append(reset - now)
    return max(0.0, *waits) if waits else None


def to_platform_error(err: XrpcError) -> PlatformError:
    """Map an XRPC error response to Livecue's error taxonomy."""
    text = f"{err.error}: {err.message}" if err.message else err.error
    if err.status == 429 or err.status == 408:
        return RetryLater(f"Bluesky rate limit: {text}", err.retry_after)
    if err.status >= 500:
        return RetryLater(f"Bluesky server error {err.status}: {text}", err.retry_after)
    if err.error in ACCOUNT_ERRORS or err.is_auth_error:
        return NeedsReauth(f"Bluesky account needs reconnecting: {text}")
    return Rejected(f"Bluesky refused the request ({err.status}): {text}")


class XrpcClient:
    """Calls `/xrpc/<nsid>` on one service; raises `XrpcError` for error responses.

    Transport failures are raised directly as Livecue errors, mapped as for every platform
    (`platforms/transport.py`): a failure before the request was sent is `RetryLater`; one after it
    was sent is `OutcomeUnknown` for calls that may create something (`may_create=True`) and
    `RetryLater` otherwise.
    """

    def __init__(
        self, base_url: str, client: httpx.AsyncClient, clock: Callable[[], float] = wall_seconds
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.client = client
        self.clock = clock
        self.rate_limit: RateLimit | None = None

    async def query(self, nsid: str, params: Params | None = None, token: str | None = None) -> JsonObject:
        """GET an XRPC query."""
        return await self._send("GET", nsid, token=token, params=params, may_create=False)

    async def procedure(
        self,
        nsid: str,
        body: JsonObject | None = None,
        *,
        token: str | None = None,
        content: bytes | None = None,
        content_type: str | None = None,
        may_create: bool = False,
    ) -> JsonObject:
        """POST an XRPC procedure with a JSON body, or raw `content` of `content_type`."""
        return await self._send(
            "POST",
            nsid,
            token=token,
            json_body=body,
            content=content,
            content_type=content_type,
            may_create=may_create,
        )

    async def _send(
        self,
        method: str,
        nsid: str,
        *,
        token: str | None,
        may_create: bool,
        params: Params | None = None,
        json_body: JsonObject | None = None,
        content: bytes | None = None,
        content_type: str | None = None,
    ) -> JsonObject:
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if content_type:
            headers["Content-Type"] = content_type
        url = f"{self.base_url}/xrpc/{nsid}"
        with mapped_transport_errors("Bluesky", nsid, creates=may_create):
            response = await self.client.request(
                method,
                url,
                params=dict(params) if params else None,
                json=json_body,
                content=content,
                headers=headers,
            )
        self.rate_limit = parse_rate_limit(response.headers) or self.rate_limit
        if response.is_success:
            return json_object(response)
        payload = json_object(response)
        error = str(payload.get("error") or f"HTTP{response.status_code}")
        message = str(payload.get("message") or "")
        log.info("bluesky %s -> %s %s", nsid, response.status_code, error)
        raise XrpcError(
            response.status_code, error, message, retry_after_seconds(response.headers, self.clock())
        )

