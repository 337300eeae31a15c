"""Events: creation, validation with the field named, updates."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from tests.factories import create_event, create_user, event_payload, login


async def test_create_and_read_event(client: AsyncClient, sessionmaker: Any) -> None:
    headers = await login(client, await create_user(sessionmaker, "comms"))
    event = await create_event(client, headers)
    assert event["status"] == "draft"
    assert event["approval_policy"] == {"approvals_required": 2, "clinical_required": 1}
    assert event["platforms"] == [{"platform": "sandbox", "account": "hospital", "enabled": True}]
    read = await client.get(f"/api/events/{event['id']}", headers=headers)
    assert read.json()["slug"] == event["slug"]


async def test_bad_timezone_names_the_field(client: AsyncClient, sessionmaker: Any) -> None:
    headers = await login(client, await create_user(sessionmaker, "comms"))
    response = await client.post("/api/events", json=event_payload(timezone="Mars/Olympus"), headers=headers)
    assert response.status_code == 422
    assert response.json()["field"] == "timezone"


async def test_naive_start_time_refused(client: AsyncClient, sessionmaker: Any) -> None:
    headers = await login(client, await create_user(sessionmaker, "comms"))
    response = await client.post("/api/events", json=event_payload(planned_start="2026-12-01T07:30:00"),
                                 headers=headers)
    assert response.status_code == 422
    assert response.json()["field"] == "planned_start"


async def test_duplicate_slug_conflicts(client: AsyncClient, sessionmaker: Any) -> None:
    headers = await login(client, await create_user(sessionmaker, "comms"))
    await create_event(client, headers, slug="same-slug")
    again = await client.post("/api/events", json=event_payload(slug="same-slug"), headers=headers)
    assert again.status_code == 409
    assert again.json()["field"] == "slug"


async def test_unknown_event_is_404(client: AsyncClient, sessionmaker: Any) -> None:
    headers = await login(client, await create_user(sessionmaker, "clinical"))
    assert (await client.get("/api/events/9999", headers=headers)).status_code == 404


async def test_clinical_cannot_create_events(client: AsyncClient, sessionmaker: Any) -> None:
    headers = await login(client, await create_user(sessionmaker, "clinical"))
    assert (await client.post("/api/events", json=event_payload(), headers=headers)).status_code == 403


async def test_update_policy_and_platforms(client: AsyncClient, sessionmaker: Any) -> None:
    headers = await login(client, await create_user(sessionmaker, "admin"))  # only an admin changes the policy
    event = await create_event(client, headers)
    response = await client.patch(f"/api/events/{event['id']}", headers=headers, json={
        "approval_policy": {"approvals_required": 3, "clinical_required": 2},
        "policy_reason": "two clinicians on every post for this case",
        "platforms": [{"platform": "mastodon", "account": "hospital@mastodon.example"}],
    })
    assert response.status_code == 200, response.text
    assert response.json()["approval_policy"]["approvals_required"] == 3
    assert [p["platform"] for p in response.json()["platforms"]] == ["mastodon"]
    bad = await client.patch(f"/api/events/{event['id']}", headers=headers, json={
        "approval_policy": {"approvals_required": 3, "clinical_required": 4}, "policy_reason": "more clinicians"})
    assert bad.status_code == 422
    assert bad.json()["field"] == "approval_policy.clinical_required"
