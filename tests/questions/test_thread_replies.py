"""Replies read from the event's threads beside the notification cursor, and which event keeps which message.

The real-platform side (six replies a second after a new Bluesky post; a mention in a stranger's thread) is in
tests/platforms/test_bluesky_audience.py; here a scripted adapter shows the poller's part.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from server.clock import FakeClock
from server.models import Delivery, IngestCursor, Message
from server.platforms.base import IncomingMessage, IncomingPage, RemoteRef
from server.platforms.errors import RetryLater
from server.questions.poller import Poller
from server.questions.threads import ThreadReading
from tests.livekit import LiveKit, prepare
from tests.questions.qakit import incoming, qa_kit, root_post


@dataclass
class ThreadedPlatform:
    """Scripted notifications (the same page on every fetch, like an overlap window) and thread replies."""

    notified: list[IncomingMessage]
    in_threads: list[IncomingMessage] = field(default_factory=list)
    thread_error: BaseException | None = None
    fetches: int = 0
    thread_reads: list[list[str]] = field(default_factory=list)

    async def fetch_incoming(self, cursor: str | None) -> IncomingPage:
        """Every notification, every time (ingest keeps each once)."""
        self.fetches += 1
        return IncomingPage(messages=self.notified, cursor="n1")

    async def fetch_thread_replies(self, roots: Sequence[RemoteRef]) -> list[IncomingMessage]:
        """The scripted thread replies; records which posts were asked about."""
        self.thread_reads.append([r.remote_id for r in roots])
        if self.thread_error is not None:
            raise self.thread_error
        return self.in_threads


def rooted(external_id: str, text: str, root: str, *, handle: str = "reader") -> IncomingMessage:
    """A message that names its thread's root, as Bluesky and X messages do."""
    message = incoming(external_id, text, handle=handle)
    return IncomingMessage(**{**message.__dict__, "root_ref": RemoteRef(remote_id=root)})


async def stored(sessionmaker: Any, event_id: int) -> list[str]:
    """External ids stored for an event, in order."""
    async with sessionmaker() as session:
        query = select(Message.external_id).where(Message.event_id == event_id).order_by(Message.id)
        return list((await session.execute(query)).scalars())


async def test_thread_replies_are_read_beside_the_cursor_every_few_seconds_and_kept_once(
        client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    root = str((await root_post(kit)).id)
    platform = ThreadedPlatform(
        notified=[rooted("r1", "How long does the operation take?", root)],
        in_threads=[rooted(f"r{n}", f"Question {n}: is the patient asleep the whole time?", root)
                    for n in (1, 2, 3)])
    kit.state.registry.overrides[("sandbox", "hospital")] = platform
    seconds = [100.0]
    poller = Poller(sessionmaker, kit.state.registry, now=lambda: seconds[0])

    first = await poller.tick()
    assert len(first.stored) == 3 and first.duplicates == 1  # r1 came both ways: stored once
    assert platform.thread_reads == [[root]]  # the event's one thread post
    assert await stored(sessionmaker, kit.event["id"]) == ["r1", "r2", "r3"]
    async with sessionmaker() as session:
        cursor = (await session.execute(select(IngestCursor.cursor))).scalar_one()
    assert cursor == "n1"  # thread reading never moves the notification cursor

    seconds[0] += poller.threads.every - 1
    await poller.tick()
    assert len(platform.thread_reads) == 1  # not due yet: notifications only
    seconds[0] += 1
    again = await poller.tick()
    assert len(platform.thread_reads) == 2 and again.stored == []
    assert await stored(sessionmaker, kit.event["id"]) == ["r1", "r2", "r3"]


async def test_a_rate_limited_thread_read_pauses_the_account(
        client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    platform = ThreadedPlatform(notified=[], thread_error=RetryLater("429 Too Many Requests", retry_after=60))
    kit.state.registry.overrides[("sandbox", "hospital")] = platform
    seconds = [100.0]
    poller = Poller(sessionmaker, kit.state.registry, now=lambda: seconds[0])
    await poller.tick()
    seconds[0] += 30
    await poller.tick()
    assert (platform.fetches, len(platform.thread_reads)) == (1, 1)  # nothing asked before the reset
    seconds[0] += 31
    platform.thread_error = None
    await poller.tick()
    assert (platform.fetches, len(platform.thread_reads)) == (2, 2)


async def test_mentions_anywhere_are_kept_and_replies_in_another_events_thread_are_not(
        client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any) -> None:
    kits: list[LiveKit] = []
    for cue in ("a", "b"):  # two events served by the same sandbox account
        kit = await prepare(client, app, clock, sessionmaker, offsets=[None], cues=[cue], holding=False)
        await kit.post(f"/api/events/{kit.event['id']}/live/go")
        await kit.post(f"/api/items/{kit.items[0]['id']}/post-now")
        await kit.pump()
        kits.append(kit)
    first_root, second_root = (str(p.id) for p in await kits[0].sandbox_posts())
    platform = ThreadedPlatform(notified=[
        rooted("in-first", "How long does it take?", first_root),
        rooted("in-second", "Who is the surgeon?", second_root),
        rooted("elsewhere", "@hospital what does the heart-lung machine do?", "stranger-root", handle="third"),
        incoming("plain", "@hospital is the stream recorded?"),
    ])
    kits[0].state.registry.overrides[("sandbox", "hospital")] = platform
    poller = Poller(sessionmaker, kits[0].state.registry)
    await poller.tick()
    assert await stored(sessionmaker, kits[0].event["id"]) == ["in-first", "elsewhere", "plain"]
    assert await stored(sessionmaker, kits[1].event["id"]) == ["in-second", "elsewhere", "plain"]
    assert poller.ownership.owners[("sandbox", second_root)] == kits[1].event["id"]
    await poller.tick()  # the same window again: nothing new, nothing moved
    assert await stored(sessionmaker, kits[0].event["id"]) == ["in-first", "elsewhere", "plain"]


async def test_the_newest_thread_posts_are_read_and_the_older_ones_in_turn(
        client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any) -> None:
    kit = await prepare(client, app, clock, sessionmaker, offsets=[None] * 6, cues=[f"c{n}" for n in range(6)],
                        holding=False)
    await kit.post(f"/api/events/{kit.event['id']}/live/go")
    for item in kit.items:
        await kit.post(f"/api/items/{item['id']}/post-now")
        await kit.pump()
    async with sessionmaker() as session:
        posted = list((await session.execute(select(Delivery.remote).where(Delivery.status == "posted")
                                             .order_by(Delivery.thread_seq))).scalars())
    ids = [str(remote["remote_id"]) for remote in posted]
    assert len(ids) == 6
    reading = ThreadReading(now=lambda: 0.0, newest=3, older=1)
    key = (kit.event["id"], "sandbox", "hospital")
    picks = []
    for _ in range(4):
        async with sessionmaker() as session:
            picks.append([ref.remote_id for ref in await reading.posts(session, key, rehearsal=False)])
    newest = ids[:2:-1]
    assert picks == [[*newest, ids[2]], [*newest, ids[1]], [*newest, ids[0]], [*newest, ids[2]]]
