"""Platform accounts from the setup page: a test post goes to the sandbox through the outgoing gate, outside the
event's thread, journaled (refused once the event has ended); reconnect re-reads the secrets and lets the posts
that waited for re-authentication go again; an unknown platform is a 4xx naming the field."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import update

from server.clock import FakeClock
from server.models import Delivery
from tests.livekit import prepare


async def test_test_post_goes_to_the_sandbox_outside_the_thread(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                                sessionmaker: Any) -> None:
    kit = await prepare(client, app, clock, sessionmaker, offsets=["T+00:00"])
    eid = kit.event["id"]
    assert (await kit.post(f"/api/events/{eid}/live/go")).status_code == 200
    await kit.pump()
    sent = await kit.post(f"/api/events/{eid}/platforms/sandbox/test-post")
    assert sent.status_code == 201, sent.text
    await kit.pump()
    test = next(d for d in await kit.deliveries() if d.purpose == "test")
    assert test.status == "posted" and test.item_id is None and test.thread_seq == 0
    posts = await kit.sandbox_posts()
    post = next(p for p in posts if p.text.startswith("Livecue test post"))
    assert post.reply_to_id is None and post.root_id is None  # not in the event's thread
    thread = [d for d in await kit.deliveries() if d.purpose == "thread"]
    assert thread and all(d.remote != test.remote for d in thread)
    journal = (await client.get(f"/api/events/{eid}/journal", headers=kit.comms)).json()["entries"]
    assert any(e["kind"] == "platform.test_post" for e in journal)

    assert (await kit.post(f"/api/events/{eid}/platforms/mastodon/test-post")).status_code == 404
    unknown = await kit.post(f"/api/events/{eid}/platforms/myspace/test-post")
    assert unknown.status_code == 422 and "platform" in unknown.text
    assert (await kit.post(f"/api/events/{eid}/live/end")).status_code == 200
    refused = await kit.post(f"/api/events/{eid}/platforms/sandbox/test-post")
    assert refused.status_code == 409 and "ended" in refused.json()["detail"]


async def test_reconnect_resumes_posts_waiting_for_the_account(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                               sessionmaker: Any) -> None:
    kit = await prepare(client, app, clock, sessionmaker, offsets=["T+00:00"])
    eid = kit.event["id"]
    assert (await kit.post(f"/api/events/{eid}/live/go")).status_code == 200
    await kit.pump()
    async with sessionmaker() as session, session.begin():
        await session.execute(update(Delivery).where(Delivery.event_id == eid).values(status="needs_reauth"))
    result = await kit.post(f"/api/events/{eid}/platforms/sandbox/reconnect")
    assert result.status_code == 200, result.text
    body = result.json()
    assert body["ready"] is True and body["resumed"] >= 1
    assert all(d.status != "needs_reauth" for d in await kit.deliveries())
    journal = (await client.get(f"/api/events/{eid}/journal", headers=kit.comms)).json()["entries"]
    assert any(e["kind"] == "platform.reconnected" and e["payload"]["ready"] for e in journal)
    clinician = await kit.post(f"/api/events/{eid}/platforms/sandbox/reconnect", headers=kit.clinical)
    assert clinician.status_code == 403


async def test_reconnect_without_credentials_says_so(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                     sessionmaker: Any) -> None:
    kit = await prepare(client, app, clock, sessionmaker, offsets=["T+00:00"])
    eid = kit.event["id"]
    changed = await client.patch(f"/api/events/{eid}", headers=kit.comms, json={"platforms": [
        {"platform": "sandbox", "account": "stmarys"}, {"platform": "mastodon", "account": "stmarys"}]})
    assert changed.status_code == 200, changed.text
    result = await kit.post(f"/api/events/{eid}/platforms/mastodon/reconnect")
    assert result.status_code == 200, result.text
    body = result.json()
    assert body["ready"] is False and body["resumed"] == 0 and "No credentials" in body["detail"]
