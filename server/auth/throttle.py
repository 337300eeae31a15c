"""Login throttling per account and per client address (in memory, per process)."""

from __future__ import annotations

import time
from collections import deque

from server.errors import TooManyRequests


class LoginLimiter:
    """Refuse logins after too many recent failures for an account or an address."""

    def __init__(self, per_account: int = 5, per_address: int = 20, window_seconds: float = 300.0) -> None:
        self.per_account = per_account
        self.per_address = per_address
        self.window = window_seconds
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, key: str, now: float) -> int:
        # Reading never adds a key, and a key whose failures have all expired is dropped: refused attempts
        # (a spray of made-up usernames, say) cost no memory.
        entries = self._failures.get(key)
        if entries is None:
            return 0
        while entries and entries[0] < now - self.window:
            entries.popleft()
        if not entries:
            del self._failures[key]
        return len(entries)

    def check(self, account: str, address: str) -> None:
        """Raise 429 when either the account or the address is over its budget."""
        now = time.monotonic()
        for key, limit in ((f"a:{account}", self.per_account), (f"ip:{address}", self.per_address)):
            if self._recent(key, now) >= limit:
                retry = int(self.window - (now - self._failures[key][0])) + 1
                raise TooManyRequests("too many failed logins; try again later", extra={"retry_after": retry})

    def failed(self, account: str, address: str) -> None:
        """Count a failed attempt."""
        now = time.monotonic()
        self._failures.setdefault(f"a:{account}", deque()).append(now)
        self._failures.setdefault(f"ip:{address}", deque()).append(now)

    def succeeded(self, account: str, address: str) -> None:
        """A success clears the account's failures."""
        self._failures.pop(f"a:{account}", None)
