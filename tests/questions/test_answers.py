"""Answers on the sandbox: draft -> PHI screen -> comms approval -> one reply under each asker's post."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from server.clock import FakeClock
from server.models import Delivery
from tests.factories import create_item
from tests.livekit import LiveKit
from tests.questions.qakit import HOSPITAL, ask, journal, messages, qa_kit, queue, root_post

DURATION = [("ann", "How long does it take?"), ("ben", "how long is the surgery??"),
            ("cat", "Duration of the operation?")]
ANSWER = "A bypass like this one usually takes three to four hours. #LiveOR"


def _unaddressed(text: str) -> str:
    """A reply's text without the leading @asker every reply starts with."""
    return re.sub(r"^@\S+ ", "", text)


async def _hospital_replies(kit: LiveKit) -> list[Any]:
    return [p for p in await kit.sandbox_posts()
            if _unaddressed(p.text).startswith(("A bypass", "If this", "We can't"))]


async def _claim_and_draft(kit: LiveKit, gid: int, caption: str, mode: str = "reply_each") -> dict[str, Any]:
    assert (await kit.client.post(f"/api/question-groups/{gid}/claim", headers=kit.clinical)).status_code == 200
    drafted = await kit.client.post(f"/api/question-groups/{gid}/answer", headers=kit.clinical,
                                    json={"caption": caption, "mode": mode})
    assert drafted.status_code == 200, drafted.text
    return dict(drafted.json())


async def _approve(kit: LiveKit, item_id: int, headers: dict[str, str] | None = None) -> Any:
    return await kit.client.post(f"/api/items/{item_id}/approve", json={"version": 1},
                                 headers=headers or kit.comms)


async def test_answer_goes_out_under_each_askers_post_exactly_once(client: AsyncClient, app: FastAPI,
                                                                    clock: FakeClock, sessionmaker: Any) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    asked = await ask(kit, DURATION)
    (group,) = await queue(kit)
    drafted = await _claim_and_draft(kit, group["id"], ANSWER)
    item_id = drafted["answer_item_id"]
    item = (await client.get(f"/api/items/{item_id}", headers=kit.comms)).json()
    assert (item["kind"], item["status"], item["findings"]) == ("reply", "draft", [])
    assert [a["as_clinical"] for a in item["approvals"]] == [True]  # the author's own clinical approval
    assert await _hospital_replies(kit) == []  # nothing goes out before comms approves

    approved = await _approve(kit, item_id)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert await queue(kit) == []
    for _ in range(3):
        await kit.pump()
    replies = await _hospital_replies(kit)
    assert sorted(p.reply_to_id for p in replies) == sorted(p.id for p in asked)
    assert {_unaddressed(p.text) for p in replies} == {ANSWER}
    # Each reply names its own asker (so the platform notifies them), so no two replies are the same text.
    handles = {p.id: h for p, (h, _) in zip(asked, DURATION, strict=True)}
    assert sorted(p.text for p in replies) == sorted(f"@{handles[p.reply_to_id]} {ANSWER}" for p in replies)
    root = await root_post(kit)
    assert {p.root_id for p in replies} == {root.id}
    assert all(m.status == "answered" and m.replied_at is not None for m in await messages(kit))
    deliveries = [d for d in await kit.deliveries() if d.purpose == "reply"]
    assert len(deliveries) == 3 and {d.status for d in deliveries} == {"posted"}

    # Approving again, or answering the answered group again, sends nothing more.
    assert (await _approve(kit, item_id, kit.author)).status_code == 409
    again = await client.post(f"/api/question-groups/{group['id']}/answer", headers=kit.clinical,
                              json={"caption": "Also: about four hours."})
    assert again.status_code == 409 and again.json()["state"] == "answered"
    await kit.pump()
    assert len(await _hospital_replies(kit)) == 3
    assert [e.payload["deliveries"] for e in await journal(kit, "answer.queued")] == [3]


