"""Exactly one of a kind across replicas: a worker's round runs only in the replica holding its lock.

Several `livecue serve` replicas share one PostgreSQL. The dispatcher is safe to run everywhere (per-delivery
leases), but the scheduler, the poller and the metrics sampler must run once: two pollers would fetch every
platform twice, two schedulers race for the same due items. Each such worker is declared singleton in the
Workers list; its `once()` is wrapped by `only_one` and runs only while this replica holds a PostgreSQL
session-level advisory lock (`pg_try_advisory_lock`) taken on a dedicated connection.

Why a dedicated connection and a session-level lock: the lock lives exactly as long as that connection. When a
replica dies (even SIGKILL) the kernel closes its socket, PostgreSQL ends the backend and the lock is free; the
other replicas' rounds wait for the lock, trying every RETRY_SECONDS whatever the worker's own pause (the sampler
pauses 5 s), so the work is handed over within about a second of the holder's death.
The holder checks its connection at every round too: a connection that broke means the lock may be someone
else's now, so it stops working until it takes the lock again.

On SQLite there is one process by construction (the file is not shared across machines), so the lock is always
"held" and behaviour is as before.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import zlib
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import asyncpg
from sqlalchemy.engine import make_url

log = logging.getLogger("livecue.singleton")
LOCK_CLASS = 0x4C43  # "LC": the first key of every Livecue advisory lock, so they are easy to find in pg_locks
CONNECT_TIMEOUT = 5.0
RETRY_SECONDS = 1.0  # how often a replica that does not hold the lock tries to take it
T = TypeVar("T")


def lock_key(name: str) -> int:
    """The second advisory-lock key of a worker name (stable across processes and versions)."""
    return zlib.crc32(f"livecue:{name}".encode()) & 0x7FFFFFFF


def holder_name(name: str) -> str:
    """The lock connection's application_name: which worker, machine and process holds it (see pg_stat_activity
    joined with pg_locks; the replica drill reads it to time hand-overs)."""
    return f"livecue:{name}:{socket.gethostname()}:{os.getpid()}"[:63]


def asyncpg_dsn(database_url: str) -> str:
    """A plain `postgresql://` DSN for asyncpg from the SQLAlchemy URL (driver name dropped)."""
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


class SingletonLock:
    """One named advisory lock held on its own connection; `held()` takes it when free and checks it is kept."""

    def __init__(self, name: str, database_url: str | None) -> None:
        self.name = name
        self.key = lock_key(name)
        self.dsn = asyncpg_dsn(database_url) if database_url and database_url.startswith("postgresql") else None
        self._conn: Any = None
        self.holding = self.dsn is None  # SQLite: one process, always the holder

    async def held(self) -> bool:
        """Whether this replica may run the worker now (taking the lock if it is free)."""
        if self.dsn is None:
            return True
        try:
            if self._conn is None or self._conn.is_closed():
                await self._connect()
            if self.holding:
                await self._conn.fetchval("SELECT 1")  # the lock lives as long as this connection
            else:
                self.holding = bool(await self._conn.fetchval(
                    "SELECT pg_try_advisory_lock($1, $2)", LOCK_CLASS, self.key))
                if self.holding:
                    log.info("%s: this replica runs it now", self.name)
        except Exception as exc:  # the connection broke: whatever we held is gone
            if self.holding:
                log.warning("%s: lost the lock (%s); another replica may run it now", self.name, type(exc).__name__)
            await self.release()
        return self.holding

    async def _connect(self) -> None:
        self.holding = False
        self._conn = await asyncpg.connect(self.dsn, timeout=CONNECT_TIMEOUT,
                                           server_settings={"application_name": holder_name(self.name)})

    async def release(self) -> None:
        """Give the lock up (closing the connection frees it)."""
        conn, self._conn = self._conn, None
        self.holding = self.dsn is None
        if conn is not None and not conn.is_closed():
            try:
                await conn.close(timeout=CONNECT_TIMEOUT)
            except Exception:
                conn.terminate()


def only_one(once: Callable[[], Awaitable[T]], lock: SingletonLock, *,
             retry_seconds: float | None = RETRY_SECONDS) -> Callable[[], Awaitable[T | None]]:
    """`once`, run only while `lock` is held here.

    A replica without the lock waits inside the round, trying every `retry_seconds`, and runs `once` as soon as it
    holds it (the loop's task is cancelled at shutdown, wherever it waits). With `retry_seconds=None` the round
    does nothing instead (returns None).
    """

    async def guarded() -> T | None:
        while not await lock.held():
            if retry_seconds is None:
                return None
            await asyncio.sleep(retry_seconds)
        return await once()

    guarded.__name__ = getattr(once, "__name__", "once")
    guarded.__doc__ = once.__doc__
    return guarded
