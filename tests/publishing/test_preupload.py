"""Media is uploaded ahead of the cue, so posting is a single call."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import event, func, select

from server.clock import FakeClock
from server.models import MediaUpload
from tests.factories import create_item
from tests.livekit import prepare
from tests.publishing.test_outbox_sandbox import png


class CountingUploads:
    """Wraps an adapter and counts uploads and publishes."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.capabilities = inner.capabilities
        self.uploads = 0
        self.publishes = 0

    async def upload_media(self, media: Any) -> Any:
        self.uploads += 1
        return await self.inner.upload_media(media)

    async def publish(self, request: Any) -> Any:
        self.publishes += 1
        return await self.inner.publish(request)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


async def test_preupload_then_cue_is_one_call(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                              sessionmaker: Any) -> None:
    kit = await prepare(client, app, clock, sessionmaker, offsets=[], holding=False)
    eid = kit.event["id"]
    upload = (await client.post("/api/media", files={"file": ("a.png", png((1, 2, 3)), "image/png")},
                                headers=kit.author)).json()
    ref = {"sha256": upload["sha256"], "alt_text": "The prepared operating room", "mime_type": upload["mime_type"],
           "size_bytes": upload["size_bytes"], "width": upload["width"], "height": upload["height"]}
    item = await create_item(client, kit.author, eid, key="photo", offset=None, cue="room ready",
                             caption="The room is ready. #LiveOR", media=[ref])
    await kit.approve(item)
    registry = kit.state.registry
    counting = CountingUploads(registry.get("sandbox", "hospital"))
    registry.overrides[("sandbox", "hospital")] = counting
    await kit.post(f"/api/events/{eid}/live/go")
    await kit.state.preuploader.run_once()
    assert counting.uploads == 1
    async with sessionmaker() as session:
        assert (await session.execute(select(func.count()).select_from(MediaUpload))).scalar() == 1
    await kit.state.preuploader.run_once()
    assert counting.uploads == 1
    await kit.post(f"/api/items/{item['id']}/post-now")
    await kit.pump()
    assert (counting.uploads, counting.publishes) == (1, 1)
    clock.advance(days=2)
    await kit.state.preuploader.run_once()
    assert counting.uploads == 1  # posted items are not uploaded again


async def test_the_check_reads_a_few_statements_whatever_the_number_of_items(
        client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any) -> None:
    """Issue 19: the 30-second check ran a statement per item and took the write lock per file (a cue waited
    behind it); now a snapshot (no BEGIN IMMEDIATE) of a fixed number of statements once all is uploaded."""
    kit = await prepare(client, app, clock, sessionmaker, offsets=[], holding=False)
    eid = kit.event["id"]
    await kit.post(f"/api/events/{eid}/live/go")

    async def add(n: int) -> None:
        upload = (await client.post("/api/media", files={"file": (f"{n}.png", png((n, 2, 3)), "image/png")},
                                    headers=kit.author)).json()
        ref = {"sha256": upload["sha256"], "alt_text": f"Photo {n}", "mime_type": upload["mime_type"],
               "size_bytes": upload["size_bytes"], "width": upload["width"], "height": upload["height"]}
        await kit.approve(await create_item(client, kit.author, eid, key=f"photo-{n}", offset=None, cue=f"c{n}",
                                            caption=f"Photo {n}. #LiveOR", media=[ref]))

    engine = app.state.livecue.engine.sync_engine

    async def statements_of_a_check() -> list[str]:
        seen: list[str] = []

        def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            if not statement.startswith("SELECT journal_entry."):  # the feed's readers, woken by other commits
                seen.append(" ".join(statement.split())[:40])

        event.listen(engine, "before_cursor_execute", note)
        try:
            await kit.state.preuploader.run_once()
        finally:
            event.remove(engine, "before_cursor_execute", note)
        return seen

    await add(1)
    await kit.state.preuploader.run_once()  # uploads it
    few = await statements_of_a_check()
    for n in range(2, 7):
        await add(n)
    await kit.state.preuploader.run_once()
    many = await statements_of_a_check()
    assert len(many) == len(few) <= 6
    assert not [s for s in many if s.startswith(("BEGIN IMMEDIATE", "INSERT", "UPDATE", "DELETE"))]
