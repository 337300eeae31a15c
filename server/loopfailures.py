"""How a background loop reports failed rounds without flooding the log during an outage.

A bug gets its traceback. A failure of the surroundings (a full disk, a database that went away) gets one
line naming the cause, repeated at most once a minute with the count of rounds that failed meanwhile, and
one line when the loop works again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from server.db.diskfull import storage_full

REPEAT_SECONDS = 60.0


def _environment_cause(exc: BaseException) -> str | None:
    """A short cause when `exc` is the surroundings failing rather than a bug, else None."""
    if storage_full(exc):
        return "the disk is full"
    if isinstance(exc, OperationalError | InterfaceError) or (
            isinstance(exc, DBAPIError) and exc.connection_invalidated):
        return f"the database is unavailable ({type(exc.orig).__name__ if exc.orig else type(exc).__name__})"
    if isinstance(exc, ConnectionError | TimeoutError):
        return f"a connection failed ({type(exc).__name__})"
    return None


class LoopFailures:
    """The failure log of one loop (`name`, e.g. "dispatcher")."""

    def __init__(self, log: logging.Logger, name: str, *, repeat_seconds: float = REPEAT_SECONDS,
                 now: Callable[[], float] = time.monotonic) -> None:
        self.log, self.name, self.repeat_seconds, self.now = log, name, repeat_seconds, now
        self.failing = 0
        self.total = 0  # every failed round since start (the poll-error counter of /metrics)
        self._last_cause: str | None = None
        self._last_logged = 0.0
        self._quiet = 0

    def failed(self, exc: BaseException) -> None:
        """Report one failed round."""
        self.failing += 1
        self.total += 1
        cause = _environment_cause(exc)
        if cause is None:
            self.log.error("%s round failed", self.name, exc_info=exc)
            return
        now = self.now()
        if cause == self._last_cause and now - self._last_logged < self.repeat_seconds:
            self._quiet += 1
            return
        again = f" ({self._quiet} more failed rounds since the last message)" if self._quiet else ""
        self.log.error("%s round failed: %s; retrying%s", self.name, cause, again)
        self._last_cause, self._last_logged, self._quiet = cause, now, 0

    def succeeded(self) -> None:
        """Report a round that worked (one line if it ends a run of failures)."""
        if self.failing:
            self.log.warning("%s works again after %d failed rounds", self.name, self.failing)
        self.failing, self._last_cause, self._quiet = 0, None, 0
