"""The public routes: the same 404 for unknown, draft and rehearsal; ETag and 304; short public caching; the
event stream resumes after Last-Event-ID with nothing missed and nothing twice; slow readers are dropped and the
number of streams is capped."""

from __future__ import annotations

import asyncio
import json
from collections.abc import MutableMapping
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient

from server.clock import FakeClock
from server.livepage.hub import Channel, LivePageHub
from server.livepage.schemas import PublicPage
from server.livepage.stream import refused
from tests.factories import create_event
from tests.livekit import LiveKit, prepare


async def sse(app: FastAPI, path: str, *, events: int, headers: dict[str, str] | None = None,
              during: Any = None) -> tuple[int, dict[str, str], list[dict[str, str]]]:
    """Open the event stream on the ASGI app, read `events` messages (running `during()` once connected), leave."""
    sent: list[MutableMapping[str, Any]] = []
    disconnect = asyncio.Event()
    got = asyncio.Event()
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": path.split("?")[0], "raw_path": path.split("?")[0].encode(),
             "query_string": (path.split("?", 1)[1] if "?" in path else "").encode(), "root_path": "",
             "headers": [(b"host", b"testserver")] + [(k.lower().encode(), v.encode())
                                                        for k, v in (headers or {}).items()],
             "client": ("127.0.0.1", 5000), "server": ("testserver", 80)}
    first = True

    async def receive() -> dict[str, Any]:
        nonlocal first
        if first:
            first = False
            return {"type": "http.request", "body": b"", "more_body": False}
        await disconnect.wait()
        return {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)
        got.set()

    def parsed() -> list[dict[str, str]]:
        text = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body").decode()
        out = []
        for block in text.split("\n\n"):
            fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line and line[0] != ":")
            if "data" in fields:
                out.append(fields)
        return out

    task = asyncio.create_task(app(scope, receive, send))
    async with asyncio.timeout(20):
        while not task.done() and len(parsed()) < events:
            got.clear()  # before looking: whatever is sent from here on sets it again
            if during is not None and len(parsed()) >= 1:
                await during()
                during = None
                continue
            await got.wait()
    disconnect.set()
    async with asyncio.timeout(20):
        await task
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, parsed()


async def _live(client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any, n: int) -> LiveKit:
    kit = await prepare(client, app, clock, sessionmaker, offsets=[None] * n, cues=[f"c{i}" for i in range(n)],
                        holding=False)
    assert (await kit.post(f"/api/events/{kit.event['id']}/live/go")).status_code == 200
    return kit


async def _post(kit: LiveKit, index: int) -> None:
    item = kit.items[index]
    assert (await kit.post(f"/api/items/{item['id']}/post-now", {"confirm_out_of_order": True})).status_code == 200
    await kit.pump()
    await kit.state.live_page.pump()  # what the reader does after the commit wakes it


async def test_unknown_draft_and_rehearsal_slugs_get_the_same_404(client: AsyncClient, app: FastAPI,
                                                                  clock: FakeClock, sessionmaker: Any) -> None:
    kit = await prepare(client, app, clock, sessionmaker, offsets=[None], cues=["a"], holding=False)
    rehearsing = await create_event(client, kit.author)
    assert (await kit.post(f"/api/events/{rehearsing['id']}/rehearsal/start", {"time_scale": 10})).status_code == 200
    answers = []
    for slug in ("no-such-event", kit.event["slug"], rehearsing["slug"]):
        for suffix in ("", "/posts.json", "/events", "/media/" + "a" * 64):
            response = await client.get(f"/live/{slug}{suffix}")
            answers.append((suffix, response.status_code, response.content,
                            {k: v for k, v in response.headers.items() if k not in ("date", "x-request-id")}))
    for suffix in ("", "/posts.json", "/events", "/media/" + "a" * 64):
        same = [(s, c, b, h) for s, c, b, h in answers if s == suffix]
        assert same[0][1] == 404 and all(a[1:] == same[0][1:] for a in same), same
    assert (await client.get("/live/" + "x" * 65)).status_code == 422


async def test_etag_304_and_short_public_caching(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                 sessionmaker: Any) -> None:
    kit = await _live(client, app, clock, sessionmaker, 2)
    await _post(kit, 0)
    slug = kit.event["slug"]
    for path, media in ((f"/live/{slug}", "text/html"), (f"/live/{slug}/posts.json", "application/json")):
        first = await client.get(path)
        assert first.status_code == 200 and first.headers["content-type"].startswith(media)
        etag = first.headers["etag"]
        assert first.headers["cache-control"].startswith("public, max-age=5")
        again = await client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
        assert again.headers["cache-control"] == first.headers["cache-control"]
        assert again.headers["x-content-type-options"] == "nosniff"  # answered by server/livepage/edge.py
        assert (await client.get(path, headers={"If-None-Match": '"stale"'})).status_code == 200
    page = await client.get(f"/live/{slug}")
    assert "Update 1" in page.text and page.headers["content-security-policy"].startswith("default-src 'self'")
    await _post(kit, 1)
    fresh = await client.get(f"/live/{slug}", headers={"If-None-Match": page.headers["etag"]})
    assert fresh.status_code == 200 and "Update 2" in fresh.text  # a new post changes the ETag


