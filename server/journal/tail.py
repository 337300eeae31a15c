"""Following the journal's tail: one reader per process, woken by commits, polling only as the fallback.

Two readers follow the journal as it grows: the console feed (server/feed/hub.py) and the public live pages
(server/livepage/hub.py). They had a copy each of the same machinery; this is the one copy. A `JournalTail`
runs one task that calls the subclass's `pump` (read what is new after `last_seq`, hand it on, advance
`last_seq`; answer how many entries it read) and then waits for the next wake-up:

  - a commit of this process that inserted a journal entry the reader cares about (`wakes_on`): SQLAlchemy's
    after-insert marks the session, its after-commit pokes the reader, so nothing waits for a poll;
  - another replica's commit, announced through PostgreSQL NOTIFY (server/db/notify.py) and passed in as
    `remote_commit(seq)`; after a pump that read this process's own commits, `announce(last_seq)` (when set)
    tells the other replicas in turn;
  - failing both (SQLite with several processes, a lost notification), every `poll_seconds`.

A pump that fails is logged by `LoopFailures` (once, then when it recovers) and retried at the next wake-up;
a full batch (`batch`) is followed by another pump at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapper, Session, object_session

from server.journal import service as journal
from server.loopfailures import LoopFailures
from server.models import JournalEntry


class JournalTail:
    """One task reading the journal's new entries (`pump`, in the subclass) whenever they may be there."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], *, poll_seconds: float, batch: int,
                 log: logging.Logger, what: str) -> None:
        self.sessionmaker = sessionmaker
        self.poll_seconds = poll_seconds
        self.batch = batch
        self.last_seq = 0
        self.poke = asyncio.Event()
        self.failures = LoopFailures(log, what)
        self.announce: Callable[[int], None] | None = None  # tells other replicas the journal reached a seq
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._flag = f"livecue.tail.{id(self)}"
        self._listeners: list[tuple[Any, str, Any]] = []
        self._local = False  # a commit of this process woke the reader: announce what the next pump reads
        self._committed: list[JournalEntry] = []  # this process's committed entries (`keeps_committed`)

    keeps_committed = False  # keep this process's committed entries for `committed_next` (the feed hub does)

    async def pump(self) -> int:
        """Read new entries after `last_seq`, hand them on and advance `last_seq`; how many were read."""
        raise NotImplementedError

    def wakes_on(self, entry: JournalEntry) -> bool:
        """Whether this process's commit of `entry` should wake the reader (every entry unless narrowed)."""
        return True

    async def start(self) -> None:
        """Begin from the current end of the journal; wake on this process's journal commits."""
        self._loop = asyncio.get_running_loop()
        async with self.sessionmaker() as session:
            self.last_seq = await journal.last_seq(session)
        self._listen()
        self._task = asyncio.create_task(self._run())

    async def stop_reading(self) -> None:
        """Stop the reader and forget the commit hooks."""
        for target, name, fn in self._listeners:
            event.remove(target, name, fn)
        self._listeners.clear()
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def remote_commit(self, seq: int) -> None:
        """Another replica committed up to `seq` (LISTEN/NOTIFY): read it now rather than at the next poll."""
        if seq > self.last_seq:
            self.poke.set()

    async def _run(self) -> None:
        while True:
            self.poke.clear()  # before reading: a commit during the read pokes again and is not lost
            local, self._local = self._local, False
            try:
                count = await self.pump()
                self.failures.succeeded()
            except Exception as exc:
                self.failures.failed(exc)
                count = 0
                self._local = self._local or local  # announce after the next pump that works
            else:
                if local and count and self.announce is not None:
                    self.announce(self.last_seq)  # after the commit: the entries are visible to every replica
            if count >= self.batch:
                continue
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll_seconds):
                    await self.poke.wait()

    # Waking on commit: a session on this reader's engine that inserted a journal entry it cares about pokes
    # the reader after its commit (not after a rollback, which discards the mark with the session's work).

    def _listen(self) -> None:
        bind = self.sessionmaker.kw.get("bind")
        engine = getattr(bind, "sync_engine", bind)
        session_class = self.sessionmaker.kw.get("sync_session_class") or Session
        if not isinstance(engine, Engine):
            return

        def after_insert(_mapper: Mapper[Any], connection: Connection, target: JournalEntry) -> None:
            session = object_session(target)
            if (session is not None and connection.engine.pool is engine.pool  # the read engine shares the pool
                    and self.wakes_on(target)):
                session.info.setdefault(self._flag, []).append(target)

        def after_commit(session: Session) -> None:
            entries = session.info.pop(self._flag, None)
            if entries:
                # Entries inserted in a savepoint that was rolled back were expunged: not persistent, not kept.
                self._wake([e for e in entries if sa_inspect(e).persistent] if self.keeps_committed else [])

        for target, name, fn in ((JournalEntry, "after_insert", after_insert),
                                 (session_class, "after_commit", after_commit)):
            event.listen(target, name, fn)
            self._listeners.append((target, name, fn))

    def _poke_local(self, entries: list[JournalEntry]) -> None:
        self._committed.extend(entries)
        self._local = True
        self.poke.set()

    def _wake(self, entries: list[JournalEntry]) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._poke_local(entries)
        else:
            loop.call_soon_threadsafe(self._poke_local, entries)

    def committed_next(self) -> list[JournalEntry] | None:
        """This process's committed entries when they are exactly the next ones after `last_seq` (nobody else
        wrote in between), oldest first, so the reader need not read them back; None when it must read.

        Sequence numbers become visible in order (journal/service.py), so entries `last_seq + 1 ..` committed
        here, with no gap, are everything there is up to the last of them. The kept list is emptied."""
        entries, self._committed = sorted(self._committed, key=lambda e: e.seq), []
        entries = [e for e in entries if e.seq > self.last_seq]
        if not entries or any(e.seq != self.last_seq + 1 + i for i, e in enumerate(entries)):
            return None
        return entries
