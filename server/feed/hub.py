"""The real-time feed: the journal streamed to consoles and tablets, resumable by sequence number.

One hub per process reads new journal entries in sequence order and queues them to each connected client
(`Subscriber`). How it follows the journal is server/journal/tail.py's `JournalTail`: woken right after any
commit in this process that wrote a journal entry; on PostgreSQL it then announces the new sequence to the other
replicas (`announce`: NOTIFY, server/db/notify.py), whose hubs wake on it (`remote_commit`); polling as the
fallback (SQLite, a lost notification). Sequence numbers become visible
in order (see `server.journal.service._next_seq`), so "everything after N" is always well defined.

A client whose handler is idle (caught up, nothing queued or in hand) and whose socket can take more gets live
entries written by the hub itself, through the server's `send_now` (server/feed/wsserver.py), one pre-framed
message per entry for all of them: no task wakes per delivery. Everyone else gets them through the queue, in
order, so a slow client still fills only its own queue and is dropped without delaying the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import json
import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.feed.wsserver import SendNow, wire_text
from server.journal import service as journal
from server.journal.schemas import JournalRead
from server.journal.tail import JournalTail
from server.journal.visibility import visible, visible_by_roles
from server.models import JournalEntry, User

log = logging.getLogger("livecue.feed")
QUEUE_LIMIT = 2000  # entries waiting for one client; more means it is too slow and is disconnected
POLL_SECONDS = 0.2  # fallback for entries written by other processes; this process's commits wake the hub
PUMP_BATCH = 1000
FRAME_CACHE = 4096  # recently encoded frames, reused by reconnecting clients' backlogs


class Signal(enum.Enum):
    """Control messages queued to a client's handler alongside entries."""

    DROP = "drop"  # too slow: close so it resumes from its last sequence
    RECHECK = "recheck"  # the user's sessions or account changed: check the login again
    GONE = "gone"  # the client disconnected
    BEAT = "beat"  # nothing was sent for a while: send a heartbeat
    STOP = "stop"  # the server is shutting down


@dataclass(frozen=True, slots=True)
class Frame:
    """One entry, encoded once for every client that receives it."""

    seq: int
    text: str
    data: bytes = b""  # `text` in UTF-8, for `send_now`
    wire: bytes = b""  # `data` framed as one uncompressed server message, the same bytes for every client

    @classmethod
    def of(cls, seq: int, text: str) -> Frame:
        """A frame with its bytes encoded once, for every client it is written to directly."""
        data = text.encode()
        return cls(seq, text, data, wire_text(data))


QueueItem = Frame | Signal


def visible_to(entry: JournalEntry, user: User) -> bool:
    """What a user's roles may see (the journal's one rule, server/journal/visibility.py)."""
    return visible(entry, user)


def encode(entry: JournalEntry) -> str:
    """The JSON frame of one entry."""
    return json.dumps({"type": "entry", "entry": JournalRead.model_validate(entry).model_dump(mode="json")})


def _affects_login(entry: JournalEntry) -> bool:
    return entry.subject_type == "user" and (entry.kind == "auth.logout" or entry.kind.startswith("user."))


def _current_task() -> asyncio.Task[Any] | None:
    with contextlib.suppress(RuntimeError):
        return asyncio.current_task()
    return None


@dataclass(eq=False)
class Subscriber:
    """One connected client: its filter, its queue and the task serving it."""

    user: User
    event_id: int | None
    queue: asyncio.Queue[QueueItem] = field(default_factory=asyncio.Queue)
    task: asyncio.Task[Any] | None = field(default_factory=_current_task)
    sending: bool = False  # the handler is inside a send to the socket (the only place it may be stuck)
    overflowed: bool = False
    kicked: bool = False  # the hub cancelled a stuck send
    last_sent: float = 0.0  # loop time of the last frame sent (heartbeats fill silences)
    send_now: SendNow | None = None  # the server's synchronous writer, when it offers one
    idle: bool = False  # caught up, queue empty, nothing in hand: the hub may write entries directly
    sent: int = 0  # the last sequence sent to the client (backlog, queue or direct)
    expires: float = float("inf")  # loop time at which the login expires (the handler then closes)
    _admin: bool = field(init=False, default=False)
    _comms: bool = field(init=False, default=False)
    view: tuple[int | None, bool, bool] = field(init=False, default=(None, False, False))  # who sees what

    def __post_init__(self) -> None:
        self.relogin(self.user)

    def relogin(self, user: User) -> None:
        """Follow the user's current roles (after their account or sessions changed)."""
        self.user, self._admin, self._comms = user, user.has_role("admin"), user.has_role("comms")
        self.view = (self.event_id, self._admin, self._comms)  # clients with the same view want the same entries

    def wants(self, entry: JournalEntry) -> bool:
        """Whether this entry goes to this client: the one filter for backlog and live entries alike."""
        if self.event_id is not None and entry.event_id != self.event_id:
            return False
        return visible_by_roles(entry, admin=self._admin, comms=self._comms)

    def put(self, item: QueueItem) -> None:
        """Queue an item for the handler; from now on entries queue behind it (order is kept)."""
        self.idle = False
        self.queue.put_nowait(item)

    def write_now(self, frame: Frame, now: float) -> bool:
        """Write a live entry straight to the socket when the handler is idle and the socket can take it."""
        if not self.idle or self.send_now is None or now >= self.expires:
            return False
        if frame.seq <= self.sent:
            return True  # already sent with the backlog
        if not self.send_now(frame.data, frame.wire):
            return False
        self.sent, self.last_sent = frame.seq, now
        return True

    def interrupt(self, signal: Signal, *, kick: bool = False) -> None:
        """Replace whatever is queued by `signal`; with `kick`, also cancel a send stuck on a full socket."""
        while True:
            try:
                self.queue.get_nowait()
            except asyncio.QueueEmpty:
                break
        self.put(signal)
        if kick and self.sending and self.task is not None and not self.task.done():
            self.kicked = True
            self.task.cancel()


