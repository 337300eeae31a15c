"""The two-person rule is a floor: the server's minimum approval policy, and who may change an event's policy."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient
from pydantic import ValidationError

from server.config import Settings
from server.db.session_scope import transaction
from server.models import Event
from tests.factories import create_event, create_item, create_user, event_payload, login

REASON = "the board asked for a second clinician on every post"


async def _patch(client: AsyncClient, headers: dict[str, str], event: dict[str, Any], **body: Any) -> Any:
    return await client.patch(f"/api/events/{event['id']}", headers=headers, json=body)


async def _journal(client: AsyncClient, headers: dict[str, str], event: dict[str, Any]) -> list[dict[str, Any]]:
    return list((await client.get(f"/api/events/{event['id']}/journal", headers=headers)).json()["entries"])


async def _set_row(sessionmaker: Any, event_id: int, **values: Any) -> None:
    async with transaction(sessionmaker) as session:
        row = await session.get(Event, event_id)
        assert row is not None
        for name, value in values.items():
            setattr(row, name, value)


async def test_create_below_the_floor_names_the_field(client: AsyncClient, sessionmaker: Any) -> None:
    headers = await login(client, await create_user(sessionmaker, "comms"))
    one = await client.post("/api/events", headers=headers, json=event_payload(
        approval_policy={"approvals_required": 1, "clinical_required": 1}))
    assert one.status_code == 422, one.text
    assert one.json()["field"] == "approval_policy.approvals_required"
    assert one.json()["detail"] == ("approvals_required must be at least 2 "
                                    "(the server's floor, LIVECUE_MIN_APPROVALS)")
    no_clinician = await client.post("/api/events", headers=headers, json=event_payload(
        approval_policy={"approvals_required": 2, "clinical_required": 0}))
    assert no_clinician.status_code == 422, no_clinician.text
    assert no_clinician.json()["field"] == "approval_policy.clinical_required"
    assert no_clinician.json()["detail"] == ("clinical_required must be at least 1 "
                                             "(the server's floor, LIVECUE_MIN_CLINICAL_APPROVALS)")
    assert (await client.get("/api/events", headers=headers)).json() == []


async def test_clinical_can_never_exceed_approvals(client: AsyncClient, sessionmaker: Any) -> None:
    headers = await login(client, await create_user(sessionmaker, "comms"))
    response = await client.post("/api/events", headers=headers, json=event_payload(
        approval_policy={"approvals_required": 2, "clinical_required": 3}))
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "approval_policy.clinical_required"
    assert "cannot exceed approvals_required" in response.json()["detail"]


async def test_patch_below_the_floor_names_the_field(client: AsyncClient, sessionmaker: Any) -> None:
    comms = await login(client, await create_user(sessionmaker, "comms"))
    admin = await login(client, await create_user(sessionmaker, "admin"))
    event = await create_event(client, comms)
    response = await _patch(client, admin, event, policy_reason=REASON,
                            approval_policy={"approvals_required": 1, "clinical_required": 1})
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "approval_policy.approvals_required"
    assert "at least 2" in response.json()["detail"] and "LIVECUE_MIN_APPROVALS" in response.json()["detail"]
    read = (await client.get(f"/api/events/{event['id']}", headers=comms)).json()
    assert read["approval_policy"] == {"approvals_required": 2, "clinical_required": 1}


async def test_only_an_admin_changes_the_policy(client: AsyncClient, sessionmaker: Any) -> None:
    comms = await login(client, await create_user(sessionmaker, "comms"))
    event = await create_event(client, comms)
    refused = await _patch(client, comms, event, policy_reason=REASON,
                           approval_policy={"approvals_required": 3, "clinical_required": 2})
    assert refused.status_code == 403, refused.text
    assert "admin" in refused.json()["detail"]
    read = (await client.get(f"/api/events/{event['id']}", headers=comms)).json()
    assert read["approval_policy"] == {"approvals_required": 2, "clinical_required": 1}
    # Sending the policy in force unchanged is no change: comms still edits the rest of the event.
    same = await _patch(client, comms, event, title="Live from OR 3",
                        approval_policy={"approvals_required": 2, "clinical_required": 1})
    assert same.status_code == 200, same.text
    assert same.json()["title"] == "Live from OR 3"
    assert not [e for e in await _journal(client, comms, event) if e["kind"] == "event.policy_changed"]


async def test_admin_change_is_journaled_with_who_old_new_and_why(client: AsyncClient, sessionmaker: Any) -> None:
    comms = await login(client, await create_user(sessionmaker, "comms"))
    admin_user = await create_user(sessionmaker, "admin")
    admin = await login(client, admin_user)
    event = await create_event(client, comms)
    response = await _patch(client, admin, event, policy_reason=f"  {REASON} ",
                            approval_policy={"approvals_required": 3, "clinical_required": 2})
    assert response.status_code == 200, response.text
    assert response.json()["approval_policy"] == {"approvals_required": 3, "clinical_required": 2}
    (entry,) = [e for e in await _journal(client, comms, event) if e["kind"] == "event.policy_changed"]
    assert entry["actor_id"] == admin_user.id and entry["actor_name"] == admin_user.username
    assert entry["payload"] == {"from": {"approvals_required": 2, "clinical_required": 1},
                                "to": {"approvals_required": 3, "clinical_required": 2}, "reason": REASON}


async def test_policy_change_needs_a_reason(client: AsyncClient, sessionmaker: Any) -> None:
    admin = await login(client, await create_user(sessionmaker, "admin"))
    event = await create_event(client, admin)
    for extra in ({}, {"policy_reason": ""}, {"policy_reason": "   "}):
        response = await _patch(client, admin, event, **extra,
                                approval_policy={"approvals_required": 3, "clinical_required": 1})
        assert response.status_code == 422, (extra, response.text)
        assert response.json()["field"] == "policy_reason"
    read = (await client.get(f"/api/events/{event['id']}", headers=admin)).json()
    assert read["approval_policy"] == {"approvals_required": 2, "clinical_required": 1}


@pytest.mark.parametrize("status", ["live", "held"])
async def test_no_policy_change_while_live_or_held(client: AsyncClient, sessionmaker: Any, status: str) -> None:
    admin = await login(client, await create_user(sessionmaker, "admin"))
    event = await create_event(client, admin)
    await _set_row(sessionmaker, event["id"], status=status)
    response = await _patch(client, admin, event, policy_reason=REASON,
                            approval_policy={"approvals_required": 3, "clinical_required": 1})
    assert response.status_code == 409, response.text
    assert f"while the event is {status}" in response.json()["detail"]
    read = (await client.get(f"/api/events/{event['id']}", headers=admin)).json()
    assert read["approval_policy"] == {"approvals_required": 2, "clinical_required": 1}
    # Other settings still change while live.
    assert (await _patch(client, admin, event, title="Still live")).status_code == 200


async def test_an_older_event_below_the_floor_still_needs_the_floor(client: AsyncClient, sessionmaker: Any) -> None:
    author = await login(client, await create_user(sessionmaker, "comms"))
    comms = await login(client, await create_user(sessionmaker, "comms"))
    comms2 = await login(client, await create_user(sessionmaker, "comms"))
    nurse = await login(client, await create_user(sessionmaker, "clinical"))
    event = await create_event(client, author)
    await _set_row(sessionmaker, event["id"], approvals_required=1, clinical_required=0)  # stored before the floor
    read = (await client.get(f"/api/events/{event['id']}", headers=author)).json()
    assert read["approval_policy"] == {"approvals_required": 2, "clinical_required": 1}
    item = await create_item(client, author, event["id"])
    assert (item["approvals_needed"], item["clinical_needed"]) == (2, 1)
    first = await client.post(f"/api/items/{item['id']}/approve", json={"version": 1}, headers=comms)
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "draft" and first.json()["clinical_needed"] == 1
    second = await client.post(f"/api/items/{item['id']}/approve", json={"version": 1}, headers=comms2)
    assert second.status_code == 403 and "clinical" in second.json()["detail"]
    third = await client.post(f"/api/items/{item['id']}/approve", json={"version": 1}, headers=nurse)
    assert third.status_code == 200 and third.json()["status"] == "approved"


@pytest.mark.parametrize("settings_overrides", [{"min_approvals": 3, "min_clinical_approvals": 2}])
async def test_a_raised_floor_applies_to_new_events(client: AsyncClient, sessionmaker: Any) -> None:
    headers = await login(client, await create_user(sessionmaker, "comms"))
    event = await create_event(client, headers)  # no policy given: the floor
    assert event["approval_policy"] == {"approvals_required": 3, "clinical_required": 2}
    refused = await client.post("/api/events", headers=headers, json=event_payload(
        approval_policy={"approvals_required": 2, "clinical_required": 1}))
    assert refused.status_code == 422
    assert refused.json()["detail"].startswith("approvals_required must be at least 3")


def test_floor_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = Settings(_env_file=None)
    assert (defaults.min_approvals, defaults.min_clinical_approvals) == (2, 1)
    monkeypatch.setenv("LIVECUE_MIN_APPROVALS", "3")
    monkeypatch.setenv("LIVECUE_MIN_CLINICAL_APPROVALS", "2")
    settings = Settings(_env_file=None)
    assert (settings.min_approvals, settings.min_clinical_approvals) == (3, 2)
    monkeypatch.setenv("LIVECUE_MIN_CLINICAL_APPROVALS", "4")
    with pytest.raises(ValidationError, match="min_clinical_approvals"):
        Settings(_env_file=None)
