"""Knowing when a platform request has left this process, for whoever waits on it (issue 19).

A cue's route builds its answer (three reads) after the platform request it handed to the dispatcher is on its
way, not beside it on the same core. The dispatcher sets `REQUEST_SENT` around an adapter's `publish`; the
registry's HTTP client sends through `SignallingTransport`, which sets that event once the request's body is
written (httpcore's `trace` extension), whatever the adapter. Nothing else changes about the request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import httpx

REQUEST_SENT: ContextVar[asyncio.Event | None] = ContextVar("livecue_request_sent", default=None)
SENT_EVENTS = ("http11.send_request_body.complete", "http2.send_request_body.complete")

Trace = Callable[[str, dict[str, Any]], Awaitable[None]]


@contextmanager
def signalling(sent: asyncio.Event | None) -> Iterator[None]:
    """Within this block, requests sent through a `SignallingTransport` set `sent` once written."""
    token = REQUEST_SENT.set(sent)
    try:
        yield
    finally:
        REQUEST_SENT.reset(token)


class SignallingTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport, plus the signal above (the registry's client uses it)."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send as httpx does; set the waiting event, if any, when the body has been written."""
        sent = REQUEST_SENT.get()
        if sent is not None:
            request.extensions = {**request.extensions, "trace": _tracer(sent, request.extensions.get("trace"))}
        return await super().handle_async_request(request)


def _tracer(sent: asyncio.Event, inner: Trace | None) -> Trace:
    async def trace(name: str, info: dict[str, Any]) -> None:
        if name in SENT_EVENTS:
            sent.set()
        if inner is not None:
            await inner(name, info)

    return trace
