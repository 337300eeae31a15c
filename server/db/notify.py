"""Journal commits announced across replicas with PostgreSQL LISTEN/NOTIFY.

Every replica's feed hub reads the journal in sequence order and fans entries out to its WebSocket clients. A
commit in the same process wakes the hub at once; one in another replica used to wait for the hub's 0.2 s poll.
With this, the hub that saw a commit of its own process NOTIFYs channel `livecue_journal` with the new sequence
(after the commit, so the entry is visible to whoever reads it), and every other replica's hub, LISTENing on a
dedicated connection, wakes as if the commit had been its own. The poll stays as the fallback: a lost
notification (a listener reconnecting, a replica killed between commit and NOTIFY) costs at most one poll
interval, never an entry, because the hub always reads "everything after my last sequence".

On SQLite (one process) there is nothing to do. A broken listener connection is reopened every second.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import asyncpg

from server.db.singleton import CONNECT_TIMEOUT, asyncpg_dsn

log = logging.getLogger("livecue.notify")
CHANNEL = "livecue_journal"
RECONNECT_SECONDS = 1.0


class JournalNotifier:
    """LISTENs for other replicas' journal commits (calls `on_seq`) and NOTIFYs this replica's."""

    def __init__(self, database_url: str, on_seq: Callable[[int], None]) -> None:
        self.dsn = asyncpg_dsn(database_url) if database_url.startswith("postgresql") else None
        self.on_seq = on_seq
        self.sent = 0
        self.received = 0
        self._conn: Any = None
        self._failing = False
        self._task: asyncio.Task[None] | None = None
        self._pending: set[asyncio.Task[Any]] = set()

    @property
    def enabled(self) -> bool:
        """Whether notifications are used (PostgreSQL)."""
        return self.dsn is not None

    async def start(self) -> None:
        """Begin listening (in the background: a database not yet reachable is retried every second)."""
        if self.dsn is not None:
            self._task = asyncio.create_task(self._keep_listening(), name="livecue-journal-listener")

    async def stop(self) -> None:
        """Stop listening and close the connection."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for task in list(self._pending):
            task.cancel()
        await self._close()

    def notify(self, seq: int) -> None:
        """Tell the other replicas the journal reached `seq` (call after the commit; never blocks)."""
        conn = self._conn
        if conn is None or conn.is_closed():
            return  # they will see it at their next poll
        task = asyncio.get_running_loop().create_task(self._send(conn, seq))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _send(self, conn: Any, seq: int) -> None:
        try:
            await conn.execute("SELECT pg_notify($1, $2)", CHANNEL, str(seq))
            self.sent += 1
        except Exception as exc:  # the poll covers it; the listener loop reconnects
            log.debug("journal notify failed: %s", type(exc).__name__)

    def _received(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        self.received += 1
        with contextlib.suppress(ValueError):
            self.on_seq(int(payload))

    async def _keep_listening(self) -> None:
        while True:
            if self._conn is None or self._conn.is_closed():
                try:
                    conn = await asyncpg.connect(self.dsn, timeout=CONNECT_TIMEOUT)
                    await conn.add_listener(CHANNEL, self._received)
                    self._conn = conn  # what came meanwhile the hub's poll has read (or reads now)
                    if self._failing:
                        log.warning("journal listener connected again")
                    self._failing = False
                except Exception as exc:
                    if not self._failing:  # once per outage, not every second
                        log.warning("journal listener: cannot connect (%s); the feed polls meanwhile",
                                    type(exc).__name__)
                    self._failing = True
                    await self._close()
            await asyncio.sleep(RECONNECT_SECONDS)

    async def _close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None and not conn.is_closed():
            try:
                await conn.close(timeout=CONNECT_TIMEOUT)
            except Exception:
                conn.terminate()
