"""The real-time feed: the journal streamed to consoles and tablets, resumable by sequence number."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.journal import service as journal
from server.journal.schemas import JournalRead
from server.models import JournalEntry, User

log = logging.getLogger("livecue.feed")
QUEUE_LIMIT = 2000
STAFF_ONLY_PREFIXES = ("auth.", "user.", "denylist.", "credentials.")


def visible_to(entry: JournalEntry, user: User) -> bool:
    """What a user's roles may see: admins all; comms every event entry; clinical no account entries."""
    if user.has_role("admin"):
        return True
    if entry.event_id is None:
        return False
    if user.has_role("comms"):
        return True
    return not entry.kind.startswith(STAFF_ONLY_PREFIXES)


def encode(entry: JournalEntry) -> str:
    """The JSON frame of one entry."""
    return json.dumps({"type": "entry", "entry": JournalRead.model_validate(entry).model_dump(mode="json")})


@dataclass(eq=False)
class Subscriber:
    """One connected client: its filter and a bounded queue (overflow means disconnect)."""

    user: User
    event_id: int | None
    queue: asyncio.Queue[JournalEntry | None] = field(default_factory=lambda: asyncio.Queue(QUEUE_LIMIT))
    overflowed: bool = False

    def wants(self, entry: JournalEntry) -> bool:
        """Whether this entry goes to this client."""
        if self.event_id is not None and entry.event_id not in (self.event_id, None):
            return False
        return visible_to(entry, self.user)


class FeedHub:
    """Polls the journal (so entries written by any process are seen) and fans them out."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], poll_seconds: float = 0.2) -> None:
        self.sessionmaker = sessionmaker
        self.poll_seconds = poll_seconds
        self.subscribers: set[Subscriber] = set()
        self.last_seq = 0
        self.poke = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Begin polling from the current end of the journal."""
        async with self.sessionmaker() as session:
            self.last_seq = await journal.last_seq(session)
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Stop polling and release every client."""
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for sub in list(self.subscribers):
            self._drop(sub)

    def subscribe(self, user: User, event_id: int | None) -> Subscriber:
        """Register a client; entries after `self.last_seq` will be queued for it."""
        sub = Subscriber(user=user, event_id=event_id)
        self.subscribers.add(sub)
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        """Forget a client."""
        self.subscribers.discard(sub)

    async def _run(self) -> None:
        while True:
            try:
                await self.pump()
            except Exception:
                log.exception("feed poll failed")
            self.poke.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.poke.wait(), timeout=self.poll_seconds)

    async def pump(self) -> int:
        """Read new journal entries and queue them to interested clients."""
        async with self.sessionmaker() as session:
            entries = await journal.entries_after(session, after=self.last_seq, limit=1000)
        for entry in entries:
            for sub in list(self.subscribers):
                if sub.wants(entry):
                    try:
                        sub.queue.put_nowait(entry)
                    except asyncio.QueueFull:
                        self._drop(sub)
            self.last_seq = entry.seq
        return len(entries)

    def _drop(self, sub: Subscriber) -> None:
        sub.overflowed = True
        self.subscribers.discard(sub)
        with contextlib.suppress(asyncio.QueueFull):
            sub.queue.put_nowait(None)
