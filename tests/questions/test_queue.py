"""The clinical queue: grouping of paraphrases, ordering, claims with a lease, assignment, status changes."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient

from server.clock import FakeClock
from server.journal import service as journal
from tests.factories import create_user
from tests.questions.qakit import ask, headers_for, messages, qa_kit, queue

DURATION = [("ann", "How long does it take?"), ("ben", "how long is the surgery??"),
            ("cat", "Duration of the operation?")]


async def test_paraphrases_group_and_different_questions_do_not(client: AsyncClient, app: FastAPI,
                                                                clock: FakeClock, sessionmaker: Any) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    await ask(kit, [*DURATION, ("dan", "How long is the recovery?"), ("eve", "What are the risks of the surgery?"),
                    ("fay", "How long does recovery take after surgery?")])
    listed = await queue(kit)
    assert [(g["text"], g["size"]) for g in listed] == [
        ("How long does it take?", 3), ("How long is the recovery?", 2), ("What are the risks of the surgery?", 1)]
    duration = listed[0]
    assert [m["author_handle"] for m in duration["messages"]] == ["ann", "ben", "cat"]
    assert [m["text"] for m in duration["messages"]] == [text for _, text in DURATION]
    assert [m["author_handle"] for m in listed[1]["messages"]] == ["dan", "fay"]
    assert duration["last_asked_at"] == max(m["received_at"] for m in duration["messages"])
    rows = await messages(kit)
    assert len({m.group_id for m in rows}) == 3


async def test_queue_order_is_emergency_first_then_size(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                        sessionmaker: Any) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    await ask(kit, [("eve", "What are the risks of the surgery?"), ("dan", "How long is the recovery?"),
                    *DURATION, ("fay", "How long does recovery take after surgery?"),
                    ("gus", "My dad has chest pain and his arm is numb right now what do I do")])
    listed = await queue(kit)
    assert [(g["label"], g["size"]) for g in listed] == [("emergency", 1), ("question", 3), ("question", 2),
                                                          ("question", 1)]
    assert [g["label"] for g in await queue(kit, label="emergency")] == ["emergency"]
    assert len(await queue(kit, status="open")) == 4
    assert await queue(kit, status="claimed") == []


async def test_claim_race_lease_expiry_assignment_and_roles(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                            sessionmaker: Any) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    await ask(kit, DURATION)
    (group,) = await queue(kit)
    gid = group["id"]
    other = await headers_for(kit, "clinical")

    # Two clinicians tap "claim" at the same moment: one wins, the other is told who has it.
    first, second = await asyncio.gather(client.post(f"/api/question-groups/{gid}/claim", headers=kit.clinical),
                                         client.post(f"/api/question-groups/{gid}/claim", headers=other))
    assert sorted([first.status_code, second.status_code]) == [200, 409]
    winner, loser = (kit.clinical, other) if first.status_code == 200 else (other, kit.clinical)
    won = (first if first.status_code == 200 else second).json()
    assert won["status"] == "claimed" and won["claimed_by_name"] and won["claim_until"]
    lost = (second if first.status_code == 200 else first).json()
    assert lost["state"] == "claimed"
    assert (await client.post(f"/api/question-groups/{gid}/claim", headers=winner)).status_code == 200  # renew
    assert (await client.post(f"/api/question-groups/{gid}/release", headers=loser)).status_code == 409
    assert [g["id"] for g in await queue(kit, status="claimed")] == [gid]

    # Someone else's live claim also blocks drafting an answer.
    drafted = await client.post(f"/api/question-groups/{gid}/answer", headers=loser,
                                json={"caption": "About four hours."})
    assert drafted.status_code == 409

    # An abandoned claim expires: after the lease the other clinician can take it.
    clock.advance(minutes=11)
    assert [g["id"] for g in await queue(kit, status="open")] == [gid]
    assert await queue(kit, status="claimed") == []
    taken = await client.post(f"/api/question-groups/{gid}/claim", headers=loser)
    assert taken.status_code == 200, taken.text
    assert (await client.post(f"/api/question-groups/{gid}/claim", headers=winner)).status_code == 409
    assert (await client.post(f"/api/question-groups/{gid}/release", headers=loser)).json()["status"] == "open"

    # Comms assigns the question to a named clinician; only a clinician can be assigned; only comms assigns.
    named = await create_user(sessionmaker, "clinical", username="dr-okafor")
    assigned = await kit.post(f"/api/question-groups/{gid}/assign", {"user_id": named.id})
    assert assigned.status_code == 200 and assigned.json()["assigned_to"] == named.id
    comms_user = await create_user(sessionmaker, "comms")
    not_clinical = await kit.post(f"/api/question-groups/{gid}/assign", {"user_id": comms_user.id})
    assert not_clinical.status_code == 409 and not_clinical.json()["field"] == "user_id"
    assert (await kit.post(f"/api/question-groups/{gid}/assign", {"user_id": 99999})).status_code == 404
    by_clinician = await client.post(f"/api/question-groups/{gid}/assign", json={"user_id": named.id},
                                     headers=kit.clinical)
    assert by_clinician.status_code == 403

    # Only clinicians claim.
    assert (await kit.post(f"/api/question-groups/{gid}/claim")).status_code == 403
    assert (await client.post(f"/api/question-groups/{gid}/claim")).status_code == 401
    assert (await client.post("/api/question-groups/99999/claim", headers=kit.clinical)).status_code == 404


async def test_releasing_a_dismissed_group_is_journaled_as_a_reopen(client: AsyncClient, app: FastAPI,
                                                                     clock: FakeClock, sessionmaker: Any) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    await ask(kit, DURATION[:2])
    (group,) = await queue(kit)
    gid = group["id"]
    dismissed = await client.post(f"/api/question-groups/{gid}/status", json={"status": "dismissed"},
                                  headers=kit.comms)
    assert dismissed.json()["status"] == "dismissed"
    released = await client.post(f"/api/question-groups/{gid}/release", headers=kit.comms)
    assert released.status_code == 200 and released.json()["status"] == "open"
    assert {m.status for m in await messages(kit)} == {"queued"}  # back in the queue, askers and all
    async with sessionmaker() as session:
        (last,) = await journal.entries_after(session, event_id=kit.event["id"], limit=1,
                                              after=await journal.last_seq(session) - 1)
    assert (last.kind, last.payload) == ("question.status", {"from": "dismissed", "to": "open"})
    # Releasing a claimed group is still a release.
    assert (await client.post(f"/api/question-groups/{gid}/claim", headers=kit.clinical)).status_code == 200
    assert (await client.post(f"/api/question-groups/{gid}/release", headers=kit.clinical)).status_code == 200
    async with sessionmaker() as session:
        (last,) = await journal.entries_after(session, event_id=kit.event["id"], limit=1,
                                              after=await journal.last_seq(session) - 1)
    assert last.kind == "question.released"


async def test_closed_groups_cannot_be_claimed_and_can_reopen(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                              sessionmaker: Any) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    await ask(kit, DURATION[:2])
    (group,) = await queue(kit)
    gid = group["id"]
    closed = await client.post(f"/api/question-groups/{gid}/status", json={"status": "answered_in_thread"},
                               headers=kit.clinical)
    assert closed.json()["status"] == "answered_in_thread"
    assert await queue(kit) == []
    assert {m.status for m in await messages(kit)} == {"closed"}
    refused = await client.post(f"/api/question-groups/{gid}/claim", headers=kit.clinical)
    assert refused.status_code == 409 and refused.json()["state"] == "answered_in_thread"
    reopened = await client.post(f"/api/question-groups/{gid}/status", json={"status": "open"},
                                 headers=kit.clinical)
    assert reopened.json()["status"] == "open" and reopened.json()["size"] == 2
    assert {m.status for m in await messages(kit)} == {"queued"}
