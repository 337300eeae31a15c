"""Time as the live machinery sees it: the real clock, or a controllable one in tests and rehearsals.

This is the only module that reads the machine's clock. Everything else asks the injected `Clock`: services
through `session_now(session)` (the app's sessionmaker carries its clock), workers through the clock they were built
with, column defaults through `stamp` (the clock of the session whose transaction runs the statement). One
clock means a test's fake time and a row's timestamps can never disagree (`tests/test_one_clock.py`).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

CLOCK_KEY = "livecue_clock"


class Clock(Protocol):
    """Something that tells the current UTC time."""

    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        """The current time."""
        return datetime.now(UTC)


def wall_seconds() -> float:
    """Seconds since the epoch on the machine's clock: only for what must agree with a platform's own clock
    (rate-limit resets, token and upload expiry), never for the event's own timing."""
    return time.time()


def wall_now() -> datetime:
    """`wall_seconds` as a UTC datetime (a platform-side stand-in, e.g. for a post whose date cannot be read)."""
    return datetime.fromtimestamp(wall_seconds(), UTC)


def clock_of(holder: Any) -> Clock:
    """The clock carried by a session (or anything with an `info` dict); the machine's clock when none is."""
    info = getattr(holder, "info", None) or {}
    clock: Clock | None = info.get(CLOCK_KEY)
    return clock if clock is not None else _SYSTEM


def session_now(session: Any) -> datetime:
    """Now, by the clock of the app that opened `session`."""
    return clock_of(session).now()


def stamp(context: Any) -> datetime:
    """Column default: now, by the clock of the session whose transaction executes the statement."""
    return clock_of(context.connection).now()


_SYSTEM = SystemClock()


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        """The current (fake) time."""
        return self._now

    def advance(self, seconds: float = 0, **kwargs: float) -> datetime:
        """Move forward and return the new time."""
        self._now += timedelta(seconds=seconds, **kwargs)
        return self._now

    def set(self, when: datetime) -> None:
        """Jump to a time."""
        self._now = when
