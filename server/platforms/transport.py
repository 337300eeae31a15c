"""The one mapping of HTTP transport failures to the adapter error taxonomy, shared by X, Mastodon and Bluesky.

What matters is whether the request may have reached the platform. A failure raised before it left this
process (`NOT_SENT`: no connection, no pooled connection, a URL scheme httpx cannot speak) created nothing,
so it is `RetryLater`. Any other failure of the request (a read timeout, a reset mid-response, an answer
that cannot be decoded) came after it was sent: for a call that creates a post the post may exist, so it is
`OutcomeUnknown` and publishing reconciles before any re-send; for any other call it is `RetryLater`.
Three copies of this used to drift apart; keep it here, in one place.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from server.platforms.errors import OutcomeUnknown, PlatformError, RetryLater

log = logging.getLogger(__name__)

RETRY_CONNECTION_SECONDS = 5.0

# Raised before the request left this process: nothing can have been created.
NOT_SENT: tuple[type[httpx.RequestError], ...] = (
    httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


def transport_error(exc: httpx.RequestError, platform: str, action: str, *, creates: bool) -> PlatformError:
    """The adapter error for `exc`, raised by `platform`'s `action` (a call that `creates` a post or not)."""
    name = type(exc).__name__
    if isinstance(exc, NOT_SENT):
        log.warning("%s %s: connection failed (%s)", platform, action, name)
        return RetryLater(f"{platform} {action}: connection failed ({name})", RETRY_CONNECTION_SECONDS)
    log.warning("%s %s: failure after sending (%s)", platform, action, name)
    if creates:
        return OutcomeUnknown(f"{platform} {action}: no answer after sending ({name})")
    return RetryLater(f"{platform} {action}: transport failure ({name})", RETRY_CONNECTION_SECONDS)


def json_object(resp: httpx.Response) -> dict[str, Any]:
    """The response's JSON object, or {} when the body is empty, not JSON (a proxy's HTML error page) or not an
    object: error bodies are read for a message, never trusted to have a shape."""
    if not resp.content:
        return {}
    try:
        body = resp.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


@contextmanager
def mapped_transport_errors(platform: str, action: str, *, creates: bool) -> Iterator[None]:
    """Run one request, raising `transport_error(...)` for any httpx request failure inside."""
    try:
        yield
    except httpx.RequestError as exc:
        raise transport_error(exc, platform, action, creates=creates) from exc
