"""Fast recovery: a lease left by a process of this host that is gone (a server killed with -9 and restarted) is
retaken on the next pass, long before it ends; a lease held by a live process, another host, or an owner id of an
older form waits for its end, as before."""

from __future__ import annotations

import os
import subprocess
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import update

from server.clock import FakeClock
from server.models import Delivery
from server.platforms.base import PublishRequest
from server.publishing import leases
from server.publishing.dispatcher import LEASE_EXPIRED, Dispatcher
from server.publishing.leases import SENDER_GONE, holder_is_gone, owner_id, process_exists
from tests.livekit import LiveKit, prepare


def dead_pid() -> int:
    """The id of a process of this host that has ended (and been reaped)."""
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


async def two_cued(client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any) -> LiveKit:
    kit = await prepare(client, app, clock, sessionmaker, offsets=[None, None], cues=["a", "b"], holding=False)
    await kit.post(f"/api/events/{kit.event['id']}/live/go")
    for item in kit.items:
        assert (await kit.post(f"/api/items/{item['id']}/post-now")).status_code == 200
    return kit


def other_dispatcher(kit: LiveKit, owner: str) -> Dispatcher:
    live: Dispatcher = kit.state.dispatcher
    return Dispatcher(live.sessionmaker, live.registry, live.store, clock=kit.clock, owner=owner, lease_seconds=120)


async def journal(kit: LiveKit) -> list[dict[str, Any]]:
    response = await kit.client.get(f"/api/events/{kit.event['id']}/journal?limit=1000", headers=kit.comms)
    entries: list[dict[str, Any]] = response.json()["entries"]
    return entries


@pytest.mark.parametrize("posted_before_dying", [True, False])
async def test_a_lease_left_by_a_dead_process_of_this_host_is_retaken_on_the_next_pass(
        client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any, posted_before_dying: bool) -> None:
    kit = await two_cued(client, app, clock, sessionmaker)
    gone = owner_id(pid=dead_pid())
    first = (await kit.deliveries())[0]
    assert await other_dispatcher(kit, gone)._claim(first.id) == "pending"  # claimed, then killed with -9
    if posted_before_dying:
        sandbox = kit.state.registry.get("sandbox", "hospital")
        await sandbox.publish(PublishRequest(text=first.text, idempotency_key=first.idempotency_key))

    await kit.pump()  # the clock has not moved: 120 s of lease are left
    posts = await kit.sandbox_posts()
    assert [d.status for d in await kit.deliveries()] == ["posted", "posted"]
    assert len(posts) == 2 and posts[1].reply_to_id == posts[0].id  # looked up, not re-sent blindly
    entries = await journal(kit)
    unknown = [e["payload"] for e in entries if e["kind"] == "delivery.unknown"]
    assert unknown == [{"platform": "sandbox", "error": SENDER_GONE, "lease_owner": gone,
                        "item_id": first.item_id, "attempts": 1}]
    found = [e["payload"]["found"] for e in entries if e["kind"] == "delivery.reconciled"]
    reconciled = [e for e in entries if e["kind"] == "delivery.posted" and e["payload"]["reconciled"]]
    assert (len(reconciled), found) == ((1, []) if posted_before_dying else (0, [False]))


async def test_a_lease_left_by_an_earlier_process_with_this_pid_is_retaken(
        client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any) -> None:
    kit = await two_cued(client, app, clock, sessionmaker)
    earlier_self = owner_id(nonce="0badc0de" if leases.PROCESS_NONCE != "0badc0de" else "0badcafe")
    assert await other_dispatcher(kit, earlier_self)._claim((await kit.deliveries())[0].id) == "pending"
    await kit.pump()
    assert [d.status for d in await kit.deliveries()] == ["posted", "posted"]
    assert len(await kit.sandbox_posts()) == 2


async def test_a_lookup_left_by_a_dead_process_starts_again_at_once(
        client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any) -> None:
    kit = await two_cued(client, app, clock, sessionmaker)
    first = (await kit.deliveries())[0]
    async with sessionmaker() as session:
        await session.execute(update(Delivery).where(Delivery.id == first.id).values(status="unknown"))
        await session.commit()
    assert await other_dispatcher(kit, owner_id(pid=dead_pid()))._claim(first.id) == "unknown"  # died looking
    await kit.pump()
    assert [d.status for d in await kit.deliveries()] == ["posted", "posted"]
    assert len(await kit.sandbox_posts()) == 2


@pytest.mark.parametrize("holder", ["a live process of this host", "a dead pid on another host",
                                    "another dispatcher of this process", "an owner id of an older form"])
async def test_a_lease_held_by_a_live_or_unknown_holder_waits_for_its_end(
        client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any, holder: str) -> None:
    owner = {"a live process of this host": owner_id(pid=os.getppid()),
             "a dead pid on another host": owner_id(host="elsewhere~0123abcd", pid=dead_pid()),
             "another dispatcher of this process": owner_id(),
             "an owner id of an older form": "dispatcher-1a2b3c4d"}[holder]
    assert not holder_is_gone(owner)
    kit = await two_cued(client, app, clock, sessionmaker)
    assert await other_dispatcher(kit, owner)._claim((await kit.deliveries())[0].id) == "pending"

    clock.advance(seconds=119)
    await kit.pump()
    assert [d.status for d in await kit.deliveries()] == ["sending", "pending"]
    assert await kit.sandbox_posts() == []

    clock.advance(seconds=2)
    await kit.pump()
    assert [d.status for d in await kit.deliveries()] == ["posted", "posted"]
    assert [e["payload"]["error"] for e in await journal(kit) if e["kind"] == "delivery.unknown"] == [LEASE_EXPIRED]


def test_a_process_we_may_not_signal_exists(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(pid: int, signal: int) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "kill", refuse)
    assert process_exists(12345)
    assert not holder_is_gone(owner_id(pid=12345))


def test_a_zombie_and_a_reaped_process_are_gone() -> None:
    proc = subprocess.Popen(["true"])
    os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)  # ended, not yet reaped: a zombie
    try:
        assert not process_exists(proc.pid)
    finally:
        proc.wait()
    assert not process_exists(proc.pid)
    assert process_exists(os.getpid()) and process_exists(os.getppid())


def test_owner_ids_fit_the_column_and_parse() -> None:
    owner = owner_id(host="h" * 20 + "~0123abcd", pid=4194304)
    assert len(owner) <= 64
    holder = leases.parse_owner(owner)
    assert holder is not None and holder.pid == 4194304 and holder.nonce == leases.PROCESS_NONCE
    assert leases.parse_owner("dispatcher-1a2b3c4d") is None and leases.parse_owner("a:b:c") is None
    assert len(owner_id()) <= 64 and ":" not in leases.this_host()
