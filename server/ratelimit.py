"""The one sliding-window limiter: at most `limit` events per key within any `window_seconds` (in memory, per process).

Login failures per address (`auth/throttle.py`), the public question form and sandbox replies per client
address all count the same way; three copies of this used to differ in how they forgot idle keys and
rounded the wait. Keys are bounded: when a flood of new keys (addresses) reaches `max_keys`, keys idle for
a whole window are forgotten, and if that is not enough the least recently used quarter goes.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

from server.errors import TooManyRequests

MAX_KEYS = 100_000


class SlidingWindow:
    """Count events per key; a key with `limit` events inside the last `window_seconds` must wait."""

    def __init__(self, limit: int, window_seconds: float, *, now: Callable[[], float] = time.monotonic,
                 max_keys: int = MAX_KEYS) -> None:
        self.limit = limit
        self.window = window_seconds
        self.now = now
        self.max_keys = max_keys
        self._events: dict[str, deque[float]] = {}

    def wait(self, key: str) -> float:
        """Seconds until `key` may count one more event (0.0 when it may now)."""
        now = self.now()
        events = self._recent(key, now)
        if events is None or len(events) < self.limit:
            return 0.0
        return max(0.0, events[0] + self.window - now)

    def add(self, key: str) -> None:
        """Count one event for `key`, whatever the limit (e.g. a failed login that happened anyway)."""
        now = self.now()
        events = self._events.get(key)
        if events is None:
            if len(self._events) >= self.max_keys:
                self._forget_idle(now)
            events = self._events[key] = deque()
        events.append(now)

    def take(self, key: str) -> float:
        """Count one event if `key` is within the limit and return 0.0; else count nothing and return the wait."""
        wait = self.wait(key)
        if wait <= 0:
            self.add(key)
        return wait

    def admit(self, key: str, refusal: str) -> None:
        """`take` one event or raise 429: "`refusal`; try again in N s" with N as its `Retry-After`."""
        wait = self.take(key)
        if wait > 0:
            raise TooManyRequests(f"{refusal}; try again in {max(1, math.ceil(wait))} s", retry_after=wait)

    def __len__(self) -> int:
        """How many keys are remembered."""
        return len(self._events)

    def _recent(self, key: str, now: float) -> deque[float] | None:
        """The key's events inside the window (older ones dropped), or None when it has none."""
        events = self._events.get(key)
        if events is None:
            return None
        while events and events[0] <= now - self.window:
            events.popleft()
        if not events:
            del self._events[key]
            return None
        return events

    def _forget_idle(self, now: float) -> None:
        for key in [k for k, events in self._events.items() if not events or events[-1] <= now - self.window]:
            del self._events[key]
        if len(self._events) >= self.max_keys:
            for key in sorted(self._events, key=lambda k: self._events[k][-1])[: max(1, self.max_keys // 4)]:
                del self._events[key]
