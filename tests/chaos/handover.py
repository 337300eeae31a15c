"""Who runs the one-at-a-time workers during a replica drill, read from PostgreSQL, and how fast they move.

A replica holding a singleton's advisory lock has a connection whose application_name names the worker, machine
and process (`server.db.singleton.holder_name`); pg_locks joined with pg_stat_activity is an atomic picture of
who holds what. After a SIGKILL, `wait_handover` times how long until every worker the dead process held is held
by another replica (over HANDOVER_LIMIT is a problem in the drill).
"""

from __future__ import annotations

import asyncio
import time

import asyncpg

from server.db.singleton import LOCK_CLASS, asyncpg_dsn

HANDOVER_LIMIT = 5.0  # seconds from the holder's SIGKILL to another replica holding its workers

HOLDERS = """SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
             WHERE l.locktype = 'advisory' AND l.classid = $1 AND l.granted AND l.database = (
               SELECT oid FROM pg_database WHERE datname = current_database())"""


def holders(database_url: str) -> dict[str, int]:
    """{worker: process id of the replica holding it} right now."""

    async def _read() -> dict[str, int]:
        conn = await asyncpg.connect(asyncpg_dsn(database_url))
        try:
            rows = await conn.fetch(HOLDERS, LOCK_CLASS)
        finally:
            await conn.close()
        found: dict[str, int] = {}
        for row in rows:
            parts = str(row["application_name"]).split(":")
            if len(parts) >= 4 and parts[0] == "livecue":
                found[parts[1]] = int(parts[-1])
        return found

    return asyncio.run(_read())


def wait_handover(database_url: str, dead_pid: int, workers: list[str], timeout: float = 30.0) -> float | None:
    """Seconds until every worker in `workers` is held by a process other than `dead_pid` (None: not in time)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        now = holders(database_url)
        if all(now.get(w) not in (None, dead_pid) for w in workers):
            return time.monotonic() - started
        time.sleep(0.05)
    return None
