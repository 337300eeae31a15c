"""The send-time check reads the committed state in one statement (issue 19) and still stops what the gate stops:
whatever is committed between a cue's commit (its delivery claimed and handed to the round) and the send, an
emergency hold (tests/publishing/test_claim_ahead.py), a consent revoked or expired, a new privacy finding, an
edit, keeps the post from going out. And the read waits for no writer: on SQLite a platform request is not held
up by another transaction holding the write lock (its BEGIN IMMEDIATE used to sleep in SQLite's busy handler)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import update

from server.clock import FakeClock
from server.db.session_scope import transaction
from server.models import Authorization, Event, ItemVersion
from server.platforms.base import PublishRequest, RemoteRef
from server.publishing.dispatcher import Dispatcher
from tests.livekit import LiveKit
from tests.publishing.test_claim_ahead import live_kit


class Recording:
    """Stands in for the sandbox adapter: notes each publish request, stores nothing."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.capabilities = inner.capabilities
        self.requests: list[PublishRequest] = []
        self.published = asyncio.Event()

    async def publish(self, request: PublishRequest) -> RemoteRef:
        self.requests.append(request)
        self.published.set()
        return RemoteRef(remote_id=f"r{len(self.requests)}", url=f"https://sandbox.test/{len(self.requests)}")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


async def cued(client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any) -> tuple[LiveKit, Dispatcher]:
    """An event live with one item cued: its delivery claimed in the cue's committed transaction."""
    kit = await live_kit(client, app, clock, sessionmaker, 1)
    dispatcher: Dispatcher = kit.state.dispatcher
    dispatcher.claims_ahead = True
    assert (await kit.post(f"/api/items/{kit.items[0]['id']}/post-now")).status_code == 200
    [delivery] = await kit.deliveries()
    assert delivery.status == "sending"
    return kit, dispatcher


async def revoke(kit: LiveKit) -> None:
    rows = (await kit.client.get(f"/api/events/{kit.event['id']}/authorizations", headers=kit.author)).json()
    answer = await kit.post(f"/api/authorizations/{rows[0]['id']}/revoke", {"reason": "withdrawn by the family"})
    assert answer.status_code == 200, answer.text


async def expire(kit: LiveKit) -> None:
    async with transaction(kit.state.sessionmaker) as session:
        await session.execute(update(Authorization).where(Authorization.event_id == kit.event["id"])
                              .values(expires_on=kit.clock.now().date() - timedelta(days=1)))


async def finding(kit: LiveKit) -> None:
    async with transaction(kit.state.sessionmaker) as session:
        await session.execute(update(ItemVersion).where(ItemVersion.item_id == kit.items[0]["id"])
                              .values(findings=[{"kind": "name", "text": "a name", "overridden": False}]))


@pytest.mark.parametrize(("change", "reason"), [
    (revoke, "no valid patient authorization"), (expire, "no valid patient authorization"),
    (finding, "open privacy findings"),
])
async def test_what_is_committed_after_the_cue_stops_the_send(
        client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any,
        change: Callable[[LiveKit], Awaitable[None]], reason: str) -> None:
    kit, dispatcher = await cued(client, app, clock, sessionmaker)
    await change(kit)  # committed between the cue's commit and the round that sends what it handed over
    await dispatcher.run_once()
    assert await kit.sandbox_posts() == []
    [delivery] = await kit.deliveries()
    assert delivery.status == "abandoned"
    assert delivery.last_error is not None and reason in delivery.last_error


async def test_the_request_goes_out_while_another_transaction_writes(
        client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any) -> None:
    kit, dispatcher = await cued(client, app, clock, sessionmaker)
    registry = kit.state.registry
    recording = Recording(registry.get("sandbox", "hospital"))
    registry.overrides[("sandbox", "hospital")] = recording
    try:
        async with transaction(sessionmaker) as writer:  # SQLite: holds the write lock until it commits
            await writer.execute(update(Event).where(Event.id == kit.event["id"]).values(title="Live from the OR"))
            sending = asyncio.create_task(dispatcher.run_once())
            await asyncio.wait_for(recording.published.wait(), timeout=10)  # sent while the writer holds the lock
        assert await sending == 1
    finally:
        registry.overrides.pop(("sandbox", "hospital"), None)
    [delivery] = await kit.deliveries()
    assert (delivery.status, len(recording.requests)) == ("posted", 1)
