"""The real-time feed over a real server (uvicorn on a loopback port) with real WebSocket clients.

Also the helpers the other `test_ws_*` modules use: `serve`, `Feed` (a client) and `event_seqs`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from server.clock import FakeClock
from server.config import Settings
from server.db.engine import make_engine, make_sessionmaker
from server.db.session_scope import transaction
from server.feed.wsserver import FeedWebSocketProtocol
from server.journal import service as journal
from tests.factories import PASSWORD, create_item, create_user, login
from tests.livekit import prepare

WAIT = 10.0


class _QuietServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield  # leave pytest's signal handlers alone


@contextlib.asynccontextmanager
async def serve(app: FastAPI, *, sndbuf: int | None = None) -> AsyncIterator[str]:
    """Serve a started app on a free loopback port (same event loop as the test); yields "host:port"."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if sndbuf:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, sndbuf)  # accepted sockets inherit it
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, lifespan="off", log_level="warning", ws=FeedWebSocketProtocol,
                            ws_per_message_deflate=False,
                            timeout_graceful_shutdown=2)
    server = _QuietServer(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    async with asyncio.timeout(WAIT):
        while not server.started:
            await asyncio.sleep(0.01)
    try:
        yield f"127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task
        sock.close()


def token_of(headers: dict[str, str]) -> str:
    """The bearer token in headers made by `tests.factories.login`."""
    return headers["Authorization"].removeprefix("Bearer ")


class Feed:
    """One WebSocket client of /api/ws, keeping every frame it got."""

    def __init__(self, conn: ClientConnection) -> None:
        self.conn = conn
        self.entries: list[dict[str, Any]] = []
        self.frames: list[dict[str, Any]] = []

    @classmethod
    async def open(cls, base: str, *, token: str | None = None, after: int = 0, event_id: int | None = None,
                   headers: dict[str, str] | None = None, **options: Any) -> Feed:
        query = f"after={after}" + (f"&event_id={event_id}" if event_id is not None else "")
        extra = dict(headers or {})
        if token:
            extra["Authorization"] = f"Bearer {token}"
        conn = await connect(f"ws://{base}/api/ws?{query}", additional_headers=extra, proxy=None,
                             compression=None, open_timeout=WAIT, **options)
        return cls(conn)

    @property
    def seqs(self) -> list[int]:
        return [e["seq"] for e in self.entries]

    @property
    def last_seq(self) -> int:
        return self.seqs[-1] if self.seqs else 0

    async def frame(self, timeout: float = WAIT) -> dict[str, Any]:
        async with asyncio.timeout(timeout):
            frame: dict[str, Any] = json.loads(await self.conn.recv())
        self.frames.append(frame)
        if frame["type"] == "entry":
            self.entries.append(frame["entry"])
        return frame

    async def caught_up(self) -> list[dict[str, Any]]:
        """Read up to `caught_up`; returns the backlog entries of this connection."""
        start = len(self.entries)
        while (await self.frame())["type"] != "caught_up":
            pass
        return self.entries[start:]

    async def until(self, seq: int, timeout: float = WAIT) -> None:
        """Read until an entry with sequence >= seq arrived."""
        async with asyncio.timeout(timeout):
            while self.last_seq < seq:
                await self.frame(timeout)

    async def kinds_until(self, kind: str, timeout: float = WAIT) -> list[str]:
        """Read until an entry of `kind` arrived; returns the kinds read."""
        read: list[str] = []
        async with asyncio.timeout(timeout):
            while kind not in read:
                if (await self.frame(timeout))["type"] == "entry":
                    read.append(self.entries[-1]["kind"])
        return read

    async def close_code(self, timeout: float = WAIT) -> int | None:
        """Read until the server closes; the close code it sent (None when there was no close frame)."""
        with contextlib.suppress(ConnectionClosed):
            while True:
                await self.frame(timeout)
        return self.conn.close_code

    async def close(self) -> None:
        await self.conn.close()


async def event_seqs(sessionmaker: async_sessionmaker[AsyncSession], event_id: int, after: int = 0) -> list[int]:
    """Every journal sequence of one event after `after`, from the database."""
    async with sessionmaker() as session:
        return [e.seq for e in await journal.entries_after(session, after=after, event_id=event_id, limit=100_000)]


async def test_reconnect_gets_exactly_the_missed_entries(app: FastAPI, clock: FakeClock, sessionmaker: Any,
                                                         settings: Settings) -> None:
    async with serve(app) as base, AsyncClient(base_url=f"http://{base}", trust_env=False) as http:
        kit = await prepare(http, app, clock, sessionmaker, offsets=["T+00:00", "T+00:10", None],
                            cues=[None, None, "first graft done"])
        eid = kit.event["id"]
        console = await Feed.open(base, token=token_of(kit.comms), event_id=eid)
        backlog = await console.caught_up()
        assert [e["seq"] for e in backlog] == await event_seqs(sessionmaker, eid)

        # Live: entries written through the API arrive without reconnecting.
        assert (await kit.post(f"/api/events/{eid}/live/go")).status_code == 200
        await kit.pump()
        await console.until((await event_seqs(sessionmaker, eid))[-1])
        seen = console.last_seq
        await console.close()

        # Meanwhile: API calls, the workers, and a write from another process (its own engine).
        clock.advance(minutes=10)
        await kit.pump()
        assert (await kit.post(f"/api/events/{eid}/live/hold")).status_code == 200
        adhoc = await create_item(http, kit.author, eid, key="adhoc", offset=None, cue="now",
                                  caption="The surgeon just said: 'textbook graft'. #LiveOR")
        await kit.approve(adhoc)
        posted = await kit.post(f"/api/items/{adhoc['id']}/post-now", {"confirm": True, "confirm_out_of_order": True})
        assert posted.status_code == 200
        await kit.pump()
        other = make_engine(settings)
        try:
            async with transaction(make_sessionmaker(other)) as session:
                await journal.record(session, actor=None, kind="note.elsewhere", subject_type="event",
                                     subject_id=eid, event_id=eid)
        finally:
            await other.dispose()
        missed = await event_seqs(sessionmaker, eid, after=seen)
        assert len(missed) >= 6

        again = await Feed.open(base, token=token_of(kit.comms), event_id=eid, after=seen)
        assert [e["seq"] for e in await again.caught_up()] == missed
        assert again.frames[-1] == {"type": "caught_up", "seq": missed[-1]}

        # Then live entries, once each.
        assert (await kit.post(f"/api/events/{eid}/live/resume")).status_code == 200
        assert (await kit.post(f"/api/events/{eid}/live/end")).status_code == 200
        everything = await event_seqs(sessionmaker, eid)
        await again.until(everything[-1])
        assert console.seqs + again.seqs == everything
        assert "note.elsewhere" in [e["kind"] for e in again.entries]
        await again.close()


async def test_handoff_under_concurrent_writes(app: FastAPI, sessionmaker: Any) -> None:
    """Clients connecting while entries are committed get each entry once, in order, from their `after`."""
    admin = await create_user(sessionmaker, "admin")
    async with serve(app) as base, AsyncClient(base_url=f"http://{base}", trust_env=False) as http:
        token = token_of(await login(http, admin))
        stop = asyncio.Event()

        async def writer() -> None:
            while not stop.is_set():
                async with transaction(sessionmaker) as session:
                    for _ in range(3):
                        await journal.record(session, actor=None, kind="note.tick", subject_type="test")
                await asyncio.sleep(0.002)

        task = asyncio.create_task(writer())
        clients: list[tuple[int, Feed]] = []
        try:
            for _ in range(12):
                async with sessionmaker() as session:
                    head = await journal.last_seq(session)
                after = max(head - 5, 0) if len(clients) % 2 else 0
                clients.append((after, await Feed.open(base, token=token, after=after)))
                await asyncio.sleep(0.02)
        finally:
            stop.set()
            await task
        async with sessionmaker() as session:
            head = await journal.last_seq(session)
        for after, client in clients:
            await client.until(head)
            assert client.seqs == list(range(after + 1, head + 1))
            await client.close()


async def test_live_entries_to_an_idle_client_are_written_by_the_hub(app: FastAPI, sessionmaker: Any) -> None:
    """Under Livecue's protocol a caught-up client's entries go straight to its socket (issue 19's fan-out),
    once each and in order; while its handler is busy, entries go through its queue instead."""
    admin = await create_user(sessionmaker, "admin")
    async with serve(app) as base, AsyncClient(base_url=f"http://{base}", trust_env=False) as http:
        client = await Feed.open(base, token=token_of(await login(http, admin)))
        await client.caught_up()
        (sub,) = app.state.livecue.feed.subscribers
        assert sub.send_now is not None
        direct: list[bytes] = []
        send_now = sub.send_now

        def counting(data: bytes, wire: bytes) -> bool:
            direct.append(data)
            return send_now(data, wire)

        sub.send_now = counting
        async with transaction(sessionmaker) as session:
            for n in range(3):
                await journal.record(session, actor=None, kind="note.tick", subject_type="test", subject_id=n)
        async with sessionmaker() as session:
            head = await journal.last_seq(session)
        await client.until(head)
        assert len(direct) == 3 and client.seqs[-3:] == [head - 2, head - 1, head]

        sub.idle = False  # as while its handler has an item in hand: the next entry waits in the queue
        async with transaction(sessionmaker) as session:
            await journal.record(session, actor=None, kind="note.tick", subject_type="test", subject_id=3)
        await client.until(head + 1)
        assert client.seqs[-4:] == list(range(head - 2, head + 2)) and len(direct) == 3
        assert sub.idle  # the handler sent it and is waiting again: direct writes resume
        await client.close()


async def test_unauthenticated_socket_is_refused(app: FastAPI, sessionmaker: Any) -> None:
    nobody = await create_user(sessionmaker)
    async with serve(app) as base, AsyncClient(base_url=f"http://{base}", trust_env=False) as http:
        assert await (await Feed.open(base)).close_code() == 4401
        assert await (await Feed.open(base, token="not-a-session")).close_code() == 4401
        cookie = {"Cookie": "livecue_session=forged"}
        assert await (await Feed.open(base, headers=cookie)).close_code() == 4401
        # A logged-in account without a feed role is refused too.
        assert await (await Feed.open(base, token=token_of(await login(http, nobody)))).close_code() == 4403


async def test_cookie_session_from_our_pages(app: FastAPI, sessionmaker: Any) -> None:
    user = await create_user(sessionmaker, "clinical")
    async with serve(app) as base, AsyncClient(base_url=f"http://{base}", trust_env=False) as http:
        response = await http.post("/api/auth/login", json={"username": user.username, "password": PASSWORD})
        cookie = {"Cookie": f"livecue_session={response.cookies['livecue_session']}"}
        page = await Feed.open(base, headers={**cookie, "Origin": f"http://{base}"})
        assert (await page.frame())["type"] == "caught_up"
        await page.close()
        # A page of another site cannot ride on the cookie (cross-site WebSocket hijacking).
        evil = await Feed.open(base, headers={**cookie, "Origin": "https://evil.example"})
        assert await evil.close_code() == 4403
        # X-Forwarded-Host is whatever the client says: it is not believed (LIVECUE_PUBLIC_ORIGIN names the origin).
        forwarded = {**cookie, "Origin": "https://livecue.example", "X-Forwarded-Host": "livecue.example"}
        assert await (await Feed.open(base, headers=forwarded)).close_code() == 4403
        # A bearer token does not depend on Origin (it cannot be sent by another site's page).
        bearer = await Feed.open(base, token=response.json()["token"], headers={"Origin": "https://x.example"})
        assert (await bearer.frame())["type"] == "caught_up"
        await bearer.close()


@pytest.mark.parametrize("settings_overrides", [{"public_origin": "https://livecue.example, https://alt.example"}])
async def test_behind_a_proxy_the_configured_origin_is_the_only_one(app: FastAPI, sessionmaker: Any) -> None:
    user = await create_user(sessionmaker, "clinical")
    async with serve(app) as base, AsyncClient(base_url=f"http://{base}", trust_env=False) as http:
        response = await http.post("/api/auth/login", json={"username": user.username, "password": PASSWORD})
        cookie = {"Cookie": f"livecue_session={response.cookies['livecue_session']}"}
        for origin in ("https://livecue.example", "https://alt.example"):
            page = await Feed.open(base, headers={**cookie, "Origin": origin})  # the proxy rewrote Host
            assert (await page.frame())["type"] == "caught_up"
            await page.close()
        for origin in (f"http://{base}", "https://evil.example", "http://livecue.example"):
            assert await (await Feed.open(base, headers={**cookie, "Origin": origin})).close_code() == 4403


async def test_logout_everywhere_closes_open_sockets(app: FastAPI, sessionmaker: Any) -> None:
    user = await create_user(sessionmaker, "clinical")
    async with serve(app) as base, AsyncClient(base_url=f"http://{base}", trust_env=False) as http:
        tablet = await login(http, user)  # say, the tablet that was left in the theatre
        desk = await login(http, user)
        feed = await Feed.open(base, token=token_of(tablet))
        assert (await feed.frame())["type"] == "caught_up"
        logout = await http.post("/api/auth/logout?everywhere=true", headers=desk)
        assert logout.status_code == 204
        assert await feed.close_code() == 4401


@pytest.mark.parametrize("after", [-5, 10_000])
async def test_odd_after_values(app: FastAPI, sessionmaker: Any, after: int) -> None:
    admin = await create_user(sessionmaker, "admin")
    async with serve(app) as base, AsyncClient(base_url=f"http://{base}", trust_env=False) as http:
        feed = await Feed.open(base, token=token_of(await login(http, admin)), after=after)
        backlog = await feed.caught_up()
        async with sessionmaker() as session:
            head = await journal.last_seq(session)
        assert [e["seq"] for e in backlog] == (list(range(1, head + 1)) if after < 0 else [])
        await feed.close()