async def test_a_pump_returns_only_once_the_page_shows_what_it_read(client: AsyncClient, app: FastAPI,
                                                                     clock: FakeClock, sessionmaker: Any) -> None:
    """Two pumps at once (the commit-woken reader and anyone else): the second must not return while the first is
    still rebuilding the page from entries it already claimed, or a request right after sees the old page."""
    kit = await _live(client, app, clock, sessionmaker, 2)
    await _post(kit, 0)
    hub = kit.state.live_page
    slug = kit.event["slug"]
    assert (await client.get(f"/live/{slug}")).status_code == 200  # the page is in memory
    await hub.stop_reading()  # this test plays the reader itself
    item = kit.items[1]
    assert (await kit.post(f"/api/items/{item['id']}/post-now", {"confirm_out_of_order": True})).status_code == 200
    await kit.pump()
    before = hub.last_seq
    first = asyncio.create_task(hub.pump())
    async with asyncio.timeout(20):
        while hub.last_seq == before:  # the first pump has read the new entries and is rebuilding the page
            await asyncio.sleep(0)
    await hub.pump()
    assert "Update 2" in (await client.get(f"/live/{slug}")).text
    await first


async def test_event_stream_resumes_after_last_event_id(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                        sessionmaker: Any) -> None:
    kit = await _live(client, app, clock, sessionmaker, 3)
    await _post(kit, 0)
    await _post(kit, 1)
    path = f"/live/{kit.event['slug']}/events"
    status, headers, frames = await sse(app, path, events=3)
    assert status == 200 and headers["content-type"].startswith("text/event-stream")
    assert headers["cache-control"] == "no-store"
    assert [f["event"] for f in frames] == ["status", "post", "post"]
    assert "id" not in frames[0] and json.loads(frames[0]["data"])["status"] == "live"
    first_id = int(frames[1]["id"])
    assert [json.loads(f["data"])["text"].split(":")[0] for f in frames[1:]] == ["Update 1", "Update 2"]

    # A reader that saw the first post only gets the second, then the third live, and nothing twice.
    async def third() -> None:
        await _post(kit, 2)
    status, _, frames = await sse(app, path, events=3, headers={"Last-Event-ID": str(first_id)}, during=third)
    posts = [json.loads(f["data"])["text"].split(":")[0] for f in frames if f["event"] == "post"]
    assert status == 200 and posts == ["Update 2", "Update 3"]
    assert int(frames[-1]["id"]) > int(frames[-2]["id"]) > first_id
    _, _, frames = await sse(app, f"{path}?after={frames[-1]['id']}", events=1)
    assert [f["event"] for f in frames] == ["status"]  # up to date: the status only
    hub: LivePageHub = kit.state.live_page
    assert hub.client_count == 0  # every stream that ended was forgotten
    hub.poke.clear()
    kit.state.journal_notifier.on_seq(hub.last_seq + 1)  # another replica's commit (PostgreSQL LISTEN/NOTIFY)
    assert hub.poke.is_set()  # wakes this reader too, not only the console feed


async def test_slow_readers_are_dropped_and_streams_are_capped() -> None:
    """No database: a hub with one page in memory, a reader that never reads, and a full house."""
    hub = LivePageHub(None, max_clients=2, queue_size=4)  # type: ignore[arg-type]
    channel = Channel(slug="s", event_id=1, page=PublicPage(slug="s", title="T", hashtag="#t", status="live", seq=0,
                                                            posts=[]))
    channel.set_page(channel.page)
    stalled = hub.subscribe(channel, 0)
    reading = hub.subscribe(channel, 0)
    assert stalled is not None and reading is not None
    assert hub.subscribe(channel, 0) is None  # the cap: the route answers 503 with Retry-After
    assert refused().status_code == 503 and refused().headers["retry-after"]
    for n in range(6):
        hub._offer(channel, f"data: {n}\n\n".encode())
        reading.queue.get_nowait()
    assert stalled.dropped and stalled.queue.get_nowait() is None  # its stream ends; the browser resumes
    assert not reading.dropped and hub.client_count == 1
    assert hub.subscribe(channel, 0) is not None  # its place is free again


async def test_head_answers_like_get_without_a_body(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                    sessionmaker: Any) -> None:
    """CDNs and link checkers send HEAD: the same status, ETag and caching headers as GET, and no body."""
    kit = await _live(client, app, clock, sessionmaker, 1)
    await _post(kit, 0)
    slug = kit.event["slug"]
    for path in (f"/live/{slug}", f"/live/{slug}/posts.json"):
        got = await client.get(path)
        head = await client.head(path)
        assert head.status_code == 200 and head.content == b"", (path, head.status_code)
        for name in ("etag", "cache-control", "content-type", "content-length", "vary"):
            assert head.headers[name] == got.headers[name], name
        again = await client.head(path, headers={"If-None-Match": got.headers["etag"]})
        assert again.status_code == 304 and again.headers["etag"] == got.headers["etag"]
    unknown = await client.head("/live/no-such-event")
    assert unknown.status_code == 404 and unknown.content == b""
