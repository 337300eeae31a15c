"""Which follower samples a recap counts: a rehearsal reset leaves a clean slate, and a hold does not cut the
event's growth in two (followers gained are counted from the first go-live, not from the last resume)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import func, select

from server.clock import FakeClock
from server.models import EngagementSample, FollowerSample, MetricsAccount
from tests.livekit import prepare


async def _count(sessionmaker: Any, model: Any, event_id: int) -> int:
    async with sessionmaker() as session:
        return int((await session.execute(select(func.count()).select_from(model)
                                          .where(model.event_id == event_id))).scalar() or 0)


@pytest.mark.parametrize("settings_overrides", [{"metrics_interval_seconds": 10}])
async def test_rehearsal_reset_removes_its_metrics(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                   sessionmaker: Any) -> None:
    """A comms team resets a rehearsal to rehearse again: the next rehearsal's recap must not start from the
    first one's followers and likes."""
    kit = await prepare(client, app, clock, sessionmaker, offsets=["T+00:00"], holding=False)
    eid = kit.event["id"]
    assert (await kit.post(f"/api/events/{eid}/rehearsal/start", {"time_scale": 60})).status_code == 200
    for _ in range(3):
        await kit.pump()
        await kit.state.sampler.tick()
        clock.advance(seconds=10)
    assert await _count(sessionmaker, FollowerSample, eid) >= 2
    assert await _count(sessionmaker, EngagementSample, eid) >= 1
    reset = await kit.post(f"/api/events/{eid}/rehearsal/reset")
    assert reset.status_code == 200, reset.text
    assert reset.json()["follower_samples"] >= 2
    for model in (FollowerSample, EngagementSample, MetricsAccount):
        assert await _count(sessionmaker, model, eid) == 0, model.__name__
    recap = (await client.get(f"/api/events/{eid}/recap", headers=kit.comms)).json()
    assert recap["public"]["followers"] == [] and recap["sampling"] == []


@pytest.mark.parametrize("settings_overrides", [{"metrics_interval_seconds": 10}])
async def test_followers_gained_span_a_hold(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                            sessionmaker: Any) -> None:
    kit = await prepare(client, app, clock, sessionmaker, offsets=["T+02:00"], holding=False)
    eid = kit.event["id"]
    assert (await kit.post(f"/api/events/{eid}/live/go")).status_code == 200
    went_live = clock.now()
    await kit.state.sampler.tick()
    assert (await kit.post(f"/api/items/{kit.items[0]['id']}/post-now", {"confirm_out_of_order": True})).status_code \
        == 200
    await kit.pump()
    clock.advance(minutes=5)
    assert (await kit.post(f"/api/events/{eid}/live/hold")).status_code == 200
    clock.advance(minutes=5)
    assert (await kit.post(f"/api/events/{eid}/live/resume")).status_code == 200
    clock.advance(minutes=7)
    posted = next(p for p in await kit.sandbox_posts() if not p.rehearsal)
    asked = await client.post("/api/sandbox/replies", json={"in_reply_to": posted.id, "handle": "carla",
                                                            "display_name": "Carla", "text": "How long does it take?"})
    assert asked.status_code == 201, asked.text
    await kit.state.poller.tick()
    clock.advance(seconds=10)
    await kit.state.sampler.tick()
    async with sessionmaker() as session:
        stored = list((await session.execute(select(FollowerSample).where(FollowerSample.event_id == eid)
                                             .order_by(FollowerSample.at))).scalars())
    recap = (await client.get(f"/api/events/{eid}/recap", headers=kit.comms)).json()
    series = recap["public"]["followers"][0]["series"]
    assert len(stored) >= 2 and len(series) == len(stored)  # the sample taken before the hold still counts
    assert recap["public"]["followers"][0]["gained"] == stored[-1].followers - stored[0].followers
    assert datetime.fromisoformat(recap["public"]["live_since"]) == went_live  # the start, not the resume
    slots = recap["questions"]["per_ten_minutes"]  # ten-minute slots from go-live: the question came at +17 min
    assert datetime.fromisoformat(slots[0]["start"]) == went_live and [b["received"] for b in slots] == [0, 1]
