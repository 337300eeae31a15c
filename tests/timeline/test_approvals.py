"""The two-pairs-of-eyes rules, through the API."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from tests.factories import create_event, create_item, create_user, login


async def _setup(client: AsyncClient, sessionmaker: Any) -> dict[str, Any]:
    author = await create_user(sessionmaker, "comms")
    comms2 = await create_user(sessionmaker, "comms")
    comms3 = await create_user(sessionmaker, "comms")
    nurse = await create_user(sessionmaker, "clinical")
    users = {"author": author, "comms2": comms2, "comms3": comms3, "nurse": nurse}
    headers = {name: await login(client, user) for name, user in users.items()}
    event = await create_event(client, headers["author"])
    item = await create_item(client, headers["author"], event["id"])
    return {"h": headers, "event": event, "item": item}


async def _approve(client: AsyncClient, headers: dict[str, str], item: dict[str, Any], version: int | None = None):  # type: ignore[no-untyped-def]
    return await client.post(f"/api/items/{item['id']}/approve", json={"version": version or item["version"]},
                             headers=headers)


async def test_two_approvals_one_clinical_makes_item_approved(client: AsyncClient, sessionmaker: Any) -> None:
    s = await _setup(client, sessionmaker)
    first = await _approve(client, s["h"]["comms2"], s["item"])
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "draft"
    assert first.json()["approvals_needed"] == 1
    second = await _approve(client, s["h"]["nurse"], s["item"])
    assert second.status_code == 200, second.text
    body = second.json()
    assert body["status"] == "approved"
    assert body["approved_at"] is not None
    assert [a["as_clinical"] for a in body["approvals"]] == [False, True]


async def test_self_approval_is_refused(client: AsyncClient, sessionmaker: Any) -> None:
    s = await _setup(client, sessionmaker)
    response = await _approve(client, s["h"]["author"], s["item"])
    assert response.status_code == 403
    assert "own edit" in response.json()["detail"]


async def test_clinical_requirement(client: AsyncClient, sessionmaker: Any) -> None:
    s = await _setup(client, sessionmaker)
    assert (await _approve(client, s["h"]["comms2"], s["item"])).status_code == 200
    second = await _approve(client, s["h"]["comms3"], s["item"])
    assert second.status_code == 403
    assert "clinical" in second.json()["detail"]
    item = (await client.get(f"/api/items/{s['item']['id']}", headers=s["h"]["comms2"])).json()
    assert item["status"] == "draft"


async def test_same_person_cannot_approve_twice(client: AsyncClient, sessionmaker: Any) -> None:
    s = await _setup(client, sessionmaker)
    assert (await _approve(client, s["h"]["nurse"], s["item"])).status_code == 200
    again = await _approve(client, s["h"]["nurse"], s["item"])
    assert again.status_code == 409


async def test_edit_clears_approvals_and_stale_version_is_refused(client: AsyncClient, sessionmaker: Any) -> None:
    s = await _setup(client, sessionmaker)
    await _approve(client, s["h"]["comms2"], s["item"])
    await _approve(client, s["h"]["nurse"], s["item"])
    edit = await client.patch(f"/api/items/{s['item']['id']}",
                              json={"content": {"caption": "Scrubbing in now. #LiveOR"}}, headers=s["h"]["comms3"])
    assert edit.status_code == 200, edit.text
    edited = edit.json()
    assert edited["version"] == 2
    assert edited["status"] == "draft"
    assert edited["approvals"] == []
    stale = await _approve(client, s["h"]["nurse"], s["item"], version=1)
    assert stale.status_code == 409
    assert stale.json()["field"] == "version"
    # The editor of version 2 may not approve it; the original author now may.
    assert (await _approve(client, s["h"]["comms3"], edited)).status_code == 403
    assert (await _approve(client, s["h"]["author"], edited)).status_code == 200


async def test_unchanged_content_does_not_make_a_version(client: AsyncClient, sessionmaker: Any) -> None:
    s = await _setup(client, sessionmaker)
    await _approve(client, s["h"]["nurse"], s["item"])
    same = await client.patch(f"/api/items/{s['item']['id']}",
                              json={"content": {"caption": s["item"]["content"]["caption"]}},
                              headers=s["h"]["comms3"])
    assert same.json()["version"] == 1
    assert len(same.json()["approvals"]) == 1


async def test_rejection_needs_a_note_and_blocks_approval(client: AsyncClient, sessionmaker: Any) -> None:
    s = await _setup(client, sessionmaker)
    no_note = await client.post(f"/api/items/{s['item']['id']}/reject", json={"version": 1},
                                headers=s["h"]["nurse"])
    assert no_note.status_code == 422
    assert no_note.json()["field"] == "note"
    rejected = await client.post(f"/api/items/{s['item']['id']}/reject",
                                 json={"version": 1, "note": "Say 'leg vein', not 'saphenous'."},
                                 headers=s["h"]["nurse"])
    assert rejected.status_code == 200
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["approvals"][0]["note"].startswith("Say")
    blocked = await _approve(client, s["h"]["comms2"], s["item"])
    assert blocked.status_code == 409


async def test_text_too_long_for_a_platform_is_refused_and_nothing_is_written(
    client: AsyncClient, sessionmaker: Any
) -> None:
    s = await _setup(client, sessionmaker)
    event = await create_event(client, s["h"]["author"], platforms=[
        {"platform": "x", "account": "hospital"}, {"platform": "sandbox", "account": "hospital"}])
    response = await client.post(f"/api/events/{event['id']}/items",
                                 json={"caption": "word " * 80, "offset": "T+00:10"}, headers=s["h"]["author"])
    assert response.status_code == 422
    assert response.json()["field"] == "caption"
    assert "x" in response.json()["detail"].lower()
    items = await client.get(f"/api/events/{event['id']}/items", headers=s["h"]["author"])
    assert items.json() == []


async def test_media_needs_alt_text(client: AsyncClient, sessionmaker: Any) -> None:
    s = await _setup(client, sessionmaker)
    media = {"sha256": "a" * 64, "alt_text": " ", "mime_type": "image/png", "size_bytes": 1000}
    response = await client.post(f"/api/events/{s['event']['id']}/items",
                                 json={"caption": "Photo", "offset": "T+00:20", "media": [media]},
                                 headers=s["h"]["author"])
    assert response.status_code == 422
    assert response.json()["field"] == "media.0.alt_text"


async def test_items_are_dated(client: AsyncClient, sessionmaker: Any) -> None:
    s = await _setup(client, sessionmaker)
    item = s["item"]
    assert item["planned_at"].startswith("2026-12-01T12:45:00")
    assert item["created_at"]
    assert item["offset"] == "T+00:15"
