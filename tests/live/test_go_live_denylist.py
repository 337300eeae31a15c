"""Going live needs the patient denylist: without it the PHI screen cannot recognise the patient (issue 14)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient

from server.clock import FakeClock
from tests.factories import set_denylist
from tests.livekit import prepare


async def test_go_live_refuses_without_the_patient_denylist(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                            sessionmaker: Any) -> None:
    kit = await prepare(client, app, clock, sessionmaker, offsets=["T+00:05"])
    eid = kit.event["id"]
    cleared = await client.put(f"/api/events/{eid}/denylist", headers=kit.comms, json={"entries": []})
    assert cleared.status_code == 200 and cleared.json()["configured"] is False
    refused = await kit.post(f"/api/events/{eid}/live/go")
    assert refused.status_code == 409
    assert refused.json()["field"] == "denylist" and "denylist" in refused.json()["detail"]
    assert refused.json()["state"] == "draft"

    await set_denylist(client, kit.comms, eid, ["Jane Example", "MRN 4471-22"])
    assert (await kit.post(f"/api/events/{eid}/live/go")).status_code == 200
