"""One reader per process for every public page, feeding in-memory Server-Sent Events subscribers.

A viral page must not cost a database query per visitor. The hub keeps each public event's page (`Channel`)
in memory: the page, its HTML and JSON encodings with their ETags, the files it may serve. One task reads the
journal for the kinds that change a page (`service.PAGE_KINDS`), woken as the console feed's reader is
(server/journal/tail.py: this process's commits, other replicas' NOTIFYs, polling as the fallback); for each
event concerned it rebuilds that event's page once and sends the posts that are new or changed to every
subscriber as pre-encoded frames.
Requests for the page, a conditional GET or a resume after `Last-Event-ID` are answered from memory.

Each subscriber has a bounded queue: a client that stops reading is dropped (its stream ends) and its browser
comes back with `Last-Event-ID`, so a slow phone never holds frames for everybody. Connections are capped
(`LIVECUE_LIVE_SSE_MAX_CLIENTS`); beyond it the router answers 503 with Retry-After.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections import OrderedDict
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.journal import service as journal
from server.journal.tail import JournalTail
from server.livepage import render, service
from server.livepage.schemas import PublicPage, PublicPost
from server.models import Event, JournalEntry

log = logging.getLogger("livecue.livepage")
POLL_SECONDS = 0.5  # the fallback: this process's commits and other replicas' NOTIFYs wake the reader at once
MAX_CHANNELS = 256  # pages kept in memory (least recently asked for is forgotten first)
READ_BATCH = 500
CACHE_CONTROL = "public, max-age=5, stale-while-revalidate=10"  # short: a new post shows within seconds via a CDN
RECAP_REFRESH_SECONDS = 60.0  # an ended page's recap figures (followers, likes) change without journal entries


def sse_frame(kind: str, data: str, seq: int | None = None) -> bytes:
    """One Server-Sent Events message (`data` is one line of JSON, so it never holds a newline)."""
    head = f"id: {seq}\n" if seq is not None else ""
    return f"{head}event: {kind}\ndata: {data}\n\n".encode()


def post_frame(post: PublicPost) -> bytes:
    """The frame announcing a new or changed post (id = its journal sequence)."""
    return sse_frame("post", post.model_dump_json(), post.seq)


def status_frame(page: PublicPage, seq: int | None = None) -> bytes:
    """The frame saying whether the event is live or ended."""
    return sse_frame("status", json.dumps({"status": page.status, "seq": page.seq}), seq)


def etag_of(body: bytes) -> str:
    """A strong validator of a body."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an If-None-Match header names this ETag (weak comparison, as RFC 9110 asks for GET)."""
    if not if_none_match:
        return False
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return etag in tags or "*" in tags


@dataclass(eq=False)
class Client:
    """One Server-Sent Events connection: frames wait in a bounded queue; None ends the stream."""

    queue: asyncio.Queue[bytes | None]
    dropped: bool = False


def end_stream(client: Client) -> None:
    """End a client's stream at its next read, whatever is still queued (it resumes with Last-Event-ID)."""
    while True:
        try:
            client.queue.get_nowait()
        except asyncio.QueueEmpty:
            break
    client.queue.put_nowait(None)


@dataclass
class Channel:
    """A public event's page in memory, and the clients following it."""

    slug: str
    event_id: int
    page: PublicPage
    html: bytes = b""
    html_etag: str = ""
    json: bytes = b""
    json_etag: str = ""
    media: dict[str, str] = field(default_factory=dict)  # sha256 -> media type, of files on the page
    built_at: float = 0.0  # event-loop time of the last rebuild
    clients: set[Client] = field(default_factory=set)

    def set_page(self, page: PublicPage) -> None:
        """Adopt a rebuilt page and encode it once for every request that follows."""
        self.page = page
        self.built_at = asyncio.get_running_loop().time()
        self.html = render.page_html(page).encode()
        self.html_etag = etag_of(self.html)
        self.json = page.model_dump_json().encode()
        self.json_etag = etag_of(self.json)
        self.media = {m.url.rsplit("/", 1)[-1]: m.mime_type for p in page.posts for m in p.media}

    def backlog(self, after: int) -> list[bytes]:
        """What a client that saw everything up to `after` is missing: the status, then newer posts in order."""
        frames = [status_frame(self.page)]
        newer = sorted((p for p in self.page.posts if p.seq > after), key=lambda p: p.seq)
        frames.extend(post_frame(p) for p in newer)
        return frames


