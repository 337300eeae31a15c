"""Login throttling that slows password guessing without ever locking the right person out (in memory, per process).

The first version locked an account for five minutes after five failures from anywhere, so anyone could keep
any member of staff out during a live event by typing their user name wrong five times. OWASP's Authentication
Cheat Sheet names that risk (lockout is a denial-of-service tool) and prefers throttling that grows with
repeated failures and is tied to where the failures come from. So nothing here is keyed by the account alone:

- per (account, address): FREE_FAILURES failures cost nothing, then each further try waits BASE_DELAY · 2^n
  seconds after the last failure (n = failures beyond the free ones, less one), up to MAX_DELAY; a success
  clears the pair;
- per address: at most `per_address` failures within `window_seconds` whatever the accounts (password
  spraying), then 429 until the oldest falls out of the window (the shared `server/ratelimit.py` window).

An address that has not failed is therefore never refused, whatever others do to the same account. IPv6
clients are counted per /64 (one host can hold a whole /64). The cost: guessing spread over many addresses
is slowed only per address; long random passwords (the demo's are) and argon2 carry that part.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from server.errors import TooManyRequests
from server.ratelimit import SlidingWindow

FREE_FAILURES = 3
BASE_DELAY = 1.0
MAX_DELAY = 300.0
MAX_TRACKED = 100_000  # remembered (account, address) pairs and addresses; idle ones are dropped first


def address_key(address: str) -> str:
    """The unit an address is counted in: the address itself, or its /64 for IPv6."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{parsed}/64", strict=False))
    return str(parsed)


@dataclass
class _Pair:
    failures: int
    last: float


class LoginLimiter:
    """Growing delays per (account, address) and a failure budget per address; never a lockout of an account."""

    def __init__(self, *, free_failures: int = FREE_FAILURES, base_delay: float = BASE_DELAY,
                 max_delay: float = MAX_DELAY, per_address: int = 30, window_seconds: float = 900.0,
                 forget_seconds: float = 86_400.0, now: Callable[[], float] = time.monotonic) -> None:
        self.free_failures = free_failures
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.per_address = per_address
        self.window = window_seconds
        self.forget = forget_seconds  # a pair with no failure for this long starts again from zero
        self.now = now
        self._pairs: dict[tuple[str, str], _Pair] = {}
        self._addresses = SlidingWindow(per_address, window_seconds, now=now, max_keys=MAX_TRACKED)

    def delay_after(self, failures: int) -> float:
        """Seconds a pair must wait after its last failure, having failed `failures` times."""
        beyond = failures - self.free_failures
        if beyond <= 0:
            return 0.0
        return min(self.base_delay * 2 ** min(beyond - 1, 32), self.max_delay)

    def check(self, account: str, address: str) -> None:
        """Raise 429 (with the seconds to wait) when this address must not try this account yet."""
        now, where = self.now(), address_key(address)
        wait = self._addresses.wait(where)
        if wait > 0:
            raise TooManyRequests("too many failed logins from this address; try again later", retry_after=wait)
        pair = self._pairs.get((account, where))
        if pair is not None and not self._idle(pair, now):
            wait = pair.last + self.delay_after(pair.failures) - now
            if wait > 0:
                raise TooManyRequests(f"too many failed logins for this account from this address; try again in "
                                      f"{math.ceil(wait)} s", retry_after=wait)

    def failed(self, account: str, address: str) -> None:
        """Count a failed attempt for the pair and the address."""
        now, where = self.now(), address_key(address)
        if len(self._pairs) >= MAX_TRACKED:
            self._forget_idle(now)
        pair = self._pairs.get((account, where))
        if pair is None or self._idle(pair, now):
            pair = self._pairs[(account, where)] = _Pair(0, now)
        pair.failures, pair.last = pair.failures + 1, now
        self._addresses.add(where)

    def succeeded(self, account: str, address: str) -> None:
        """A success clears that pair only (the address's budget is not refilled by logging into any account)."""
        self._pairs.pop((account, address_key(address)), None)

    def _idle(self, pair: _Pair, now: float) -> bool:
        return now - pair.last > max(self.forget, self.delay_after(pair.failures))

    def _forget_idle(self, now: float) -> None:
        """Drop idle pairs; if a flood of new pairs leaves too many, the oldest go (addresses bound themselves)."""
        for key in [k for k, pair in self._pairs.items() if self._idle(pair, now)]:
            del self._pairs[key]
        if len(self._pairs) >= MAX_TRACKED:
            for key in sorted(self._pairs, key=lambda k: self._pairs[k].last)[: MAX_TRACKED // 4]:
                del self._pairs[key]
