"""The run of show is never overtaken, and every post waits a safety delay in which one click pulls it back."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient

from server.clock import FakeClock
from tests.livekit import LiveKit, prepare


async def _status(kit: LiveKit) -> dict[str, Any]:
    response = await kit.client.get(f"/api/events/{kit.event['id']}/live", headers=kit.comms)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _captions(kit: LiveKit) -> list[str]:
    return [p.text.split(":")[0] for p in await kit.sandbox_posts()]


async def test_an_automatic_item_waits_behind_an_uncued_step_then_posts_right_after_the_cue(
        client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any) -> None:
    kit = await prepare(client, app, clock, sessionmaker, offsets=["T+00:00", "T+00:30", "T+01:00"],
                        cues=[None, "incision made", None])
    eid = kit.event["id"]
    assert (await kit.post(f"/api/events/{eid}/live/go")).status_code == 200
    await kit.pump()
    assert await _captions(kit) == ["Update 1"]

    # Surgery runs late: an hour and a half in, the incision has not been cued; step 3 must not overtake it.
    clock.advance(minutes=90)
    await kit.pump()
    assert await _captions(kit) == ["Update 1"]
    step3 = next(i for i in (await _status(kit))["upcoming"] if i["key"] == "step-3")
    assert step3["waiting_for"] == "waiting for ‘incision made’"
    assert step3["overdue"] is False

    # The operator cues the incision: step 3 follows right away instead of turning overdue while it waited.
    assert (await kit.post(f"/api/events/{eid}/live/cue-next")).status_code == 200
    await kit.pump()
    clock.advance(1)
    await kit.pump()
    assert await _captions(kit) == ["Update 1", "Update 2", "Update 3"]


async def test_post_now_out_of_order_asks_naming_what_it_jumps(client: AsyncClient, app: FastAPI,
                                                               clock: FakeClock, sessionmaker: Any) -> None:
    kit = await prepare(client, app, clock, sessionmaker, offsets=[None, None, None],
                        cues=["scrub in", "incision made", "closing"])
    eid = kit.event["id"]
    assert (await kit.post(f"/api/events/{eid}/live/go")).status_code == 200
    last = kit.items[2]
    asked = await kit.post(f"/api/items/{last['id']}/post-now")
    assert asked.status_code == 409 and asked.json()["field"] == "confirm_out_of_order"
    assert "‘scrub in’, ‘incision made’" in asked.json()["detail"]
    assert [j["key"] for j in asked.json()["jumps"]] == ["step-1", "step-2"]
    await kit.pump()
    assert await _captions(kit) == []  # nothing was created by the refused request
    assert (await kit.post(f"/api/items/{last['id']}/post-now", {"confirm_out_of_order": True})).status_code == 200
    await kit.pump()
    assert await _captions(kit) == ["Update 3"]


async def test_a_post_pulled_back_inside_its_safety_delay_never_reaches_the_platform(
        client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any) -> None:
    kit = await prepare(client, app, clock, sessionmaker, offsets=[None, None], cues=["one", "two"])
    eid = kit.event["id"]
    assert (await client.patch(f"/api/events/{eid}", json={"safety_delay_seconds": 10},
                               headers=kit.author)).status_code == 200
    assert (await kit.post(f"/api/events/{eid}/live/go")).status_code == 200
    assert (await kit.post(f"/api/events/{eid}/live/cue-next")).status_code == 200
    await kit.pump()
    (counting,) = (await _status(kit))["countdown"]
    assert counting["item_key"] == "step-1" and counting["seconds_left"] == 10
    assert await _captions(kit) == []  # still counting down

    pulled = await kit.post(f"/api/deliveries/{counting['delivery_id']}/pull-back")
    assert pulled.status_code == 200 and pulled.json()["status"] == "abandoned", pulled.text
    clock.advance(60)
    await kit.pump()
    assert await _captions(kit) == []
    assert (await _status(kit))["upcoming"][0]["status"] == "approved"  # it can be posted again

    again = await kit.post(f"/api/events/{eid}/live/cue-next")
    assert again.status_code == 200
    clock.advance(10)
    await kit.pump()
    assert await _captions(kit) == ["Update 1"]
    (posted,) = [d for d in await kit.deliveries() if d.status == "posted"]
    late = await kit.post(f"/api/deliveries/{posted.id}/pull-back")
    assert late.status_code == 409 and "already posted" in late.json()["detail"]


async def test_an_emergency_hold_pulls_back_everything_counting_down(client: AsyncClient, app: FastAPI,
                                                                     clock: FakeClock, sessionmaker: Any) -> None:
    kit = await prepare(client, app, clock, sessionmaker, offsets=["T+00:00", None], cues=[None, "two"])
    eid = kit.event["id"]
    assert (await client.patch(f"/api/events/{eid}", json={"safety_delay_seconds": 20},
                               headers=kit.author)).status_code == 200
    assert (await kit.post(f"/api/events/{eid}/live/go")).status_code == 200
    await kit.pump()
    assert (await kit.post(f"/api/events/{eid}/live/cue-next")).status_code == 200
    assert len((await _status(kit))["countdown"]) == 2
    held = await kit.post(f"/api/events/{eid}/live/emergency-hold", {"post_holding_message": True})
    assert held.status_code == 200
    await kit.pump()
    clock.advance(60)
    await kit.pump()
    texts = [p.text for p in await kit.sandbox_posts()]
    assert texts == ["We are pausing our updates while the team focuses on the patient."]  # no delay for it
    assert (await _status(kit))["countdown"] == []


async def test_the_closing_post_counting_down_when_the_event_ends_still_goes_out(
        client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any) -> None:
    kit = await prepare(client, app, clock, sessionmaker, offsets=[None, None], cues=["one", "closing"])
    eid = kit.event["id"]
    assert (await client.patch(f"/api/events/{eid}", json={"safety_delay_seconds": 10},
                               headers=kit.author)).status_code == 200
    assert (await kit.post(f"/api/events/{eid}/live/go")).status_code == 200
    assert (await kit.post(f"/api/events/{eid}/live/cue-next")).status_code == 200
    assert (await kit.post(f"/api/events/{eid}/live/end")).status_code == 200
    refused = await kit.post(f"/api/items/{kit.items[1]['id']}/post-now", {"confirm_out_of_order": True})
    assert refused.status_code == 409  # nothing new after the end
    clock.advance(10)
    await kit.pump()
    assert await _captions(kit) == ["Update 1"]  # queued while live: it leaves after its delay


async def test_skip_can_be_undone_while_live(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                             sessionmaker: Any) -> None:
    kit = await prepare(client, app, clock, sessionmaker, offsets=[None, None], cues=["one", "two"])
    eid = kit.event["id"]
    first = kit.items[0]
    assert (await kit.post(f"/api/events/{eid}/live/go")).status_code == 200
    assert (await kit.post(f"/api/items/{first['id']}/skip")).json()["status"] == "skipped"
    undone = await kit.post(f"/api/items/{first['id']}/unskip")
    assert undone.status_code == 200 and undone.json()["status"] == "approved", undone.text
    assert (await kit.post(f"/api/items/{first['id']}/unskip")).status_code == 409  # not skipped any more
    assert (await kit.post(f"/api/events/{eid}/live/cue-next")).status_code == 200
    await kit.pump()
    assert await _captions(kit) == ["Update 1"]