class FeedHub(JournalTail):
    """Reads new journal entries (from any process) and fans them out to subscribers."""

    keeps_committed = True

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], poll_seconds: float = POLL_SECONDS) -> None:
        super().__init__(sessionmaker, poll_seconds=poll_seconds, batch=PUMP_BATCH, log=log, what="live feed")
        self.subscribers: set[Subscriber] = set()
        self.frames: OrderedDict[int, str] = OrderedDict()
        self._lock = asyncio.Lock()
        self.dropped = 0  # clients dropped as too slow (the feed-drops counter of /metrics)

    async def stop(self) -> None:
        """Stop reading and tell every client the server is going away."""
        await self.stop_reading()
        for sub in list(self.subscribers):
            self.subscribers.discard(sub)
            sub.interrupt(Signal.STOP)

    def subscribe(self, user: User, event_id: int | None) -> Subscriber:
        """Register the calling task's client: every entry it wants from the next fan-out on is queued.

        Subscribe *before* reading the backlog: entries the hub has already fanned out are committed, so the
        backlog read afterwards contains them, and later ones arrive in the queue (drop seq <= last sent).
        """
        sub = Subscriber(user=user, event_id=event_id)
        self.subscribers.add(sub)
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        """Forget a client."""
        self.subscribers.discard(sub)

    def frame(self, entry: JournalEntry) -> str:
        """The encoded frame of an entry, from the cache when it was fanned out or sent recently."""
        text = self.frames.get(entry.seq)
        if text is None:
            text = encode(entry)
            self.frames[entry.seq] = text
            if len(self.frames) > FRAME_CACHE:
                self.frames.popitem(last=False)
        return text

    async def pump(self) -> int:
        """Read new journal entries and queue them to interested clients."""
        async with self._lock:
            entries = self.committed_next()  # this process's commits are not read back (journal/tail.py)
            if entries is None:
                async with self.sessionmaker() as session:
                    entries = await journal.entries_after(session, after=self.last_seq, limit=PUMP_BATCH)
            for entry in entries:
                self._fan_out(entry)
                self.last_seq = entry.seq
            return len(entries)

    def _fan_out(self, entry: JournalEntry) -> None:
        relogin = _affects_login(entry)
        frame: Frame | None = None
        now = self._loop.time() if self._loop is not None else 0.0
        wanted: dict[tuple[int | None, bool, bool], bool] = {}  # the filter runs once per view, not per client
        for sub in list(self.subscribers):
            if relogin and sub.user.id == entry.subject_id:
                self._offer(sub, Signal.RECHECK)
                if sub not in self.subscribers:
                    continue
            want = wanted.get(sub.view)
            if want is None:
                want = wanted[sub.view] = sub.wants(entry)
            if want:
                if frame is None:
                    frame = Frame.of(entry.seq, self.frame(entry))
                if not sub.write_now(frame, now):
                    self._offer(sub, frame)

    def _offer(self, sub: Subscriber, item: QueueItem) -> None:
        if sub.queue.qsize() >= QUEUE_LIMIT:
            self.drop(sub)
        else:
            sub.put(item)

    def drop(self, sub: Subscriber) -> None:
        """Disconnect a client that cannot keep up (it resumes from its last sequence on reconnect)."""
        self.subscribers.discard(sub)
        self.dropped += 1
        sub.overflowed = True
        sub.interrupt(Signal.DROP, kick=True)
