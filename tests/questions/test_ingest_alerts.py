"""A possible emergency reaches the clinicians whatever its label: the persisted alert, its reasons, the queue.

Issue 14: ten emergencies were labelled `comment`, which raised no alert and sat outside the clinicians' default
queue. Now the alert is stored on the message (with its reasons) and on its group, the queue shows every
flagged group first, and a message in a language nobody screens is queued too.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient

from server.clock import FakeClock
from server.questions import ingest as ingest_module
from server.triage.triage import TriageResult
from tests.questions.qakit import ask, journal, messages, qa_kit, queue

COMMENT_WITH_DANGER = "love this stream. I'm so tired of being a burden, everyone would be better off without me"


async def test_an_alert_under_any_label_is_stored_queued_first_and_journaled(
        client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any, monkeypatch: Any) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    real = ingest_module.triage

    def as_comment(text: str) -> TriageResult:  # the label layer got it wrong; the alert must survive that
        result = real(text)
        if text == COMMENT_WITH_DANGER:
            return TriageResult(label="comment", reason="praise or reaction: 'love'", matched=(), alert=result.alert,
                                reasons=result.reasons, score=result.score)
        return result

    monkeypatch.setattr(ingest_module, "triage", as_comment)
    await ask(kit, [("fan", "How long does the operation take?"), ("quiet", COMMENT_WITH_DANGER),
                    ("happy", "Amazing work team!")])
    rows = {m.author_handle: m for m in await messages(kit)}
    flagged = rows["quiet"]
    assert flagged.label == "comment" and flagged.alert is True
    assert flagged.alert_reasons and "self-harm" in flagged.alert_reasons[0]
    assert flagged.label_reason.startswith("alert: ")
    assert rows["happy"].alert is False and rows["happy"].alert_reasons == []

    listed = await queue(kit)
    assert listed[0]["alert"] is True and listed[0]["label"] == "comment"
    assert listed[0]["messages"][0]["alert_reasons"] == flagged.alert_reasons
    assert "Amazing work team!" not in [g["text"] for g in listed]  # a plain comment still stays out

    alerts = await journal(kit, "alert.emergency_message")
    assert [a.subject_id for a in alerts] == [flagged.id]
    assert alerts[0].payload["reasons"] == flagged.alert_reasons and alerts[0].payload["label"] == "comment"
    summary = (await client.get(f"/api/events/{kit.event['id']}/questions/summary", headers=kit.clinical)).json()
    assert summary["open_emergencies"] == [flagged.id]


async def test_french_and_spanish_emergencies_alert(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                    sessionmaker: Any) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    await ask(kit, [("fr", "mon père s'est effondré, il ne répond plus"),
                    ("es", "me duele el pecho desde hace media hora")])
    rows = await messages(kit)
    assert [(m.alert, m.screened, m.language) for m in rows] == [(True, True, "fr"), (True, True, "es")]
    assert {g["alert"] for g in await queue(kit)} == {True}


async def test_a_language_nobody_screens_goes_to_the_clinicians(client: AsyncClient, app: FastAPI,
                                                               clock: FakeClock, sessionmaker: Any) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    await ask(kit, [("de", "Vielen Dank, wirklich spannend und sehr gut erklärt heute")])
    (row,) = await messages(kit)
    assert row.screened is False and row.language == "de"
    assert row.label_reason.startswith("language not screened (de)")
    listed = await queue(kit)
    assert [(g["unscreened"], g["messages"][0]["screened"]) for g in listed] == [(True, False)]


async def test_muting_keeps_an_alerting_message_in_the_queue(client: AsyncClient, app: FastAPI,
                                                            clock: FakeClock, sessionmaker: Any) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    await ask(kit, [("troll", "you are all clowns"), ("troll", "I want to die tonight")])
    muted = await kit.post(f"/api/events/{kit.event['id']}/mutes", {"platform": "sandbox", "handle": "troll"})
    assert muted.json() == {"unqueued": 1}
    statuses = sorted((m.alert, m.status) for m in await messages(kit))
    assert statuses == [(False, "muted"), (True, "queued")]


async def test_relabelling_as_an_emergency_raises_the_alert(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                           sessionmaker: Any) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    await ask(kit, [("fan", "Great stream, thanks everyone")])
    (row,) = await messages(kit)
    assert row.alert is False
    response = await client.post(f"/api/messages/{row.id}/relabel", headers=kit.clinical,
                                 json={"label": "emergency", "reason": "reads like a goodbye"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["alert"] is True and body["alert_reasons"][-1].startswith("relabeled as an emergency by ")
    listed = await queue(kit)
    assert listed and listed[0]["alert"] is True