class LivePageHub(JournalTail):
    """Public pages in memory, kept current by one journal reader (`JournalTail`), fanned out to SSE clients."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], *, max_clients: int, queue_size: int,
                 poll_seconds: float = POLL_SECONDS) -> None:
        super().__init__(sessionmaker, poll_seconds=poll_seconds, batch=READ_BATCH, log=log,
                         what="public live page")
        self.max_clients = max_clients
        self.queue_size = queue_size
        self.channels: OrderedDict[str, Channel] = OrderedDict()
        self.client_count = 0
        self._lock = asyncio.Lock()
        self._pumping = asyncio.Lock()  # one pump at a time: a pump returns only once the pages show what it read

    def wakes_on(self, entry: JournalEntry) -> bool:
        """Only commits of entries that change a page wake the reader."""
        return entry.kind in service.PAGE_KINDS

    async def stop(self) -> None:
        """Stop reading and end every stream (browsers reconnect to another server with Last-Event-ID)."""
        await self.stop_reading()
        for channel in self.channels.values():
            for client in list(channel.clients):
                end_stream(client)

    def cached(self, slug: str) -> Channel | None:
        """The page in memory when it needs no refresh (the 304 fast path); None sends the request the long way."""
        found = self.channels.get(slug)
        if found is None or (found.page.status == "ended"
                             and asyncio.get_running_loop().time() - found.built_at > RECAP_REFRESH_SECONDS):
            return None
        return found

    async def channel(self, slug: str) -> Channel | None:
        """The page of a public event, from memory when it is there; None for unknown, draft or rehearsal."""
        found = self.channels.get(slug)
        if found is not None:
            self.channels.move_to_end(slug)
            now = asyncio.get_running_loop().time()
            if found.page.status == "ended" and now - found.built_at > RECAP_REFRESH_SECONDS:
                found.built_at = now  # one request refreshes; the others meanwhile get the page as it is
                await self.refresh(found)
            return found
        async with self._lock:
            found = self.channels.get(slug)
            if found is not None:
                return found
            async with self.sessionmaker() as session:
                event = await service.public_event(session, slug)
                if event is None:
                    return None
                found = Channel(slug=slug, event_id=event.id, page=await service.page(session, event))
            found.set_page(found.page)
            self.channels[slug] = found
            self._forget_old()
            return found

    def _forget_old(self) -> None:
        while len(self.channels) > MAX_CHANNELS:
            for slug, channel in self.channels.items():
                if not channel.clients:
                    del self.channels[slug]
                    break
            else:
                return

    def subscribe(self, channel: Channel, after: int) -> Client | None:
        """A new client, its backlog already queued; None when the server has as many clients as allowed.

        The backlog is taken from the channel in the same step as the subscription (no await between), so
        every later change reaches the queue and nothing comes twice.
        """
        if self.client_count >= self.max_clients:
            return None
        frames = channel.backlog(after)
        client = Client(queue=asyncio.Queue(maxsize=max(self.queue_size, len(frames) + 1)))
        for frame in frames:
            client.queue.put_nowait(frame)
        channel.clients.add(client)
        self.client_count += 1
        return client

    def unsubscribe(self, channel: Channel, client: Client) -> None:
        """Forget a client (its stream has ended)."""
        if client in channel.clients:
            channel.clients.discard(client)
            self.client_count -= 1

    def _offer(self, channel: Channel, frame: bytes) -> None:
        for client in list(channel.clients):
            try:
                client.queue.put_nowait(frame)
            except asyncio.QueueFull:
                client.dropped = True  # too slow: its stream ends and the browser resumes with Last-Event-ID
                self.unsubscribe(channel, client)
                end_stream(client)

    async def pump(self) -> int:
        """Read new page-changing journal entries; rebuild each concerned page once and send what changed.

        Pumps run one at a time: a second pump that found nothing new (the first had already moved `last_seq`)
        would otherwise return while the first was still rebuilding, and a request right after got the old page.
        """
        async with self._pumping:
            async with self.sessionmaker() as session:
                entries = await journal.entries_after(session, after=self.last_seq, limit=READ_BATCH,
                                                      kinds=service.PAGE_KINDS)
            if entries:
                self.last_seq = entries[-1].seq
            touched = {e.event_id for e in entries if e.event_id is not None}
            for channel in [c for c in self.channels.values() if c.event_id in touched]:
                await self.refresh(channel)
            return len(entries)

    async def refresh(self, channel: Channel) -> None:
        """Rebuild one page; send new or changed posts (in sequence order) and a status change to its clients."""
        async with self._lock:
            async with self.sessionmaker() as session:
                event = await session.get(Event, channel.event_id)
                page = await service.page(session, event) if event and service.public_status(event) else None
            if page is None or event is None or event.slug != channel.slug:  # no longer public under this name
                self.channels.pop(channel.slug, None)
                for client in list(channel.clients):
                    self.unsubscribe(channel, client)
                    end_stream(client)
                return
            before = {p.id: p for p in channel.page.posts}
            old_status = channel.page.status
            channel.set_page(page)
            changed = sorted((p for p in page.posts if before.get(p.id) != p), key=lambda p: p.seq)
            for post in changed:
                self._offer(channel, post_frame(post))
            if page.status != old_status:
                self._offer(channel, status_frame(page, page.seq))
