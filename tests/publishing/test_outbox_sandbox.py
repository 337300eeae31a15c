"""The outbox against the sandbox: threads with images, faults, reconciliation, post-time consent checks."""

from __future__ import annotations

import io
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient
from PIL import Image

from server.clock import FakeClock
from tests.factories import create_item
from tests.livekit import prepare


def png(color: tuple[int, int, int]) -> bytes:
    """A small PNG."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 36), color).save(buffer, "PNG")
    return buffer.getvalue()


async def test_ten_item_thread_with_images(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                           sessionmaker: Any) -> None:
    kit = await prepare(client, app, clock, sessionmaker, offsets=[], holding=False)
    eid = kit.event["id"]
    ids = []
    for n in range(10):
        upload = await client.post("/api/media", files={"file": (f"step{n}.png", png((n * 20, 80, 120)), "image/png")},
                                   headers=kit.author)
        assert upload.status_code == 201, upload.text
        media = upload.json()
        ref = {"sha256": media["sha256"], "alt_text": f"Diagram of step {n}", "mime_type": media["mime_type"],
               "size_bytes": media["size_bytes"], "width": media["width"], "height": media["height"]}
        item = await create_item(client, kit.author, eid, key=f"img-{n}", offset=None, cue=f"step {n}",
                                 caption=f"Step {n} of the operation. #LiveOR", media=[ref])
        ids.append((await kit.approve(item))["id"])
    await kit.post(f"/api/events/{eid}/live/go")
    for item_id in ids:
        assert (await kit.post(f"/api/items/{item_id}/post-now")).status_code == 200
    await kit.pump(rounds=20)
    posts = await kit.sandbox_posts()
    assert [p.text for p in posts] == [f"Step {n} of the operation. #LiveOR" for n in range(10)]
    assert [p.media[0]["alt"] for p in posts] == [f"Diagram of step {n}" for n in range(10)]
    assert posts[0].reply_to_id is None
    for previous, post in zip(posts, posts[1:], strict=False):
        assert post.reply_to_id == previous.id
        assert post.root_id == posts[0].id
    items = (await client.get(f"/api/events/{eid}/items", headers=kit.comms)).json()
    assert all(i["status"] == "posted" and i["published_at"] for i in items)


async def test_rate_limit_is_honoured(client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any) -> None:
    kit = await prepare(client, app, clock, sessionmaker, offsets=[None, None], cues=["a", "b"], holding=False)
    eid = kit.event["id"]
    await kit.post(f"/api/events/{eid}/live/go")
    kit.state.registry.sandbox_faults.add("publish", "rate_limit", retry_after=30)
    for item in kit.items:
        await kit.post(f"/api/items/{item['id']}/post-now")
    await kit.pump()
    assert await kit.sandbox_posts() == []
    first = (await kit.deliveries())[0]
    assert first.status == "pending" and "429" in (first.last_error or "")
    clock.advance(seconds=20)
    await kit.pump()
    assert await kit.sandbox_posts() == []
    clock.advance(seconds=20)
    await kit.pump()
    posts = await kit.sandbox_posts()
    assert [p.text.split(":")[0] for p in posts] == ["Update 1", "Update 2"]
    assert posts[1].reply_to_id == posts[0].id


async def test_server_errors_back_off_then_post_once(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                     sessionmaker: Any) -> None:
    kit = await prepare(client, app, clock, sessionmaker, offsets=[None], cues=["a"], holding=False)
    await kit.post(f"/api/events/{kit.event['id']}/live/go")
    kit.state.registry.sandbox_faults.add("publish", "server_error", count=2)
    kit.state.registry.sandbox_faults.add("publish", "reset_before_send", count=1)
    await kit.post(f"/api/items/{kit.items[0]['id']}/post-now")
    for _ in range(6):
        await kit.pump()
        clock.advance(seconds=30)
    assert len(await kit.sandbox_posts()) == 1
    assert (await kit.deliveries())[0].attempts == 4


async def test_timeout_after_store_is_reconciled_not_resent(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                            sessionmaker: Any) -> None:
    kit = await prepare(client, app, clock, sessionmaker, offsets=[None, None], cues=["a", "b"], holding=False)
    await kit.post(f"/api/events/{kit.event['id']}/live/go")
    kit.state.registry.sandbox_faults.add("publish", "timeout_after_store")
    for item in kit.items:
        await kit.post(f"/api/items/{item['id']}/post-now")
    await kit.pump()
    delivery = (await kit.deliveries())[0]
    assert delivery.status == "unknown"
    assert len(await kit.sandbox_posts()) == 1
    clock.advance(seconds=5)
    await kit.pump()
    posts = await kit.sandbox_posts()
    assert len(posts) == 2
    assert posts[1].reply_to_id == posts[0].id
    kinds = [e["kind"] for e in (await client.get(f"/api/events/{kit.event['id']}/journal?limit=1000",
                                                   headers=kit.comms)).json()["entries"]]
    assert "delivery.unknown" in kinds


async def test_revocation_after_approval_blocks_at_post_time(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                             sessionmaker: Any) -> None:
    kit = await prepare(client, app, clock, sessionmaker, offsets=[], holding=False)
    eid = kit.event["id"]
    family = await kit.post(f"/api/events/{eid}/authorizations", {
        "key": "family-story", "person": "Patient A's spouse (form on file)", "role": "family",
        "covers": ["story"], "signed_on": "2026-11-02"}, headers=kit.author)
    item = await create_item(client, kit.author, eid, key="story", offset=None, cue="story time",
                             caption="A word from the family. #LiveOR", authorizations=["family-story"])
    await kit.approve(item)
    await kit.post(f"/api/events/{eid}/live/go")
    assert (await kit.post(f"/api/items/{item['id']}/post-now")).status_code == 200
    revoked = await kit.post(f"/api/authorizations/{family.json()['id']}/revoke", {"reason": "family withdrew"})
    assert revoked.json()["blocked_item_ids"] == [item["id"]]
    await kit.pump()
    assert await kit.sandbox_posts() == []
    delivery = (await kit.deliveries())[0]
    assert delivery.status == "abandoned" and "revoked" in (delivery.last_error or "")
    read = (await client.get(f"/api/items/{item['id']}", headers=kit.comms)).json()
    assert read["status"] == "blocked" and "withdrew" in read["blocked_reason"]


async def test_delivery_retry_and_abandon_endpoints(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                    sessionmaker: Any) -> None:
    kit = await prepare(client, app, clock, sessionmaker, offsets=[None], cues=["a"], holding=False)
    await kit.post(f"/api/events/{kit.event['id']}/live/go")
    await kit.post(f"/api/items/{kit.items[0]['id']}/post-now")
    delivery = (await kit.deliveries())[0]
    refused = await kit.post(f"/api/deliveries/{delivery.id}/retry")
    assert refused.status_code == 409 and refused.json()["state"] == "pending"
    listed = (await client.get(f"/api/events/{kit.event['id']}/deliveries", headers=kit.clinical)).json()
    assert listed[0]["platform"] == "sandbox"
