"""A sender that dies mid-send holds a lease: after it ends, another dispatcher reconciles (journaled) and the
post exists exactly once; a live lease is never taken over."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.exc import OperationalError

from server.clock import FakeClock
from server.platforms.base import PublishRequest
from server.platforms.sandbox.adapter import SandboxPlatform
from server.publishing.dispatcher import LEASE_EXPIRED, Dispatcher
from tests.livekit import prepare


async def test_a_dead_senders_lease_is_reconciled_once_it_ends(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                               sessionmaker: Any) -> None:
    kit = await prepare(client, app, clock, sessionmaker, offsets=[None, None], cues=["a", "b"], holding=False)
    await kit.post(f"/api/events/{kit.event['id']}/live/go")
    for item in kit.items:
        assert (await kit.post(f"/api/items/{item['id']}/post-now")).status_code == 200
    live: Dispatcher = kit.state.dispatcher
    dead = Dispatcher(live.sessionmaker, live.registry, live.store, clock=clock, owner="dead-process",
                      lease_seconds=30)
    first = (await kit.deliveries())[0]
    assert await dead._claim(first.id) == "pending"  # it claimed, sent, and died before recording anything
    sandbox = live.registry.get("sandbox", "hospital")
    await sandbox.publish(PublishRequest(text=first.text, idempotency_key=first.idempotency_key))

    await kit.pump()
    assert [d.status for d in await kit.deliveries()] == ["sending", "pending"]  # lease still live: hands off
    assert len(await kit.sandbox_posts()) == 1

    clock.advance(seconds=31)
    await kit.pump()
    posts = await kit.sandbox_posts()
    assert [d.status for d in await kit.deliveries()] == ["posted", "posted"]
    assert len(posts) == 2 and posts[1].reply_to_id == posts[0].id
    entries = (await client.get(f"/api/events/{kit.event['id']}/journal?limit=1000",
                                headers=kit.comms)).json()["entries"]
    expired = [e for e in entries if e["kind"] == "delivery.unknown" and e["payload"]["error"] == LEASE_EXPIRED]
    assert len(expired) == 1 and expired[0]["payload"]["lease_owner"] == "dead-process"
    reconciled = [e for e in entries if e["kind"] == "delivery.posted" and e["payload"]["reconciled"]]
    assert len(reconciled) == 1


async def test_a_long_send_keeps_its_lease(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                           sessionmaker: Any) -> None:
    kit = await prepare(client, app, clock, sessionmaker, offsets=[None], cues=["a"], holding=False)
    await kit.post(f"/api/events/{kit.event['id']}/live/go")
    assert (await kit.post(f"/api/items/{kit.items[0]['id']}/post-now")).status_code == 200
    other: Dispatcher = kit.state.dispatcher
    slow = Dispatcher(other.sessionmaker, other.registry, other.store, clock=clock, owner="slow-upload",
                      lease_seconds=0.3)
    gate = asyncio.Event()
    sends: list[str] = []
    publish = SandboxPlatform.publish

    async def slow_publish(adapter: SandboxPlatform, request: PublishRequest) -> Any:
        sends.append(request.idempotency_key)
        await gate.wait()  # a big video still uploading
        return await publish(adapter, request)

    SandboxPlatform.publish = slow_publish  # type: ignore[method-assign]
    try:
        sending = asyncio.create_task(slow.run_once())
        for _ in range(8):  # 8 × 0.2 s of clock time: far past the 0.3 s lease, renewed all along
            await asyncio.sleep(0.15)
            clock.advance(seconds=0.2)
            await asyncio.sleep(0.15)
            await other.run_once()
            assert [d.status for d in await kit.deliveries()] == ["sending"]
        gate.set()
        await sending
    finally:
        SandboxPlatform.publish = publish  # type: ignore[method-assign]
    assert len(sends) == 1 and len(await kit.sandbox_posts()) == 1
    (delivery,) = await kit.deliveries()
    assert delivery.status == "posted" and delivery.lease_owner is None
    entries = (await client.get(f"/api/events/{kit.event['id']}/journal?limit=1000",
                                headers=kit.comms)).json()["entries"]
    assert not [e for e in entries if e["kind"] == "delivery.unknown"]


async def test_a_post_the_database_refused_to_record_is_recorded_on_the_next_pass(
        client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any) -> None:
    kit = await prepare(client, app, clock, sessionmaker, offsets=[None, None], cues=["a", "b"], holding=False)
    await kit.post(f"/api/events/{kit.event['id']}/live/go")
    for item in kit.items:
        assert (await kit.post(f"/api/items/{item['id']}/post-now")).status_code == 200
    dispatcher: Dispatcher = kit.state.dispatcher
    posted = dispatcher._posted
    refusals = [OperationalError("UPDATE delivery", {}, sqlite3.OperationalError("database or disk is full"))]

    async def disk_full_once(*args: Any, **kwargs: Any) -> None:
        if refusals:
            raise refusals.pop()
        await posted(*args, **kwargs)

    dispatcher._posted = disk_full_once  # type: ignore[method-assign]
    await dispatcher.run_once()
    assert [d.status for d in await kit.deliveries()] == ["sending", "pending"]  # posted, not yet recorded
    assert len(await kit.sandbox_posts()) == 1
    await kit.pump()
    posts = await kit.sandbox_posts()
    assert [d.status for d in await kit.deliveries()] == ["posted", "posted"]
    assert len(posts) == 2 and posts[1].reply_to_id == posts[0].id
    entries = (await client.get(f"/api/events/{kit.event['id']}/journal?limit=1000",
                                headers=kit.comms)).json()["entries"]
    assert [e["kind"] for e in entries if e["kind"].startswith("delivery.")] == ["delivery.posted"] * 2
