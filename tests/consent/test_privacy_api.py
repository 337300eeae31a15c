"""Privacy through the API: PHI findings block approval, overrides, the denylist, consents (media sanitizing:
tests/media/test_media_api.py)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient

from server.clock import FakeClock
from tests.factories import create_event, create_item, create_user, login
from tests.livekit import prepare

PATIENT = "Marguerite Okonkwo-Belanger"


async def _people(client: AsyncClient, sessionmaker: Any) -> tuple[dict[str, str], ...]:
    author = await login(client, await create_user(sessionmaker, "comms"))
    comms = await login(client, await create_user(sessionmaker, "comms"))
    nurse = await login(client, await create_user(sessionmaker, "clinical"))
    return author, comms, nurse


async def test_finding_blocks_approval_until_a_clinician_overrides(client: AsyncClient, sessionmaker: Any) -> None:
    author, comms, nurse = await _people(client, sessionmaker)
    event = await create_event(client, author)
    item = await create_item(client, author, event["id"],
                             caption="Questions? Call the cardiac unit at 416-555-0142. #LiveOR")
    assert [f["kind"] for f in item["findings"]] == ["phone"]
    finding = item["findings"][0]
    assert item["content"]["caption"][finding["start"]:finding["end"]] == "416-555-0142"
    blocked = await client.post(f"/api/items/{item['id']}/approve", json={"version": 1}, headers=comms)
    assert blocked.status_code == 409 and blocked.json()["field"] == "findings"
    not_clinical = await client.post(f"/api/items/{item['id']}/findings/0/override",
                                     json={"version": 1, "reason": "public hospital switchboard"}, headers=comms)
    assert not_clinical.status_code == 403
    override = await client.post(f"/api/items/{item['id']}/findings/0/override",
                                 json={"version": 1, "reason": "public hospital switchboard"}, headers=nurse)
    assert override.status_code == 200
    assert override.json()["findings"][0]["overridden"]["reason"] == "public hospital switchboard"
    approved = await client.post(f"/api/items/{item['id']}/approve", json={"version": 1}, headers=comms)
    assert approved.status_code == 200
    journal = (await client.get(f"/api/events/{event['id']}/journal", headers=comms)).json()["entries"]
    assert any(e["kind"] == "finding.overridden" and e["payload"]["reason"] for e in journal)


async def test_clean_caption_with_staff_name_and_timestamp_has_no_findings(client: AsyncClient,
                                                                          sessionmaker: Any) -> None:
    author, _, _ = await _people(client, sessionmaker)
    event = await create_event(client, author, staff_names=["Dr. Stephen Fremes"])
    item = await create_item(client, author, event["id"], caption=(
        "Update 10:15: Dr. Stephen Fremes has finished the first graft. About 1 in 4 bypass patients "
        "need three or more grafts. #LiveOR"))
    assert item["findings"] == []


async def test_denylist_is_caught_in_any_casing_and_never_echoed(client: AsyncClient, sessionmaker: Any) -> None:
    author, comms, _ = await _people(client, sessionmaker)
    event = await create_event(client, author)
    put = await client.put(f"/api/events/{event['id']}/denylist", headers=author,
                           json={"entries": [PATIENT, "MRN 0045-7781"]})
    assert put.status_code == 200
    assert put.json() == {"configured": True, "entry_count": 2, "updated_at": put.json()["updated_at"]}
    for caption in ("Wishing marguerite   OKONKWO-belanger a good recovery", "Chart 00457781 is ready"):
        item = await create_item(client, author, event["id"], caption=caption, offset=None, cue="x")
        assert "denylist" in {f["kind"] for f in item["findings"]}, caption
    for path in (f"/api/events/{event['id']}", f"/api/events/{event['id']}/denylist",
                 f"/api/events/{event['id']}/journal?limit=1000"):
        text = (await client.get(path, headers=comms)).text.lower()
        for secret in ("okonkwo", "marguerite", "0045-7781", "00457781"):
            assert secret not in text, (path, secret)
    items = (await client.get(f"/api/events/{event['id']}/items", headers=comms)).json()
    for item in items:
        for finding in item["findings"]:
            assert "okonkwo" not in finding["reason"].lower() and "0045" not in finding["reason"]


async def test_denylist_change_blocks_an_already_approved_item(client: AsyncClient, sessionmaker: Any) -> None:
    author, comms, nurse = await _people(client, sessionmaker)
    event = await create_event(client, author)
    item = await create_item(client, author, event["id"], caption="Thank you Okonkwo family for sharing this day")
    assert item["findings"] == [] or all(f["kind"] == "name" for f in item["findings"])
    if item["findings"]:
        await client.post(f"/api/items/{item['id']}/findings/0/override",
                          json={"version": 1, "reason": "family asked to be thanked"}, headers=nurse)
    for headers in (comms, nurse):
        await client.post(f"/api/items/{item['id']}/approve", json={"version": 1}, headers=headers)
    await client.put(f"/api/events/{event['id']}/denylist", headers=author, json={"entries": ["Okonkwo"]})
    read = (await client.get(f"/api/items/{item['id']}", headers=comms)).json()
    assert read["status"] == "blocked"
    assert "denylist" in {f["kind"] for f in read["findings"]}


async def test_items_need_valid_consents_at_approval(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                     sessionmaker: Any) -> None:
    kit = await prepare(client, app, clock, sessionmaker, offsets=[], holding=False)
    eid = kit.event["id"]
    unknown = await create_item(client, kit.author, eid, key="unknown-consent", offset=None, cue="x",
                                caption="A story from the family. #LiveOR", authorizations=["nobody"])
    refused = await client.post(f"/api/items/{unknown['id']}/approve", json={"version": 1}, headers=kit.comms)
    assert refused.status_code == 409 and refused.json()["field"] == "authorizations"
    assert "not on file" in refused.json()["detail"]


async def test_policy_page_per_role(client: AsyncClient, sessionmaker: Any) -> None:
    author, _, nurse = await _people(client, sessionmaker)
    event = await create_event(client, author, staff_names=["Dr. Stephen Fremes"])
    comms_page = (await client.get(f"/api/events/{event['id']}/policy", headers=author)).json()
    assert comms_page["role"] == "comms"
    titles = [s["title"] for s in comms_page["sections"]]
    assert titles[:3] == ["You may", "You must never", "Take it offline"]
    assert any("Dr. Stephen Fremes" in p for p in comms_page["sections"][0]["points"])
    clinical_page = (await client.get(f"/api/events/{event['id']}/policy", headers=nurse)).json()
    assert clinical_page["role"] == "clinical"
    assert "Answering from the tablet" in [s["title"] for s in clinical_page["sections"]]
