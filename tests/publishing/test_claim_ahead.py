"""A cue claims its own due deliveries in its transaction when this process runs the dispatcher loop (issue 19:
one fsync fewer before the platform request), without weakening anything: the lease is committed with the cue,
the next round sends it first (the gate asks again), a delivery still in its safety delay or behind an earlier
post of its thread is left to the rounds, and a crash after the cue's commit is reconciled, never posted twice."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select, update

from server.clock import FakeClock
from server.db.session_scope import transaction
from server.models import Delivery, Event
from server.platforms.base import PublishRequest
from server.publishing.dispatcher import Dispatcher
from server.publishing.leases import SENDER_GONE, owner_id
from server.publishing.thread import claimable_now, due_deliveries
from tests.livekit import LiveKit, prepare


async def live_kit(client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any, count: int) -> LiveKit:
    kit = await prepare(client, app, clock, sessionmaker, offsets=[None] * count,
                        cues=[f"step {n}" for n in range(count)], holding=False)
    assert (await kit.post(f"/api/events/{kit.event['id']}/live/go")).status_code == 200
    return kit


async def test_the_cue_commits_the_claim_and_the_next_round_sends_it(client: AsyncClient, app: FastAPI,
                                                                     clock: FakeClock, sessionmaker: Any) -> None:
    kit = await live_kit(client, app, clock, sessionmaker, 1)
    dispatcher: Dispatcher = kit.state.dispatcher
    dispatcher.claims_ahead = True  # as `Workers.start` does when this process runs the loop
    dispatcher.wake.clear()
    assert (await kit.post(f"/api/items/{kit.items[0]['id']}/post-now")).status_code == 200
    [delivery] = await kit.deliveries()
    assert (delivery.status, delivery.lease_owner, delivery.attempts) == ("sending", dispatcher.owner, 1)
    assert dispatcher.wake.is_set()  # poked on commit
    assert await dispatcher.run_once() == 1
    [delivery] = await kit.deliveries()
    assert (delivery.status, delivery.attempts) == ("posted", 1)
    assert len(await kit.sandbox_posts()) == 1
    assert await dispatcher.run_once() == 0  # nothing handed twice


async def test_only_what_a_round_would_pick_now_is_claimed(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                           sessionmaker: Any) -> None:
    kit = await live_kit(client, app, clock, sessionmaker, 3)
    dispatcher: Dispatcher = kit.state.dispatcher
    dispatcher.claims_ahead = True
    # A thread post behind an open earlier one waits for it: the second cue finds the first still pending.
    dispatcher.claims_ahead = False
    assert (await kit.post(f"/api/items/{kit.items[0]['id']}/post-now")).status_code == 200
    dispatcher.claims_ahead = True
    assert (await kit.post(f"/api/items/{kit.items[1]['id']}/post-now")).status_code == 200
    assert [d.status for d in await kit.deliveries()] == ["pending", "pending"]
    await kit.pump()
    assert [d.status for d in await kit.deliveries()] == ["posted", "posted"]
    # In its safety delay a delivery is not claimed either: the operator can still pull it back.
    patched = await client.patch(f"/api/events/{kit.event['id']}", json={"safety_delay_seconds": 10},
                                 headers=kit.author)
    assert patched.status_code == 200, patched.text
    assert (await kit.post(f"/api/items/{kit.items[2]['id']}/post-now")).status_code == 200
    assert [d.status for d in await kit.deliveries()][-1] == "pending"
    await kit.pump()
    assert len(await kit.sandbox_posts()) == 2
    clock.advance(seconds=11)
    await kit.pump()
    posts = await kit.sandbox_posts()
    assert len(posts) == 3 and posts[2].reply_to_id == posts[1].id


async def test_a_crash_after_the_cues_commit_is_reconciled_not_posted_twice(
        client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any) -> None:
    kit = await live_kit(client, app, clock, sessionmaker, 1)
    live: Dispatcher = kit.state.dispatcher
    proc = subprocess.Popen(["true"])
    proc.wait()
    crashed = Dispatcher(live.sessionmaker, live.registry, live.store, clock=clock, owner=owner_id(pid=proc.pid))
    crashed.claims_ahead = True
    kit.state.dispatcher = crashed  # the process that took the cue ...
    try:
        assert (await kit.post(f"/api/items/{kit.items[0]['id']}/post-now")).status_code == 200
    finally:
        kit.state.dispatcher = live
    [delivery] = await kit.deliveries()
    assert (delivery.status, delivery.lease_owner) == ("sending", crashed.owner)
    # ... sent the post and was killed before recording it (its hand-over died with it).
    sandbox = live.registry.get("sandbox", "hospital")
    await sandbox.publish(PublishRequest(text=delivery.text, idempotency_key=delivery.idempotency_key))
    await kit.pump()  # the lease has 120 s left, but its holder is gone: looked up, found, not re-sent
    [delivery] = await kit.deliveries()
    assert delivery.status == "posted"
    assert len(await kit.sandbox_posts()) == 1
    entries = (await client.get(f"/api/events/{kit.event['id']}/journal?limit=1000",
                                headers=kit.comms)).json()["entries"]
    assert any(e["kind"] == "delivery.unknown" and e["payload"]["error"] == SENDER_GONE for e in entries)
    assert any(e["kind"] == "delivery.posted" and e["payload"]["reconciled"] for e in entries)


async def test_a_send_refused_at_post_time_still_passes_the_gate(client: AsyncClient, app: FastAPI,
                                                                 clock: FakeClock, sessionmaker: Any) -> None:
    kit = await live_kit(client, app, clock, sessionmaker, 1)
    dispatcher: Dispatcher = kit.state.dispatcher
    dispatcher.claims_ahead = True
    assert (await kit.post(f"/api/items/{kit.items[0]['id']}/post-now")).status_code == 200
    held = await kit.post(f"/api/events/{kit.event['id']}/live/emergency-hold",
                          {"post_holding_message": False})
    assert held.status_code == 200, held.text  # committed after the cue's claim, before the round
    await dispatcher.run_once()
    assert await kit.sandbox_posts() == []
    [delivery] = await kit.deliveries()
    assert delivery.status == "pending"  # waits for the operator, its lease given back


async def test_the_send_uses_what_the_cue_read_only_while_nothing_else_was_committed(
        client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any) -> None:
    """On SQLite the cue's transaction holds the write lock, so the facts it read for the send are the committed
    state at its commit; the send uses them while no other write has been committed since, and reads again
    otherwise (here: an emergency hold after the cue, which then stops the post)."""
    kit = await live_kit(client, app, clock, sessionmaker, 2)
    dispatcher: Dispatcher = kit.state.dispatcher
    dispatcher.claims_ahead = True
    sqlite = app.state.livecue.engine.dialect.name == "sqlite"
    assert (await kit.post(f"/api/items/{kit.items[0]['id']}/post-now")).status_code == 200
    [handed] = dispatcher._handed
    assert handed.fresh() is sqlite  # PostgreSQL: read at send time, always
    assert await dispatcher.run_once() == 1
    assert len(await kit.sandbox_posts()) == 1
    assert (await kit.post(f"/api/items/{kit.items[1]['id']}/post-now")).status_code == 200
    [handed] = dispatcher._handed
    held = await kit.post(f"/api/events/{kit.event['id']}/live/emergency-hold", {"post_holding_message": False})
    assert held.status_code == 200, held.text  # another writer commits before the round
    assert not handed.fresh()
    await dispatcher.run_once()
    assert len(await kit.sandbox_posts()) == 1  # the hold was seen: read again, not sent
    [_, second] = await kit.deliveries()
    assert second.status == "pending"


async def test_the_cues_claim_asks_what_the_rounds_due_query_asks(client: AsyncClient, app: FastAPI,
                                                                   clock: FakeClock, sessionmaker: Any) -> None:
    """`claimable_now` (the cue's one-statement claim) picks exactly what `due_deliveries` would, state by state
    (and, like `_claim`'s guarded update, only what no lease holds)."""
    kit = await live_kit(client, app, clock, sessionmaker, 3)
    for item in kit.items:  # queued, not claimed: pending deliveries in thread order
        assert (await kit.post(f"/api/items/{item['id']}/post-now")).status_code == 200
    first, second, third = ids = [d.id for d in await kit.deliveries()]
    states: list[dict[int, dict[str, Any]]] = [
        {},  # only the head is due
        {first: {"status": "needs_reauth"}},  # an account to reconnect holds the rest of its thread
        {first: {"status": "posted"}, second: {"next_attempt_at": clock.now() + timedelta(seconds=5)}},  # delay
        {first: {"status": "posted"}, second: {"status": "posted"}, third: {"manual": False}},
        {first: {"status": "posted"}, second: {"purpose": "reply", "thread_seq": 0}},  # not in the thread
    ]
    seen: set[int] = set()
    for held in (False, True):
        for changes in states:
            async with transaction(sessionmaker) as session:
                for seq, delivery_id in enumerate(ids, start=1):
                    await session.execute(update(Delivery).where(Delivery.id == delivery_id).values(
                        status="pending", next_attempt_at=clock.now(), lease_until=None, manual=True,
                        purpose="thread", thread_seq=seq))
                await session.execute(update(Event).values(status="held" if held else "live"))
                for delivery_id, values in changes.items():
                    await session.execute(update(Delivery).where(Delivery.id == delivery_id).values(**values))
            async with sessionmaker() as session:
                for item in kit.items:
                    due = {d.id for d in await due_deliveries(session, clock.now(), item_id=item["id"])}
                    claimable = set((await session.execute(select(Delivery.id).where(
                        Delivery.item_id == item["id"], claimable_now(clock.now())))).scalars())
                    assert claimable == due, (held, changes)
                    seen.update(due)
    assert seen == set(ids)  # each of them was due in some state
