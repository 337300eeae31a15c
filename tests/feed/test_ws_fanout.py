"""Fan-out over a real server: role filtering, slow clients, heartbeats, emergency alerts to every screen."""

from __future__ import annotations

import asyncio
import socket
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from server.clock import FakeClock
from server.db.session_scope import transaction
from server.feed import hub as feed_module
from server.feed import router as ws_module
from server.feed.hub import Subscriber
from server.journal import service as journal
from server.models import Event
from server.platforms.base import IncomingMessage
from server.questions.ingest import ingest
from tests.factories import create_event, create_item, create_user, login
from tests.feed.test_ws_feed import WAIT, Feed, event_seqs, serve, token_of
from tests.livekit import prepare

STAFF_ONLY = ("auth.", "user.", "denylist.", "credentials.")


async def _note(sessionmaker: Any, kind: str, event_id: int | None, **payload: Any) -> None:
    async with transaction(sessionmaker) as session:
        await journal.record(session, actor=None, kind=kind, subject_type="test", event_id=event_id,
                             payload=payload)


async def test_role_and_event_filtering(app: FastAPI, sessionmaker: Any) -> None:
    async with serve(app) as base, AsyncClient(base_url=f"http://{base}", trust_env=False) as http:
        comms = await login(http, await create_user(sessionmaker, "comms"))
        clinical = await login(http, await create_user(sessionmaker, "clinical"))
        admin = await login(http, await create_user(sessionmaker, "admin"))
        first = await create_event(http, comms)
        second = await create_event(http, comms)
        feeds = {
            "clinical": await Feed.open(base, token=token_of(clinical)),
            "comms": await Feed.open(base, token=token_of(comms)),
            "admin": await Feed.open(base, token=token_of(admin)),
            "clinical@second": await Feed.open(base, token=token_of(clinical), event_id=second["id"]),
            "admin@second": await Feed.open(base, token=token_of(admin), event_id=second["id"]),
        }
        backlogs = {name: await feed.caught_up() for name, feed in feeds.items()}

        # Live: account entries (no event), staff-only entries of an event, and ordinary event entries.
        await login(http, await create_user(sessionmaker, "clinical"))  # user.created, auth.login
        await _note(sessionmaker, "credentials.checked", first["id"])
        await _note(sessionmaker, "denylist.replaced", second["id"])
        await create_item(http, comms, first["id"])
        await create_item(http, comms, second["id"], key="second-item")
        await _note(sessionmaker, "note.last", second["id"])
        async with sessionmaker() as session:
            head = await journal.last_seq(session)
        for name, feed in feeds.items():
            await feed.kinds_until("note.last")
            live = feed.entries[len(backlogs[name]):]
            kinds = [e["kind"] for e in live]
            if name.startswith("clinical"):
                assert not [k for k in kinds if k.startswith(STAFF_ONLY)], name
                assert "item.created" in kinds
            if name.endswith("@second"):
                assert {e["event_id"] for e in feed.entries} == {second["id"]}, name
            if name.startswith("admin"):
                assert ("denylist.replaced" in kinds) and (("auth.login" in kinds) != name.endswith("@second"))
        comms_kinds = [e["kind"] for e in feeds["comms"].entries]
        assert "credentials.checked" in comms_kinds and "denylist.replaced" in comms_kinds
        assert all(e["event_id"] is not None for e in feeds["comms"].entries)
        assert feeds["admin"].last_seq == head and feeds["admin"].seqs == list(range(1, head + 1))
        assert feeds["admin@second"].seqs == await event_seqs(sessionmaker, second["id"])
        for feed in feeds.values():
            await feed.close()


def _stalled_socket(base: str) -> socket.socket:
    """A connected socket with a tiny receive buffer, for a client that never reads."""
    host, port = base.split(":")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((host, int(port)))
    return sock


