"""A sliding-window limit on audience replies per client address (in memory, per process)."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

from server.errors import TooManyRequests

MAX_TRACKED = 10_000


class ReplyLimiter:
    """At most `limit` replies per address within `window_seconds`."""

    def __init__(self, limit: int = 10, window_seconds: float = 60.0,
                 now: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window_seconds
        self.now = now
        self._hits: dict[str, deque[float]] = {}

    def hit(self, address: str) -> None:
        """Count one reply from `address`, or raise 429 naming when to try again."""
        now = self.now()
        hits = self._hits.get(address)
        if hits is None:
            if len(self._hits) >= MAX_TRACKED:
                self._forget_idle(now)
            hits = self._hits[address] = deque()
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            retry = max(1, math.ceil(hits[0] + self.window - now))
            raise TooManyRequests(f"too many replies from this address; try again in {retry} s",
                                  extra={"retry_after": retry})
        hits.append(now)

    def _forget_idle(self, now: float) -> None:
        for key in [k for k, v in self._hits.items() if not v or v[-1] <= now - self.window]:
            del self._hits[key]
