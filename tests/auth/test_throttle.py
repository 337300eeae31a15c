"""Login throttling (server/auth/throttle.py): growing delays per (account, address), a budget per address."""

from __future__ import annotations

import pytest

from server.auth.throttle import LoginLimiter, address_key
from server.errors import TooManyRequests


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def refused_for(limiter: LoginLimiter, account: str, address: str) -> float | None:
    """Seconds to wait (the 429's retry_after), or None when the attempt may go ahead."""
    try:
        limiter.check(account, address)
    except TooManyRequests as exc:
        assert exc.extra["retry_after"] >= 1
        return float(exc.extra["retry_after"])
    return None


def test_failures_from_one_address_never_stop_another() -> None:
    ticks = Ticks()
    limiter = LoginLimiter(now=ticks)
    for _ in range(200):
        if refused_for(limiter, "dana", "203.0.113.9") is None:
            limiter.failed("dana", "203.0.113.9")
        ticks.now += 0.5
    assert refused_for(limiter, "dana", "203.0.113.9") is not None
    assert refused_for(limiter, "dana", "198.51.100.7") is None  # the real user's address has not failed


def test_delays_grow_after_the_free_tries_and_a_success_clears_them() -> None:
    ticks = Ticks()
    limiter = LoginLimiter(now=ticks, free_failures=3, base_delay=1.0, max_delay=300.0)
    waits = []
    for _ in range(13):
        wait = refused_for(limiter, "sam", "192.0.2.1")
        if wait is not None:
            waits.append(wait)
            ticks.now += wait
            assert refused_for(limiter, "sam", "192.0.2.1") is None
        limiter.failed("sam", "192.0.2.1")
    assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256]  # after the 4th to the 12th failure
    ticks.now += 300
    assert refused_for(limiter, "sam", "192.0.2.1") is None
    limiter.failed("sam", "192.0.2.1")
    assert refused_for(limiter, "sam", "192.0.2.1") == 300  # capped
    ticks.now += 300
    limiter.succeeded("sam", "192.0.2.1")
    limiter.failed("sam", "192.0.2.1")
    assert refused_for(limiter, "sam", "192.0.2.1") is None  # back to the free tries


def test_an_address_spraying_many_accounts_runs_out_of_budget() -> None:
    ticks = Ticks()
    limiter = LoginLimiter(now=ticks, per_address=30, window_seconds=900)
    for n in range(30):
        assert refused_for(limiter, f"user{n}", "192.0.2.50") is None
        limiter.failed(f"user{n}", "192.0.2.50")
    wait = refused_for(limiter, "someone-else", "192.0.2.50")
    assert wait == 900
    assert refused_for(limiter, "someone-else", "192.0.2.51") is None
    ticks.now += 901
    assert refused_for(limiter, "someone-else", "192.0.2.50") is None


def test_a_pair_is_forgotten_after_a_quiet_day() -> None:
    ticks = Ticks()
    limiter = LoginLimiter(now=ticks, forget_seconds=86_400)
    for _ in range(4):
        limiter.failed("amy", "192.0.2.8")
    assert refused_for(limiter, "amy", "192.0.2.8") is not None
    ticks.now += 86_401
    limiter.failed("amy", "192.0.2.8")
    assert refused_for(limiter, "amy", "192.0.2.8") is None  # one failure since: still within the free tries


@pytest.mark.parametrize(("address", "key"), [
    ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"), ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),
    ("::ffff:192.0.2.4", "192.0.2.4"), ("192.0.2.4", "192.0.2.4"), ("unknown", "unknown")])
def test_ipv6_hosts_are_counted_per_64(address: str, key: str) -> None:
    assert address_key(address) == key
