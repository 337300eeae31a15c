"""The one sliding-window limiter (server/ratelimit.py) that login, the public form and sandbox replies share."""

from __future__ import annotations

import pytest

from server.errors import TooManyRequests
from server.ratelimit import SlidingWindow


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_key_waits_until_its_oldest_event_leaves_the_window() -> None:
    ticks = Ticks()
    window = SlidingWindow(2, 60.0, now=ticks)
    assert window.take("a") == 0.0
    ticks.now += 10
    assert window.take("a") == 0.0
    assert window.take("a") == 60.0 - 10  # refused: counted nothing
    assert window.take("b") == 0.0  # other keys are not affected
    ticks.now += 50
    assert window.wait("a") == 0.0  # the first event left the window (at exactly 60 s)
    assert window.take("a") == 0.0
    assert window.wait("a") == 10.0


def test_add_counts_events_that_happened_anyway() -> None:
    ticks = Ticks()
    window = SlidingWindow(2, 900.0, now=ticks)
    for _ in range(5):
        window.add("192.0.2.1")  # e.g. failed logins, counted whatever the limit
    assert window.wait("192.0.2.1") == 900.0
    ticks.now += 900
    assert window.wait("192.0.2.1") == 0.0
    assert len(window) == 0  # a key with nothing in its window is forgotten


def test_admit_raises_a_429_naming_the_wait() -> None:
    ticks = Ticks()
    window = SlidingWindow(1, 60.0, now=ticks)
    window.admit("a", "too many replies from this address")
    ticks.now += 0.5
    with pytest.raises(TooManyRequests) as info:
        window.admit("a", "too many replies from this address")
    assert info.value.detail == "too many replies from this address; try again in 60 s"
    assert info.value.extra["retry_after"] == 60  # whole seconds, rounded up


def test_a_flood_of_keys_stays_bounded() -> None:
    ticks = Ticks()
    window = SlidingWindow(2, 60.0, now=ticks, max_keys=1000)
    assert [window.take("a") == 0.0 for _ in range(3)] == [True, True, False]
    for n in range(3000):
        window.take(f"client-{n}")
        ticks.now += 0.01  # all inside one window: the least recently used go
    assert len(window) <= 1000
    assert window.wait("client-2999") == 0.0