async def test_slow_client_is_dropped_without_delaying_others(app: FastAPI, sessionmaker: Any,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feed_module, "QUEUE_LIMIT", 16)
    # The close frame waits until the client reads again, here for up to an hour: the fast client gets its entries
    # long before that, so it does not wait behind the stalled one.
    monkeypatch.setattr(ws_module, "CLOSE_SECONDS", 3600.0)
    hub = app.state.livecue.feed
    dropped: list[Subscriber] = []
    drop = hub.drop

    def record_drop(sub: Subscriber) -> None:
        dropped.append(sub)
        drop(sub)

    monkeypatch.setattr(hub, "drop", record_drop)
    async with serve(app, sndbuf=16384) as base, AsyncClient(base_url=f"http://{base}", trust_env=False) as http:
        token = token_of(await login(http, await create_user(sessionmaker, "admin")))
        fast = await Feed.open(base, token=token)
        slow = await Feed.open(base, token=token, sock=_stalled_socket(base), max_queue=1)
        await fast.caught_up()
        await slow.caught_up()
        assert len(hub.subscribers) == 2

        reader = asyncio.create_task(fast.kinds_until("note.done"))
        blob = "x" * 20_000
        for index in range(100):
            await _note(sessionmaker, "note.bulk", None, index=index, blob=blob)
            await asyncio.sleep(0.005)  # a steady stream (a burst bigger than the queue would drop anyone)
        await _note(sessionmaker, "note.done", None)
        async with asyncio.timeout(WAIT):
            await reader  # long before the stalled client's close could end
        head = fast.last_seq
        async with asyncio.timeout(WAIT):
            while len(hub.subscribers) != 1:
                await asyncio.sleep(0.02)
        assert slow.last_seq < head
        assert len(dropped) == 1 and dropped[0].kicked  # its handler was stuck in a send and was cut loose

        # The slow client reads again: what was already on the wire, then the close; it resumes from there.
        assert await slow.close_code() == 4408
        seen = slow.last_seq
        assert slow.seqs == list(range(1, seen + 1)) and seen < head
        resumed = await Feed.open(base, token=token, after=seen)
        await resumed.caught_up()
        assert resumed.seqs == list(range(seen + 1, head + 1))
        await resumed.close()
        await fast.close()


async def test_heartbeats_carry_the_last_sequence(app: FastAPI, sessionmaker: Any,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ws_module, "HEARTBEAT_SECONDS", 0.2)
    async with serve(app) as base, AsyncClient(base_url=f"http://{base}", trust_env=False) as http:
        comms = await login(http, await create_user(sessionmaker, "comms"))
        event = await create_event(http, comms)
        feed = await Feed.open(base, token=token_of(comms), event_id=event["id"])
        await feed.caught_up()
        caught_up_seq = feed.frames[-1]["seq"]
        beats = [await feed.frame(timeout=2.0) for _ in range(3)]  # the default interval (10 s) would time out
        assert [b["type"] for b in beats] == ["heartbeat"] * 3
        assert all(b["seq"] == caught_up_seq for b in beats)
        await create_item(http, comms, event["id"])
        while (await feed.frame(timeout=2.0))["type"] != "entry":
            pass
        while (await feed.frame(timeout=2.0))["type"] != "heartbeat":
            pass
        assert feed.frames[-1]["seq"] == feed.last_seq > caught_up_seq
        await feed.close()


async def test_emergency_alerts_reach_every_console_and_tablet(app: FastAPI, clock: FakeClock,
                                                               sessionmaker: Any) -> None:
    async with serve(app) as base, AsyncClient(base_url=f"http://{base}", trust_env=False) as http:
        kit = await prepare(http, app, clock, sessionmaker, offsets=["T+00:00"])
        eid = kit.event["id"]
        assert (await kit.post(f"/api/events/{eid}/live/go")).status_code == 200
        admin = await login(http, await create_user(sessionmaker, "admin"))
        screens = {
            "console": await Feed.open(base, token=token_of(kit.comms), event_id=eid),
            "console-all": await Feed.open(base, token=token_of(kit.author)),
            "tablet": await Feed.open(base, token=token_of(kit.clinical), event_id=eid),
            "tablet-all": await Feed.open(base, token=token_of(kit.clinical)),
            "admin": await Feed.open(base, token=token_of(admin)),
        }
        for screen in screens.values():
            await screen.caught_up()

        hold = await kit.post(f"/api/events/{eid}/live/emergency-hold", {"post_holding_message": True})
        assert hold.status_code == 200
        for name, screen in screens.items():
            assert "alert.emergency_hold" in await screen.kinds_until("alert.emergency_hold"), name

        message = IncomingMessage(platform="sandbox", external_id="m-1", author_handle="@worried",
                                  author_name="Worried Viewer", received_at=datetime.now(UTC),
                                  text="I have crushing chest pain right now and can't breathe")
        async with transaction(sessionmaker) as session:
            event = await session.get(Event, eid)
            assert event is not None
            result = await ingest(session, event=event, messages=[message])
        assert result.emergencies
        for name, screen in screens.items():
            await screen.kinds_until("alert.emergency_message")
            alert = next(e for e in screen.entries if e["kind"] == "alert.emergency_message")
            assert alert["event_id"] == eid and alert["subject_id"] == result.emergencies[0], name
        for screen in screens.values():
            await screen.close()