async def test_a_second_draft_for_the_same_group_cannot_reply_twice(client: AsyncClient, app: FastAPI,
                                                                     clock: FakeClock, sessionmaker: Any) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    await ask(kit, DURATION[:2])
    (group,) = await queue(kit)
    first = (await _claim_and_draft(kit, group["id"], ANSWER))["answer_item_id"]
    second = (await _claim_and_draft(kit, group["id"], "A bypass takes about four hours."))["answer_item_id"]
    assert first != second
    assert (await _approve(kit, first)).status_code == 200
    refused = await _approve(kit, second)
    assert refused.status_code == 409 and refused.json()["state"] == "answered"
    await kit.pump()
    assert [_unaddressed(p.text) for p in await _hospital_replies(kit)] == [ANSWER, ANSWER]


async def test_answers_are_phi_screened(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                        sessionmaker: Any) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    await ask(kit, DURATION[:1])
    (group,) = await queue(kit)
    drafted = await _claim_and_draft(kit, group["id"], "Patient John Smith in room 4B took four hours.")
    item = (await client.get(f"/api/items/{drafted['answer_item_id']}", headers=kit.comms)).json()
    assert {f["kind"] for f in item["findings"]} >= {"name", "address"}
    assert item["approvals"] == []  # an answer with open findings carries no clinical approval
    refused = await _approve(kit, item["id"])
    assert refused.status_code == 409 and refused.json()["field"] == "findings"
    await kit.pump()
    assert await _hospital_replies(kit) == []
    assert [g["status"] for g in await queue(kit)] == ["claimed"]


async def test_thread_mode_posts_once_into_the_event_thread(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                            sessionmaker: Any) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    await ask(kit, DURATION)
    (group,) = await queue(kit)
    drafted = await _claim_and_draft(kit, group["id"], ANSWER, mode="thread")
    assert (await _approve(kit, drafted["answer_item_id"])).status_code == 200
    await kit.pump()
    await kit.pump()
    root = await root_post(kit)
    (reply,) = await _hospital_replies(kit)
    assert reply.reply_to_id == root.id and reply.root_id == root.id  # in the thread, not under an asker
    assert [d.purpose for d in await kit.deliveries()] == ["thread", "thread"]
    assert {m.status for m in await messages(kit)} == {"answered"}


async def _bank_answer(kit: LiveKit, caption: str, question: str) -> dict[str, Any]:
    item = await create_item(kit.client, kit.author, kit.event["id"], kind="answer", offset=None,
                             caption=caption, question=question)
    return await kit.approve(item)


async def test_bank_answer_goes_out_at_once(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                            sessionmaker: Any) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    bank = await _bank_answer(kit, ANSWER, "How long does the operation take?")
    risk = await _bank_answer(kit, "If this were you, the surgeon would explain the risks first.",
                              "What are the risks?")
    asked = await ask(kit, DURATION[:2])
    (group,) = await queue(kit)
    gid = group["id"]
    suggested = (await client.get(f"/api/question-groups/{gid}/suggestions", headers=kit.clinical)).json()
    assert [s["item_id"] for s in suggested][0] == bank["id"]
    assert suggested[0]["score"] > suggested[-1]["score"]
    assert risk["id"] in [s["item_id"] for s in suggested]

    sent = await client.post(f"/api/question-groups/{gid}/answer", headers=kit.clinical,
                             json={"bank_item_id": bank["id"]})
    assert sent.status_code == 200 and sent.json()["status"] == "answered"
    await kit.pump()
    replies = await _hospital_replies(kit)
    assert sorted(p.reply_to_id for p in replies) == sorted(p.id for p in asked)

    # The same bank answer serves another group, posted once each into the thread.
    await ask(kit, [("dan", "What are the risks of the surgery?")])
    await ask(kit, [("eve", "Will there be a scar?")])
    for other in await queue(kit):
        done = await client.post(f"/api/question-groups/{other['id']}/answer", headers=kit.clinical,
                                 json={"bank_item_id": risk["id"], "mode": "thread"})
        assert done.status_code == 200, done.text
    await kit.pump()
    await kit.pump()
    thread_answers = [p for p in await kit.sandbox_posts() if p.text.startswith("If this")]  # no @: not a reply
    assert len(thread_answers) == 2
    unapproved = await create_item(client, kit.author, kit.event["id"], kind="answer", offset=None,
                                   caption="Not yet reviewed.", question="x")
    await ask(kit, [("fay", "Is the patient asleep?")])
    (last,) = await queue(kit)
    refused = await client.post(f"/api/question-groups/{last['id']}/answer", headers=kit.clinical,
                                json={"bank_item_id": unapproved["id"]})
    assert refused.status_code == 409


