"""Rehearsal: the run of show on the sandbox at 10x, simulated audience replies, kept apart, resettable."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import func, select

from server.clock import FakeClock
from server.models import Message
from tests.livekit import prepare


async def test_rehearsal_at_ten_times_speed_then_reset(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                       sessionmaker: Any) -> None:
    kit = await prepare(client, app, clock, sessionmaker, offsets=["T+00:00", "T+01:00", "T+02:30"])
    eid = kit.event["id"]
    script = [{"at": "T+01:10", "handle": "curious_carla", "name": "Carla", "text": "How long does it take?"},
              {"at": "T+01:20", "handle": "worried_will", "text": "My dad has chest pain right now, what do I do?",
               "reply_to": "step-1"}]
    started = await kit.post(f"/api/events/{eid}/rehearsal/start", {"time_scale": 10, "audience": script})
    assert started.status_code == 200, started.text
    assert started.json()["status"] == "rehearsal"
    await kit.pump()
    assert [p.text.split(":")[0] for p in await kit.sandbox_posts()] == ["Update 1"]
    clock.advance(minutes=6)  # = T+01:00 at 10x
    await kit.pump()
    clock.advance(minutes=2)  # = T+01:20 at 10x: both audience lines are due
    await kit.pump()
    posts = await kit.sandbox_posts()
    assert [p.text for p in posts if p.rehearsal][:2][0].startswith("Update 1")
    audience = [p for p in posts if p.text.startswith(("How long", "My dad"))]
    assert len(audience) == 2
    await kit.state.poller.tick()
    async with sessionmaker() as session:
        messages = (await session.execute(select(Message))).scalars().all()
    assert {m.label for m in messages} >= {"question", "emergency"}
    assert all(m.rehearsal for m in messages)
    # The live record is untouched by the rehearsal.
    items = (await client.get(f"/api/events/{eid}/items?kind=post", headers=kit.comms)).json()
    assert {i["status"] for i in items} == {"approved"}
    reset = await kit.post(f"/api/events/{eid}/rehearsal/reset")
    assert reset.status_code == 200, reset.text
    assert reset.json()["messages"] == 2
    assert [p for p in await kit.sandbox_posts() if p.rehearsal] == []
    async with sessionmaker() as session:
        assert (await session.execute(select(func.count()).select_from(Message))).scalar() == 0
    event = (await client.get(f"/api/events/{eid}", headers=kit.comms)).json()
    assert event["status"] == "draft"
    assert (await kit.post(f"/api/events/{eid}/live/go")).status_code == 200
