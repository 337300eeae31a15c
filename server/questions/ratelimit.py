"""A small sliding-window limiter per client address (in memory, per process)."""

from __future__ import annotations

import time
from collections import defaultdict, deque


class WindowLimiter:
    """Allow at most `limit` calls per `window` seconds per key."""

    def __init__(self, limit: int = 10, window: float = 60.0) -> None:
        self.limit = limit
        self.window = window
        self._calls: dict[str, deque[float]] = defaultdict(deque)

    def allow(self, key: str) -> bool:
        """Record a call and say whether it is within the limit."""
        now = time.monotonic()
        calls = self._calls[key]
        while calls and calls[0] < now - self.window:
            calls.popleft()
        if len(calls) >= self.limit:
            return False
        calls.append(now)
        return True
