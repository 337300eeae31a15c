"""Mapping X API v2 error responses to the adapter error taxonomy (transport failures: `platforms/transport.py`)."""

from __future__ import annotations

import logging
import math

import httpx

from server.platforms.errors import OutcomeUnknown, Rejected, RetryLater
from server.platforms.transport import json_object

log = logging.getLogger(__name__)

DUPLICATE_MARKER = "duplicate content"
RETRY_SERVER_SECONDS = 30.0
RETRY_RATE_LIMIT_SECONDS = 900.0


def problem_text(resp: httpx.Response) -> str:
    """Return the human part of an X error body (Problem `detail`/`title` or `errors[0].message`)."""
    body = json_object(resp)
    for key in ("detail", "title", "error_description", "error"):
        if isinstance(body.get(key), str):
            return str(body[key])[:500]
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return str(errors[0].get("message", ""))[:500]
    return resp.text[:200]


def is_duplicate(resp: httpx.Response) -> bool:
    """True for the 403 "You are not allowed to create a Tweet with duplicate content." answer."""
    return resp.status_code == 403 and DUPLICATE_MARKER in problem_text(resp).lower()


def _epoch_wait(headers: httpx.Headers, name: str, now: float) -> float | None:
    value = headers.get(name, "").strip()
    if value.isdigit():
        return max(1.0, math.ceil(int(value) - now))
    return None


def seconds_until_reset(headers: httpx.Headers, now: float) -> float:
    """Seconds until the exhausted limit resets (`x-rate-limit-reset` or a 24-hour cap), at least 1."""
    waits = [_epoch_wait(headers, "x-rate-limit-reset", now)]
    for scope in ("user", "app"):
        if headers.get(f"x-{scope}-limit-24hour-remaining", "").strip() == "0":
            waits.append(_epoch_wait(headers, f"x-{scope}-limit-24hour-reset", now))
    known = [w for w in waits if w is not None]
    return max(known) if known else RETRY_RATE_LIMIT_SECONDS


def raise_for_status(resp: httpx.Response, action: str, now: float, *, creates: bool = False) -> None:
    """Raise the adapter error for a non-2xx X response (401 is handled by the caller)."""
    status = resp.status_code
    if status < 300:
        return
    detail = problem_text(resp)
    log.info("x %s failed: HTTP %s", action, status)
    if creates and is_duplicate(resp):
        raise OutcomeUnknown(f"x {action}: duplicate content (the post may already exist): {detail}")
    if status == 429:
        raise RetryLater(f"x {action}: rate limited", seconds_until_reset(resp.headers, now))
    if status >= 500:
        retry_after = resp.headers.get("retry-after", "").strip()
        raise RetryLater(f"x {action}: server error {status}",
                         float(retry_after) if retry_after.isdigit() else RETRY_SERVER_SECONDS)
    raise Rejected(f"x {action}: HTTP {status}: {detail}")

