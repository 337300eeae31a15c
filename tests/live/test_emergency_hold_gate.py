"""During an emergency hold nothing leaves but the holding message and confirmed emergency replies.

The tablet promises "nothing goes out until the operator resumes": these tests hold the server to that
promise for every kind of outgoing post, and check that the words the pages show come from the server.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient

from server.clock import FakeClock
from tests.factories import create_item
from tests.livekit import LiveKit
from tests.questions.qakit import ask, messages, qa_kit, queue

HOLDING = "We are pausing our updates while the team focuses on the patient."
EMERGENCY = "If this is an emergency, call 911 now. Crisis line: 988."
REDIRECT = "We can't give personal medical advice here: please call your doctor."
BANK = "A bypass like this one usually takes three to four hours. #LiveOR"


async def _approved(kit: LiveKit, **body: Any) -> dict[str, Any]:
    return await kit.approve(await create_item(kit.client, kit.author, kit.event["id"], offset=None, **body))


async def _texts(kit: LiveKit) -> list[str]:
    return [p.text for p in await kit.sandbox_posts()]


async def test_every_kind_of_post_is_refused_or_waits_during_an_emergency_hold(
        client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    eid = kit.event["id"]
    await _approved(kit, kind="holding", key="holding", caption=HOLDING)
    await _approved(kit, kind="reply_emergency", caption=EMERGENCY)
    await _approved(kit, kind="reply_redirect", caption=REDIRECT)
    bank = await _approved(kit, kind="answer", caption=BANK, question="How long does the operation take?")
    step = await _approved(kit, key="step-2", caption="Step two is under way. #LiveOR", cue="step two")
    await ask(kit, [("ann", "How long does it take?"), ("ben", "My husband takes warfarin, should he stop?"),
                    ("cat", "I took all my pills and I want to die tonight")])
    duration, personal, urgent = await messages(kit)
    duration_group = next(g for g in (await queue(kit)) if any(m["id"] == duration.id for m in g["messages"]))

    held = await kit.post(f"/api/events/{eid}/live/emergency-hold", {"post_holding_message": True})
    assert held.status_code == 200, held.text
    await kit.pump()
    before = await _texts(kit)
    assert before[-1] == HOLDING  # the holding message goes out at once

    status = (await client.get(f"/api/events/{eid}/live", headers=kit.clinical)).json()
    assert "nothing goes out except the holding message" in status["posting_rule"]

    refusals = {
        "post now": await kit.post(f"/api/items/{step['id']}/post-now", {"confirm": True}),
        "cue next": await kit.post(f"/api/events/{eid}/live/cue-next", {"confirm": True}),
        "bank answer": await client.post(f"/api/question-groups/{duration_group['id']}/answer",
                                         headers=kit.clinical, json={"bank_item_id": bank["id"]}),
        "redirect": await client.post(f"/api/messages/{personal.id}/template-reply",
                                      json={"template": "redirect"}, headers=kit.clinical),
        "unconfirmed emergency reply": await client.post(f"/api/messages/{urgent.id}/template-reply",
                                                         json={"template": "emergency"}, headers=kit.clinical),
        "rehearsal": await kit.post(f"/api/events/{eid}/rehearsal/start", {}),
    }
    for what, response in refusals.items():
        assert response.status_code == 409, (what, response.text)
    assert "emergency hold" in refusals["post now"].json()["detail"]
    assert refusals["bank answer"].json()["detail"] == (
        "the event is under an emergency hold: this answer waits until the operator resumes")
    assert refusals["unconfirmed emergency reply"].json()["field"] == "confirm_emergency"

    # A clinician's new answer is kept and approved (author + comms), then waits: nothing is created to send.
    drafted = await client.post(f"/api/question-groups/{duration_group['id']}/answer", headers=kit.clinical,
                                json={"caption": "About three to four hours, usually. #LiveOR"})
    assert drafted.status_code == 200, drafted.text
    assert drafted.json()["status"] in ("open", "claimed") and drafted.json()["answer_item_id"]
    approved = await client.post(f"/api/items/{drafted.json()['answer_item_id']}/approve", json={"version": 1},
                                 headers=kit.comms)
    assert approved.status_code == 200 and approved.json()["status"] == "approved", approved.text
    clock.advance(60)
    await kit.pump()
    assert await _texts(kit) == before  # the sandbox shows nothing new

    # The operator confirms one emergency reply: it goes out at once (no safety delay).
    confirmed = await client.post(f"/api/messages/{urgent.id}/template-reply",
                                  json={"template": "emergency", "confirm_emergency": True}, headers=kit.clinical)
    assert confirmed.status_code == 200, confirmed.text
    await kit.pump()
    after = await _texts(kit)
    assert after[len(before):] == [f"@cat {EMERGENCY}"]  # addressed to the asker, so they are notified

    # Resume names what resumes, and the answer written meanwhile goes out then.
    preview = (await client.get(f"/api/events/{eid}/live", headers=kit.comms)).json()["resume_preview"]
    assert any("1 answer(s) written during the hold" in line for line in preview), preview
    assert (await kit.post(f"/api/events/{eid}/live/resume")).status_code == 200
    await kit.pump()
    assert await _texts(kit) == [*after, "@ann About three to four hours, usually. #LiveOR"]


async def test_an_emergency_hold_pulls_back_answers_and_posts_not_yet_sent(
        client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    eid = kit.event["id"]
    delay = await client.patch(f"/api/events/{eid}", json={"safety_delay_seconds": 30}, headers=kit.author)
    assert delay.status_code == 200 and delay.json()["safety_delay_seconds"] == 30, delay.text
    bank = await _approved(kit, kind="answer", caption=BANK, question="How long does the operation take?")
    step = await _approved(kit, key="step-2", caption="Step two is under way. #LiveOR", cue="step two")
    await ask(kit, [("ann", "How long does it take?")])
    (group,) = await queue(kit)
    assert (await client.post(f"/api/question-groups/{group['id']}/answer", headers=kit.clinical,
                              json={"bank_item_id": bank["id"]})).status_code == 200
    assert (await kit.post(f"/api/items/{step['id']}/post-now")).status_code == 200
    status = (await client.get(f"/api/events/{eid}/live", headers=kit.comms)).json()
    assert status["safety_delay_seconds"] == 30
    assert sorted(c["purpose"] for c in status["countdown"]) == ["reply", "thread"]
    before = await _texts(kit)

    held = await kit.post(f"/api/events/{eid}/live/emergency-hold", {"post_holding_message": False})
    assert held.status_code == 200
    clock.advance(120)
    await kit.pump()
    assert await _texts(kit) == before  # both were pulled back inside their countdown
    assert (await client.get(f"/api/events/{eid}/live", headers=kit.comms)).json()["countdown"] == []
    (reopened,) = await queue(kit)
    assert reopened["status"] == "open"  # the asker can be answered again after the hold
    item = (await client.get(f"/api/items/{step['id']}", headers=kit.comms)).json()
    assert item["status"] == "approved"