async def test_template_reply_goes_under_one_message_with_one_call(client: AsyncClient, app: FastAPI,
                                                                   clock: FakeClock, sessionmaker: Any) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    emergency_text = "If this is an emergency, call 911 now. Crisis line: 988."
    template = await create_item(client, kit.author, kit.event["id"], kind="reply_emergency", offset=None,
                                 caption=emergency_text)
    (urgent,) = await ask(kit, [("gus", "My dad has chest pain and his arm is numb right now what do I do")])
    message = (await messages(kit))[0]
    early = await client.post(f"/api/messages/{message.id}/template-reply", json={"template": "emergency"},
                              headers=kit.clinical)
    assert early.status_code == 409 and early.json()["field"] == "template"  # not approved yet
    await kit.approve(template)

    sent = await client.post(f"/api/messages/{message.id}/template-reply", json={"template": "emergency"},
                             headers=kit.clinical)
    assert sent.status_code == 200 and sent.json()["status"] == "answered"
    await kit.pump()
    (reply,) = [p for p in await kit.sandbox_posts() if p.text == f"@gus {emergency_text}"]
    assert reply.reply_to_id == urgent.id
    assert await queue(kit) == []  # the emergency left the queue
    twice = await client.post(f"/api/messages/{message.id}/template-reply", json={"template": "emergency"},
                              headers=kit.clinical)
    assert twice.status_code == 409
    await kit.pump()
    assert len([p for p in await kit.sandbox_posts() if _unaddressed(p.text) == emergency_text]) == 1


@pytest.mark.parametrize("settings_overrides", [{"min_approvals": 1}])  # a server whose floor allows one approval
async def test_form_askers_are_skipped_and_single_approval_events_send_at_once(
        client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker,
                       approval_policy={"approvals_required": 1, "clinical_required": 1})
    (asked,) = await ask(kit, DURATION[:1])
    form = await client.post(f"/api/public/events/{kit.event['slug']}/questions",
                             json={"name": "Guest", "text": "How long is the surgery??"})
    assert form.status_code == 202
    (group,) = await queue(kit)
    assert group["size"] == 2
    drafted = await _claim_and_draft(kit, group["id"], ANSWER)
    assert drafted["status"] == "answered"  # the author's clinical approval meets this event's policy
    await kit.pump()
    (reply,) = await _hospital_replies(kit)
    assert reply.reply_to_id == asked.id
    async with sessionmaker() as session:
        rows = list((await session.execute(select(Delivery).where(Delivery.purpose == "reply"))).scalars())
    assert [(d.platform, d.account) for d in rows] == [("sandbox", HOSPITAL)]


async def test_a_rehearsal_thread_answer_stays_in_the_rehearsal(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                                sessionmaker: Any) -> None:
    from tests.livekit import prepare

    kit = await prepare(client, app, clock, sessionmaker, offsets=["T+00:00"], holding=False)
    script = [{"at": "T+00:01", "handle": "carla", "text": "How long does it take?"}]
    started = await kit.post(f"/api/events/{kit.event['id']}/rehearsal/start", {"time_scale": 10, "audience": script})
    assert started.status_code == 200, started.text
    await kit.pump()
    clock.advance(seconds=30)
    await kit.pump()
    await kit.state.poller.tick()
    (group,) = await queue(kit)
    drafted = await _claim_and_draft(kit, group["id"], ANSWER, mode="thread")
    assert (await _approve(kit, drafted["answer_item_id"])).status_code == 200
    await kit.pump()
    answers = [d for d in await kit.deliveries() if d.item_id == drafted["answer_item_id"]]
    assert [(d.purpose, d.rehearsal, d.status) for d in answers] == [("thread", True, "posted")]
    (posted,) = [p for p in await kit.sandbox_posts() if p.text == ANSWER]
    assert posted.rehearsal
