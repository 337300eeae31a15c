"""The pre-flight checklist: going live is refused (409 naming the failed checks) until every check passes or the
rehearsal is waived with a journaled reason; with LIVECUE_PREFLIGHT_REQUIRED off it is only advice."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from server.clock import FakeClock
from tests.factories import create_item
from tests.livekit import prepare

REQUIRED = [{"preflight_required": True}]


def _checks(report: dict[str, Any]) -> dict[str, bool]:
    return {c["name"]: c["ok"] for c in report["checks"]}


@pytest.mark.parametrize("settings_overrides", REQUIRED)
async def test_go_live_needs_the_checklist(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                           sessionmaker: Any) -> None:
    kit = await prepare(client, app, clock, sessionmaker, offsets=["T+00:10", "T+02:00"], holding=False,
                        denylist=False)
    eid = kit.event["id"]
    late = await create_item(client, kit.author, eid, key="unapproved-late", offset="T+03:00", caption="Later on.")
    early = await create_item(client, kit.author, eid, key="unapproved-early", offset="T+00:40", caption="Soon.")
    assert late["status"] == early["status"] == "draft"

    report = (await client.get(f"/api/events/{eid}/preflight", headers=kit.comms)).json()
    assert report["required"] is True and report["ok"] is False
    assert [c["name"] for c in report["checks"]] == ["consent", "denylist", "platforms", "holding", "approvals",
                                                     "rehearsal"]
    assert _checks(report) == {"consent": True, "denylist": False, "platforms": True, "holding": False,
                               "approvals": False, "rehearsal": False}
    approvals = next(c for c in report["checks"] if c["name"] == "approvals")
    assert "unapproved-early" in approvals["detail"] and "unapproved-late" not in approvals["detail"]

    refused = await kit.post(f"/api/events/{eid}/live/go")
    assert refused.status_code == 409
    body = refused.json()
    assert body["field"] == "preflight"
    assert body["failed"] == ["denylist", "holding", "approvals", "rehearsal"]
    assert "denylist" in body["detail"]

    # Fix everything but the rehearsal, then waive it with a reason.
    assert (await client.put(f"/api/events/{eid}/denylist", headers=kit.comms,
                             json={"entries": ["Jane Example", "MRN 4471"]})).status_code == 200
    holding = await create_item(client, kit.author, eid, kind="holding", key="holding", offset=None,
                                caption="We are pausing our updates.")
    await kit.approve(holding)
    await kit.approve(early)
    short = await kit.post(f"/api/events/{eid}/preflight/waive", {"check": "rehearsal", "reason": "no"})
    assert short.status_code == 422
    waived = await kit.post(f"/api/events/{eid}/preflight/waive",
                            {"check": "rehearsal", "reason": "Same team and room as last week's rehearsal."})
    assert waived.status_code == 200, waived.text
    report = waived.json()
    assert report["ok"] is True
    rehearsal = next(c for c in report["checks"] if c["name"] == "rehearsal")
    assert rehearsal["waived"] is True and "last week's rehearsal" in rehearsal["detail"]
    journal = (await client.get(f"/api/events/{eid}/journal", headers=kit.comms)).json()["entries"]
    assert any(e["kind"] == "preflight.waived" and e["payload"]["check"] == "rehearsal" for e in journal)

    assert (await kit.post(f"/api/events/{eid}/live/go")).status_code == 200
    late_waiver = await kit.post(f"/api/events/{eid}/preflight/waive", {"check": "rehearsal", "reason": "Too late."})
    assert late_waiver.status_code == 409


@pytest.mark.parametrize("settings_overrides", REQUIRED)
async def test_a_rehearsal_counts(client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any) -> None:
    kit = await prepare(client, app, clock, sessionmaker, offsets=["T+00:10"])
    eid = kit.event["id"]
    await client.put(f"/api/events/{eid}/denylist", headers=kit.comms, json={"entries": ["Jane Example"]})
    report = (await client.get(f"/api/events/{eid}/preflight", headers=kit.comms)).json()
    assert report["failed"] == ["rehearsal"]
    assert (await kit.post(f"/api/events/{eid}/rehearsal/start", {"time_scale": 20})).status_code == 200
    assert (await kit.post(f"/api/events/{eid}/rehearsal/reset")).status_code == 200
    report = (await client.get(f"/api/events/{eid}/preflight", headers=kit.comms)).json()
    assert report["ok"] is True
    assert "20" in next(c for c in report["checks"] if c["name"] == "rehearsal")["detail"]
    assert (await kit.post(f"/api/events/{eid}/live/go")).status_code == 200


async def test_advice_only_when_not_required(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                             sessionmaker: Any) -> None:
    kit = await prepare(client, app, clock, sessionmaker, offsets=["T+00:10"])
    eid = kit.event["id"]
    report = (await client.get(f"/api/events/{eid}/preflight", headers=kit.comms)).json()
    # Advice only: a failed check (the rehearsal) does not stop going live. The denylist is no longer advice:
    # the live service refuses without it whatever the setting (issue 14), and the kit sets one.
    assert report["required"] is False and "rehearsal" in report["failed"]
    assert (await kit.post(f"/api/events/{eid}/live/go")).status_code == 200
    staff = (await client.get(f"/api/events/{eid}/staff", headers=kit.clinical)).json()
    assert {"id", "display_name"} == set(staff[0]) and len(staff) >= 3
