"""HTTP plumbing for the Mastodon adapter: sending with error mapping, rate limits, Link headers."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from server.platforms.errors import NeedsReauth, OutcomeUnknown, Rejected, RetryLater
from server.platforms.transport import json_object, mapped_transport_errors

log = logging.getLogger(__name__)

NOT_PROCESSED = "have not finished processing"
RETRY_PROCESSING_SECONDS = 2.0
RETRY_SERVER_SECONDS = 30.0
RETRY_RATE_LIMIT_SECONDS = 60.0


def error_text(resp: httpx.Response) -> str:
    """Return the `error` of a Mastodon error body (or a short excerpt of it)."""
    error = json_object(resp).get("error")
    return error[:500] if isinstance(error, str) else resp.text[:200]


def _reset_epoch(value: str) -> float | None:
    """`X-RateLimit-Reset` as Unix seconds: an ISO-8601 time as documented, or, as some servers send it
    (mastodon_mock), epoch seconds; None when it is neither."""
    value = value.strip()
    try:
        return float(value)
    except ValueError:
        pass
    try:
        reset = datetime.fromisoformat(value)
    except ValueError:
        return None
    return reset.timestamp() if reset.tzinfo is not None else None


def seconds_until_reset(headers: httpx.Headers, now: float) -> float:
    """Seconds until `X-RateLimit-Reset`, at least 1; `Retry-After` or a default when it is absent or unreadable."""
    value = headers.get("x-ratelimit-reset")
    reset = _reset_epoch(value) if value else None
    if reset is not None and math.isfinite(reset):
        return max(1.0, math.ceil(reset - now))
    retry_after = headers.get("retry-after")
    if retry_after and retry_after.strip().isdigit():
        return max(1.0, float(retry_after))
    return RETRY_RATE_LIMIT_SECONDS


def raise_for_status(resp: httpx.Response, action: str, now: float) -> None:
    """Map a non-2xx Mastodon response to the adapter error taxonomy."""
    status = resp.status_code
    if status < 300:
        return
    detail = error_text(resp)
    log.info("mastodon %s failed: HTTP %s", action, status)
    if status == 401:
        raise NeedsReauth(f"mastodon {action}: access token rejected ({detail})")
    if status == 429:
        raise RetryLater(f"mastodon {action}: rate limited", seconds_until_reset(resp.headers, now))
    if status == 422 and NOT_PROCESSED in detail:
        raise RetryLater(f"mastodon {action}: {detail}", RETRY_PROCESSING_SECONDS)
    if status >= 500:
        retry_after = resp.headers.get("retry-after", "")
        wait = float(retry_after) if retry_after.isdigit() else RETRY_SERVER_SECONDS
        raise RetryLater(f"mastodon {action}: server error {status}", wait)
    raise Rejected(f"mastodon {action}: HTTP {status}: {detail}")


async def send(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    token: str,
    action: str,
    creates: bool = False,
    headers: Mapping[str, str] | None = None,
    **kwargs: Any,
) -> httpx.Response:
    """Send one request with the bearer token; transport failures map as for every platform
    (`platforms/transport.py`: `OutcomeUnknown` only after sending a call that `creates` a post)."""
    all_headers = {"Authorization": f"Bearer {token}", **(headers or {})}
    with mapped_transport_errors("mastodon", action, creates=creates):
        return await client.request(method, url, headers=all_headers, **kwargs)


def json_body(resp: httpx.Response, action: str, *, creates: bool = False) -> Any:
    """Decode a 2xx JSON body; an unreadable one is `OutcomeUnknown` for creates, else `RetryLater`."""
    try:
        return resp.json()
    except ValueError as exc:
        if creates:
            raise OutcomeUnknown(f"mastodon {action}: unreadable success response") from exc
        raise RetryLater(f"mastodon {action}: unreadable response", RETRY_SERVER_SECONDS) from exc


def link_param(resp: httpx.Response, rel: str, param: str) -> str | None:
    """Return query parameter `param` of the `Link` header entry with `rel`."""
    links = resp.headers.get("link", "")
    for part in links.split(","):
        url, _, attrs = part.partition(";")
        if f'rel="{rel}"' in attrs.replace(" ", ""):
            values = parse_qs(urlsplit(url.strip().strip("<>")).query).get(param)
            if values:
                return values[0]
    return None


def id_key(value: str) -> tuple[int, str]:
    """Order Mastodon ids (numeric strings of possibly different lengths) without parsing them."""
    return (len(value), value)

