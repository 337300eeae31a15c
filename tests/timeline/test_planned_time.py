"""One planned time: the console's timeline (/items) and its header (/live) agree, also during a rehearsal.

`timeline/content.py` once had its own `planned_at` that ignored the rehearsal time scale, so at 10x the timeline
said T+01:00 was an hour away while the header (and the scheduler) said six minutes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient

from server.clock import FakeClock
from tests.livekit import prepare


async def test_timeline_and_header_agree_during_a_rehearsal(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                            sessionmaker: Any) -> None:
    kit = await prepare(client, app, clock, sessionmaker, offsets=["T+00:00", "T+01:00", "T+02:30"],
                        holding=False)
    eid = kit.event["id"]
    started = await kit.post(f"/api/events/{eid}/rehearsal/start", {"time_scale": 10, "audience": []})
    assert started.status_code == 200, started.text
    live = (await client.get(f"/api/events/{eid}/live", headers=kit.comms)).json()
    items = (await client.get(f"/api/events/{eid}/items?kind=post", headers=kit.comms)).json()
    header = {entry["key"]: datetime.fromisoformat(entry["planned_at"]) for entry in live["upcoming"]}
    timeline = {item["key"]: datetime.fromisoformat(item["planned_at"]) for item in items}
    assert header, live
    assert all(timeline[key] == when for key, when in header.items())
    start = datetime.fromisoformat(live["started_at"])
    assert timeline["step-2"] - start == timedelta(minutes=6)  # T+01:00 at 10x
    assert timeline["step-3"] - start == timedelta(minutes=15)  # T+02:30 at 10x
