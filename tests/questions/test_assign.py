"""Assigning questions: the staff directory comms and clinicians read, assign and unassign (journaled), the
assignee's display name on every group, and refusals that name the field."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient

from server.clock import FakeClock
from server.db.session_scope import transaction
from server.models import User
from tests.factories import create_user, login
from tests.questions.qakit import ask, headers_for, journal, qa_kit, queue


async def _deactivate(sessionmaker: Any, user_id: int) -> None:
    async with transaction(sessionmaker) as session:
        user = await session.get(User, user_id)
        assert user is not None
        user.active = False


async def test_directory_lists_active_clinicians_by_name_for_comms_and_clinical(
        client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    url = f"/api/events/{kit.event['id']}/clinicians"
    okafor = await create_user(sessionmaker, "clinical", username="dr-okafor")
    nurse = await create_user(sessionmaker, "comms", "clinical", username="charge-nurse")
    comms_only = await create_user(sessionmaker, "comms")
    admin_only = await create_user(sessionmaker, "admin")
    retired = await create_user(sessionmaker, "clinical", username="dr-retired")
    await _deactivate(sessionmaker, retired.id)

    for headers in (kit.comms, kit.clinical):
        response = await client.get(url, headers=headers)
        assert response.status_code == 200, response.text
        listed = response.json()
        # Names only: no emails, roles, activity flags or anything else about the accounts.
        assert all(set(entry) == {"id", "username", "display_name"} for entry in listed)
        ids = {entry["id"] for entry in listed}
        assert {okafor.id, nurse.id} <= ids
        assert not ids & {comms_only.id, admin_only.id, retired.id}
        assert {"id": okafor.id, "username": "dr-okafor", "display_name": "Dr-Okafor"} in listed
        names = [entry["display_name"] for entry in listed]
        assert names == sorted(names)

    assert (await client.get(url)).status_code == 401
    nobody = await login(client, await create_user(sessionmaker))
    assert (await client.get(url, headers=nobody)).status_code == 403
    unknown = await client.get("/api/events/99999/clinicians", headers=kit.comms)
    assert unknown.status_code == 404


async def test_assign_then_unassign_is_journaled_and_named(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                           sessionmaker: Any) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    await ask(kit, [("ann", "How long does the operation take?")])
    (group,) = await queue(kit)
    gid = group["id"]
    assert group["assigned_to"] is None and group["assigned_to_name"] is None
    named = await create_user(sessionmaker, "clinical", username="dr-okafor")

    assigned = await kit.post(f"/api/question-groups/{gid}/assign", {"user_id": named.id})
    assert assigned.status_code == 200, assigned.text
    assert (assigned.json()["assigned_to"], assigned.json()["assigned_to_name"]) == (named.id, "Dr-Okafor")
    (listed,) = await queue(kit)
    assert (listed["assigned_to"], listed["assigned_to_name"]) == (named.id, "Dr-Okafor")
    (entry,) = await journal(kit, "question.assigned")
    assert entry.subject_id == gid and entry.payload == {"to": "dr-okafor", "to_name": "Dr-Okafor"}

    unassigned = await kit.post(f"/api/question-groups/{gid}/assign", {"user_id": None})
    assert unassigned.status_code == 200, unassigned.text
    assert (unassigned.json()["assigned_to"], unassigned.json()["assigned_to_name"]) == (None, None)
    (listed,) = await queue(kit)
    assert (listed["assigned_to"], listed["assigned_to_name"]) == (None, None)
    (entry,) = await journal(kit, "question.unassigned")
    assert entry.subject_id == gid and entry.payload == {"from": "dr-okafor", "from_name": "Dr-Okafor"}

    # Unassigning a question nobody has changes nothing and journals nothing.
    again = await kit.post(f"/api/question-groups/{gid}/assign", {"user_id": None})
    assert again.status_code == 200 and again.json()["assigned_to"] is None
    assert len(await journal(kit, "question.unassigned")) == 1

    # The name stays on the group when the assignee's account is later switched off.
    assert (await kit.post(f"/api/question-groups/{gid}/assign", {"user_id": named.id})).status_code == 200
    await _deactivate(sessionmaker, named.id)
    (listed,) = await queue(kit)
    assert listed["assigned_to_name"] == "Dr-Okafor"


async def test_bad_assignee_is_refused_naming_user_id(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                      sessionmaker: Any) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    await ask(kit, [("ann", "How long does the operation take?")])
    (group,) = await queue(kit)
    url = f"/api/question-groups/{group['id']}/assign"
    comms_user = await create_user(sessionmaker, "comms")
    retired = await create_user(sessionmaker, "clinical")
    await _deactivate(sessionmaker, retired.id)

    cases: list[tuple[dict[str, Any], int]] = [
        ({"user_id": 99999}, 404), ({"user_id": comms_user.id}, 409), ({"user_id": retired.id}, 409),
        ({"user_id": 0}, 422), ({"user_id": "someone"}, 422),
        ({}, 422),  # unassigning takes an explicit null: an empty body never clears an assignment
    ]
    for body, status in cases:
        refused = await client.post(url, json=body, headers=kit.comms)
        assert refused.status_code == status, (body, refused.text)
        assert refused.json()["field"] == "user_id", (body, refused.json())
    assert (await queue(kit))[0]["assigned_to"] is None
    assert await journal(kit, "question.assigned") == []

    # Only comms assigns and unassigns.
    clinician = await headers_for(kit, "clinical")
    for body in ({"user_id": None}, {"user_id": retired.id}):
        assert (await client.post(url, json=body, headers=clinician)).status_code == 403
    assert (await client.post(url, json={"user_id": None})).status_code == 401
