"""A whole event driven through the API on the sandbox, with a controllable clock (no sleeping)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient

from server.clock import FakeClock
from tests.factories import create_item
from tests.livekit import prepare


async def test_whole_event(client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any) -> None:
    kit = await prepare(client, app, clock, sessionmaker,
                        offsets=["T+00:00", "T+00:10", "T+00:20", "T+00:30", None],
                        cues=[None, None, None, None, "first graft done"])
    eid = kit.event["id"]
    assert (await kit.post(f"/api/events/{eid}/live/go")).status_code == 200

    # T+00:00 posts itself; nothing else is due yet.
    await kit.pump()
    assert [p.text.split(":")[0] for p in await kit.sandbox_posts()] == ["Update 1"]

    # T+00:10 posts itself, as a reply to the first post.
    clock.advance(minutes=10)
    await kit.pump()
    posts = await kit.sandbox_posts()
    assert [p.text.split(":")[0] for p in posts] == ["Update 1", "Update 2"]
    assert posts[1].reply_to_id == posts[0].id

    # A hold: nothing posts while held, even when items fall due.
    assert (await kit.post(f"/api/events/{eid}/live/hold")).json()["status"] == "held"
    clock.advance(minutes=15)
    await kit.pump()
    assert len(await kit.sandbox_posts()) == 2
    status = (await client.get(f"/api/events/{eid}/live", headers=kit.comms)).json()
    assert [i["key"] for i in status["upcoming"] if i["overdue"]] == ["step-3"]

    # Manual post during a hold needs a deliberate confirm.
    refused = await kit.post(f"/api/events/{eid}/live/cue-next")
    assert refused.status_code == 409
    assert refused.json()["field"] == "confirm"

    # Resume: step-3 fell due during the hold, so it waits for the operator (no burst).
    assert (await kit.post(f"/api/events/{eid}/live/resume")).json()["status"] == "live"
    await kit.pump()
    assert len(await kit.sandbox_posts()) == 2
    status = (await client.get(f"/api/events/{eid}/live", headers=kit.comms)).json()
    assert status["upcoming"][0]["key"] == "step-3" and status["upcoming"][0]["overdue"] is True
    assert (await kit.post(f"/api/events/{eid}/live/cue-next")).status_code == 200
    await kit.pump()
    assert len(await kit.sandbox_posts()) == 3

    # T+00:30 is still in the future relative to the resume, so it posts itself.
    clock.advance(minutes=6)
    await kit.pump()
    assert len(await kit.sandbox_posts()) == 4

    # The cue-labelled item waits for the operator however long we wait.
    clock.advance(minutes=30)
    await kit.pump()
    assert len(await kit.sandbox_posts()) == 4

    # An ad-hoc post goes through the approval policy before it can post.
    adhoc = await create_item(client, kit.author, eid, key="adhoc", offset=None, cue="now",
                              caption="The surgeon just said: 'textbook graft'. #LiveOR")
    not_yet = await kit.post(f"/api/items/{adhoc['id']}/post-now")
    assert not_yet.status_code == 409
    await kit.approve(adhoc)
    # It sits after the cue-labelled step still waiting: posting it now jumps that step, so it asks first.
    jump = await kit.post(f"/api/items/{adhoc['id']}/post-now")
    assert jump.status_code == 409 and jump.json()["field"] == "confirm_out_of_order"
    assert "first graft done" in jump.json()["detail"]
    jumped = await kit.post(f"/api/items/{adhoc['id']}/post-now", {"confirm_out_of_order": True})
    assert jumped.status_code == 200
    await kit.pump()
    assert (await kit.sandbox_posts())[-1].text.startswith("The surgeon")

    # Emergency hold: holding message goes out to every platform and the event is held.
    response = await kit.post(f"/api/events/{eid}/live/emergency-hold", {"post_holding_message": True})
    assert response.json()["status"] == "held"
    await kit.pump()
    posts = await kit.sandbox_posts()
    assert posts[-1].text.startswith("We are pausing")
    assert posts[-1].reply_to_id == posts[-2].id
    journal = (await client.get(f"/api/events/{eid}/journal?limit=1000", headers=kit.comms)).json()
    assert "alert.emergency_hold" in [e["kind"] for e in journal["entries"]]

    # Resuming needs its own action; then the event ends.
    assert (await kit.post(f"/api/events/{eid}/live/resume")).status_code == 200
    assert (await kit.post(f"/api/events/{eid}/live/end")).json()["status"] == "ended"
    late = await kit.post(f"/api/events/{eid}/live/cue-next")
    assert late.status_code == 409
    assert late.json()["state"] == "ended"


async def test_wrong_state_commands_name_the_state(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                   sessionmaker: Any) -> None:
    kit = await prepare(client, app, clock, sessionmaker, offsets=["T+00:05"])
    eid = kit.event["id"]
    resume = await kit.post(f"/api/events/{eid}/live/resume")
    assert resume.status_code == 409
    assert resume.json()["state"] == "draft"
    assert "draft" in resume.json()["detail"]
    await kit.post(f"/api/events/{eid}/live/go")
    again = await kit.post(f"/api/events/{eid}/live/resume")
    assert again.status_code == 409 and again.json()["state"] == "live"


async def test_go_live_needs_a_patient_authorization(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                     sessionmaker: Any) -> None:
    kit = await prepare(client, app, clock, sessionmaker, offsets=["T+00:05"])
    eid = kit.event["id"]
    consents = (await client.get(f"/api/events/{eid}/authorizations", headers=kit.comms)).json()
    await kit.post(f"/api/authorizations/{consents[0]['id']}/revoke", {"reason": "patient withdrew consent"})
    refused = await kit.post(f"/api/events/{eid}/live/go")
    assert refused.status_code == 409
    assert "patient authorization" in refused.json()["detail"]


async def test_two_operators_post_once(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                       sessionmaker: Any) -> None:
    import asyncio

    kit = await prepare(client, app, clock, sessionmaker, offsets=[None], cues=["patient arrives"])
    eid = kit.event["id"]
    await kit.post(f"/api/events/{eid}/live/go")
    item_id = kit.items[0]["id"]
    first, second = await asyncio.gather(kit.post(f"/api/items/{item_id}/post-now"),
                                         kit.post(f"/api/items/{item_id}/post-now", headers=kit.author))
    assert sorted([first.status_code, second.status_code]) == [200, 409]
    await kit.pump()
    assert len(await kit.sandbox_posts()) == 1


async def test_restart_keeps_timing(client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any,
                                    settings: Any) -> None:
    from server.app import create_app

    kit = await prepare(client, app, clock, sessionmaker, offsets=["T+00:10"])
    await kit.post(f"/api/events/{kit.event['id']}/live/go")
    clock.advance(minutes=10, seconds=5)
    fresh = create_app(settings, clock=clock)
    async with fresh.router.lifespan_context(fresh):
        services = fresh.state.livecue
        await services.scheduler.tick()
        await services.dispatcher.run_once()
    assert len(await kit.sandbox_posts()) == 1
