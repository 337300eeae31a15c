"""Group commit for the public form: one writer task stores the questions waiting, in one transaction.

Why: a form question committed in its own transaction costs one fsync and, on SQLite, a fight for the one
write lock (BEGIN IMMEDIATE waits in SQLite's busy handler, sleeping 1..100 ms between tries). Measured
with py-spy and perf (bench/ingest_bench.py's docstring has the numbers), ~11 ms of CPU per question went
to about ten ORM statements, each a round trip to aiosqlite's connection thread, and to the GIL hand-offs
between up to fifteen pooled connection threads, not to triage or the database. So questions are queued
here and a single writer drains the queue: one transaction, one event lookup per batch, the multi-row Core
inserts of `ingest()` (grouping and the `questions.ingested` journal entry batched with them), one commit.

The contract is the one the form had: `submit` returns only after the transaction holding the question
has committed (nothing is acknowledged before it is durable). If the batch fails, every question in it
fails with a clear 503 and nothing of it was stored, so a crash or a refused commit loses nothing that was
acknowledged; a resent question with its `submission_id` is stored once (the unique external id).
"""

from __future__ import annotations

import asyncio
import errno
import logging
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.config import Settings
from server.db.diskfull import storage_full
from server.db.session_scope import transaction
from server.errors import LivecueError, NotFound
from server.models import Event
from server.platforms.base import IncomingMessage
from server.questions.ingest import ingest

log = logging.getLogger("livecue.intake")
MAX_BATCH = 64  # per transaction: amortises the commit; triage of a batch holds the event loop (~0.3 ms a question)
LINGER_TURNS = 16  # at most, turns of the event loop the writer yields for more questions before a batch
QUIET_TURNS = 3  # ... and it stops after this many turns in a row that brought none
FORM_STATES = ("live", "held", "rehearsal")
NOT_LIVE = "no live event with that name"
_EVENTS = select(Event).where(Event.slug.in_(bindparam("slugs", expanding=True)))  # built once, compiled once


class NotStored(LivecueError):
    """The batch holding this question could not be committed: nothing of it was stored (503)."""

    status_code = 503


def _failure(exc: Exception, full: bool) -> Exception:
    """What each waiting request raises, one instance each: a full disk as ENOSPC, so the app's handler answers
    the usual 503 and logs its one "storage full" line per refused request, as for any other write."""
    if not full:
        return NotStored("the question was not stored (the database refused the write); please send it again")
    error = OSError(errno.ENOSPC, "the disk is full: the batch holding this question was not stored")
    error.__cause__ = exc
    return error


@dataclass
class _Waiting:
    slug: str
    message: IncomingMessage
    answer: asyncio.Future[None]


class FormIntake:
    """Queue of form questions and the one task that commits them in batches (started on first use)."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], *, storage_dir: Path | None = None,
                 max_batch: int = MAX_BATCH) -> None:
        self.sessionmaker = sessionmaker
        self.storage_dir = storage_dir
        self.max_batch = max_batch
        self.batches = 0  # committed transactions (tests read it to see that questions were grouped)
        self._waiting: list[_Waiting] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    @classmethod
    def for_settings(cls, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> FormIntake:
        """The app's intake; on SQLite it knows the database's directory (a full disk is told apart)."""
        url = settings.resolved_database_url()
        path = url.split(":///", 1)[1].split("?", 1)[0] if settings.is_sqlite and ":///" in url else ""
        return cls(sessionmaker, storage_dir=Path(path).parent if path and path != ":memory:" else None)

    async def submit(self, slug: str, message: IncomingMessage) -> None:
        """Store `message` for the event `slug`; return once it is committed.

        Raises NotFound when no event of that name takes questions now, NotStored (or OSError ENOSPC, the
        disk full) when the batch could not be committed (then nothing of it was stored).
        """
        if self._closed:
            raise NotStored("the server is shutting down: the question was not stored; please send it again")
        answer: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(_Waiting(slug, message, answer))
        self._wake.set()
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="form-intake")
        await answer

    async def stop(self, timeout: float = 5.0) -> None:
        """Refuse new questions, commit those already waiting, then end the writer."""
        self._closed = True
        self._wake.set()
        task = self._task
        if task is not None and not task.done():
            try:
                await asyncio.wait_for(task, timeout)
            except TimeoutError:
                log.error("form intake did not finish within %.0f s; waiting questions fail", timeout)
        self._fail(self._waiting, "the server is shutting down: the question was not stored")
        self._waiting = []

    async def _run(self) -> None:
        while True:
            if not self._waiting:
                if self._closed:
                    return
                self._wake.clear()
                await self._wake.wait()
                continue
            await self._gather()
            batch, self._waiting = self._waiting[: self.max_batch], self._waiting[self.max_batch:]
            try:
                await self._commit(batch)
            except BaseException as exc:  # cancelled mid-commit: whoever waits learns it was not stored
                self._fail(batch, "the server stopped before the question was stored")
                if not isinstance(exc, Exception):
                    raise

    async def _gather(self) -> None:
        """Let questions already on their way join the batch: yield to the event loop while the queue grows.

        Turns of the loop, not a timer: each turn reads what the sockets hold and runs the requests' code up to
        `submit`. Without it, at 16 connections a batch took whatever had arrived when the writer woke: about 8
        questions on average, two half-batches alternating, each paying the whole per-batch cost (issue 19)."""
        quiet = 0
        for _ in range(LINGER_TURNS):
            if self._closed or len(self._waiting) >= self.max_batch or quiet >= QUIET_TURNS:
                return
            before = len(self._waiting)
            await asyncio.sleep(0)
            quiet = quiet + 1 if len(self._waiting) == before else 0

    async def _commit(self, batch: list[_Waiting]) -> None:
        try:
            refused = await self._store(batch)
        except Exception as exc:
            full = storage_full(exc, self.storage_dir)
            log.error("a batch of %d form questions was not stored (%s: %s)", len(batch), type(exc).__name__,
                      str(exc).splitlines()[0] if str(exc) else "")
            for waiting in batch:
                if not waiting.answer.done():
                    waiting.answer.set_exception(_failure(exc, full))
            return
        self.batches += 1
        for index, waiting in enumerate(batch):
            if not waiting.answer.done():
                if index in refused:
                    waiting.answer.set_exception(NotFound(NOT_LIVE))
                else:
                    waiting.answer.set_result(None)

    async def _store(self, batch: list[_Waiting]) -> set[int]:
        """Commit the batch in one transaction; the indexes of questions for events that take none."""
        refused: set[int] = set()
        async with transaction(self.sessionmaker) as session:
            slugs = sorted({w.slug for w in batch})
            events = {event.slug: event for event in (await session.execute(_EVENTS, {"slugs": slugs})).scalars()}
            per_event: dict[str, list[IncomingMessage]] = defaultdict(list)
            for index, waiting in enumerate(batch):
                event = events.get(waiting.slug)
                if event is None or event.status not in FORM_STATES:
                    refused.add(index)
                else:
                    per_event[waiting.slug].append(waiting.message)
            for slug, messages in per_event.items():
                event = events[slug]
                await ingest(session, event=event, messages=messages, rehearsal=event.status == "rehearsal")
        return refused

    @staticmethod
    def _fail(waiting: list[_Waiting], detail: str) -> None:
        for item in waiting:
            if not item.answer.done():
                item.answer.set_exception(NotStored(detail))
