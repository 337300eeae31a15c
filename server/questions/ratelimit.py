"""A small sliding-window limiter per client address (in memory, per process)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

PRUNE_EVERY = 1024


class WindowLimiter:
    """Allow at most `limit` calls per `window` seconds per key; idle keys are forgotten."""

    def __init__(self, limit: int = 10, window: float = 60.0, now: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self.now = now
        self._calls: dict[str, deque[float]] = {}
        self._since_prune = 0

    def allow(self, key: str) -> bool:
        """Record a call and say whether it is within the limit."""
        now = self.now()
        self._prune(now)
        calls = self._calls.setdefault(key, deque())
        while calls and calls[0] <= now - self.window:
            calls.popleft()
        if len(calls) >= self.limit:
            return False
        calls.append(now)
        return True

    def wait(self, key: str) -> float:
        """Seconds until `key` may call again (0 when it may now): the Retry-After of a refusal."""
        calls = self._calls.get(key)
        if not calls or len(calls) < self.limit:
            return 0.0
        return max(0.0, calls[0] + self.window - self.now())

    def __len__(self) -> int:
        """How many keys are remembered."""
        return len(self._calls)

    def _prune(self, now: float) -> None:
        """Every PRUNE_EVERY calls, drop keys with no call inside the window (a flood of addresses stays bounded)."""
        self._since_prune += 1
        if self._since_prune < PRUNE_EVERY:
            return
        self._since_prune = 0
        for key in [k for k, calls in self._calls.items() if not calls or calls[-1] <= now - self.window]:
            del self._calls[key]
