"""Triage labels, bad input, PHI flags and moderation, all through the poller."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from server.clock import FakeClock
from server.platforms.errors import RetryLater
from server.questions import ingest as ingest_module
from server.questions.poller import Poller
from server.workers import run_forever
from tests.questions.qakit import (
    ScriptedPlatform,
    ask,
    audience_reply,
    cursor,
    incoming,
    journal,
    messages,
    poll,
    qa_kit,
    queue,
)

LABELLED = [
    ("question", "How long does the operation usually take?", "general question"),
    ("personal_medical", "My mother has a heart murmur, should she get this surgery?", "relative's case"),
    ("emergency", "I took 40 pills and I feel dizzy", "overdose"),
    ("comment", "Amazing work team, thank you!", "praise"),
    ("spam", "BUY CHEAP FOLLOWERS at http://spam.example click here", "click"),
    ("abuse", "You are all idiots and butchers", "insult"),
]


async def test_each_label_is_stored_with_its_reason(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                   sessionmaker: Any) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    await ask(kit, [(f"person{n}", text) for n, (_, text, _) in enumerate(LABELLED)])
    rows = await messages(kit)
    assert [(m.label, m.status) for m in rows] == [(label, "queued") for label, _, _ in LABELLED]
    for row, (_, _, why) in zip(rows, LABELLED, strict=True):
        assert why in row.label_reason, (row.text, row.label_reason)

    # Only questions, personal-medical and emergencies are queued for clinicians; the urgent ones come first
    # (newest first, an emergency before a personal-medical question asked at the same moment).
    listed = await queue(kit)
    assert [g["label"] for g in listed] == ["emergency", "personal_medical", "question"]  # then size, then age
    assert listed[0]["messages"][0]["label_reason"] == rows[2].label_reason
    assert [g["text"] for g in await queue(kit, label="spam")] == [LABELLED[4][1]]

    # The emergency raised an alert (journal, so every console and tablet sees it) and shows in the summary.
    alerts = await journal(kit, "alert.emergency_message")
    assert [a.subject_id for a in alerts] == [rows[2].id]
    summary = (await client.get(f"/api/events/{kit.event['id']}/questions/summary", headers=kit.clinical)).json()
    assert summary["open_emergencies"] == [rows[2].id]
    assert summary["by_label"] == {label: 1 for label, _, _ in LABELLED}


async def test_bad_input_is_rejected_or_dropped_and_the_loop_goes_on(
        client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    real_triage = ingest_module.triage

    def fragile_triage(text: str) -> Any:
        if "crash the triage" in text:
            raise RuntimeError("triage bug")
        return real_triage(text)

    real_keys = ingest_module.keys_of

    def fragile_keys(text: str, label: str, **flags: Any) -> list[str]:
        if "crash the grouping" in text:
            raise RuntimeError("grouping bug")
        return real_keys(text, label, **flags)

    monkeypatch.setattr(ingest_module, "triage", fragile_triage)
    monkeypatch.setattr(ingest_module, "keys_of", fragile_keys)
    garbage = "\x00\x01\x02\x7f\x00binary\x00" * 20
    page = [
        incoming("empty", ""),
        incoming("blank", " \n\t "),
        incoming("huge", "Why? " * 2000),  # 10,000 characters
        incoming("nul", garbage),
        incoming("bytes", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe"),
        incoming("none", None),
        incoming("surrogate", "Is the heart stopped during surgery?\ud800"),
        incoming("naive", "Who decides when to start?", received_at=datetime(2026, 12, 1, 12, 3)),
        incoming("", "A message without an id"),
        incoming("crash", "Please crash the triage now?"),
        incoming("crash2", "Will you crash the grouping?"),  # fails the batch: stored again one by one
        incoming("fine", "What is the heart-lung machine for?", handle="x" * 500),
    ]
    kit.state.registry.overrides[("sandbox", "hospital")] = ScriptedPlatform(pages=[page])
    result = await poll(kit)
    assert (result.rejected, result.dropped) == (6, 3)
    rows = {m.external_id: m for m in await messages(kit)}
    assert set(rows) == {"empty", "blank", "huge", "nul", "bytes", "none", "surrogate", "naive", "fine"}
    reasons = {k: rows[k].reject_reason for k in ("empty", "blank", "huge", "nul", "bytes", "none")}
    assert reasons == {"empty": "empty message", "blank": "empty message",
                       "huge": "message longer than 5000 characters", "nul": "binary or garbled content",
                       "bytes": "binary or garbled content", "none": "empty message"}
    assert all(rows[k].status == "rejected" and rows[k].group_id is None for k in reasons)
    assert len(rows["huge"].text) == 5000 and "\x00" not in rows["nul"].text
    assert rows["surrogate"].status == "queued" and rows["surrogate"].text.endswith("\ufffd")
    assert rows["naive"].received_at.tzinfo is not None
    assert rows["fine"].status == "queued" and len(rows["fine"].author_handle) == 200
    stored = await cursor(kit)
    assert stored is not None and stored.cursor == "1" and stored.rejected == 9

    # Rejected messages are counted, never queued.
    summary = (await client.get(f"/api/events/{kit.event['id']}/questions/summary", headers=kit.clinical)).json()
    assert summary["rejected"] == 6
    assert sorted(m["text"] for g in await queue(kit) for m in g["messages"]) == [
        "Is the heart stopped during surgery?\ufffd", "What is the heart-lung machine for?",
        "Who decides when to start?"]

    # A failing adapter never ends the loop: it logs, sleeps and polls again.
    failing = ScriptedPlatform(pages=[], fail_with=RuntimeError("adapter bug"))
    kit.state.registry.overrides[("sandbox", "hospital")] = failing
    assert (await poll(kit)).stored == []
    kit.state.registry.overrides[("sandbox", "hospital")] = ScriptedPlatform(
        pages=[], fail_with=RetryLater("503", retry_after=None))
    assert (await poll(kit)).stored == []
    kit.state.registry.overrides[("sandbox", "hospital")] = failing
    loop = Poller(sessionmaker, kit.state.registry)
    task = asyncio.create_task(run_forever(loop.once, 0.01, loop.wake, failures=loop.failures))
    while failing.fetched < 4:
        await asyncio.sleep(0.01)
    assert not task.done()  # still looping after four failed rounds
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def test_incoming_phi_is_flagged(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                       sessionmaker: Any) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    await ask(kit, [("worried", "My MRN is 12345678 and DOB 03/04/1961, will I need this valve?"),
                    ("curious", "How is the valve chosen?")])
    flagged, clean = await messages(kit)
    assert {f["kind"] for f in flagged.phi} == {"record_number", "date"}
    assert clean.phi == []
    listed = {m["id"]: m for g in await queue(kit) for m in g["messages"]}
    assert [f["kind"] for f in listed[flagged.id]["phi"]] == ["record_number", "date"]
    assert listed[flagged.id]["text"] == flagged.text  # stored as received; the flag says never to quote it


async def test_muted_authors_are_kept_but_not_queued(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                    sessionmaker: Any) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    await ask(kit, [("troll", "Why is the surgery so long?"), ("fan", "How long is the surgery??")])
    assert [g["size"] for g in await queue(kit)] == [2]
    eid = kit.event["id"]
    refused = await client.post(f"/api/events/{eid}/mutes", json={"platform": "sandbox", "handle": "troll"},
                                headers=kit.clinical)
    assert refused.status_code == 403
    muted = await kit.post(f"/api/events/{eid}/mutes", {"platform": "sandbox", "handle": "troll"})
    assert muted.json() == {"unqueued": 1}
    listed = await queue(kit)
    assert [g["size"] for g in listed] == [1]
    assert [m["author_handle"] for m in listed[0]["messages"]] == ["fan"]

    await audience_reply(kit, "troll", "How long does the surgery take???")
    result = await poll(kit)
    assert len(result.stored) == 1
    rows = await messages(kit)
    assert [(m.author_handle, m.status) for m in rows] == [("troll", "muted"), ("fan", "queued"),
                                                           ("troll", "muted")]
    assert rows[2].group_id is None
    assert [g["size"] for g in await queue(kit)] == [1]

    # A possible emergency still reaches staff (queued, alerted), marked as coming from a muted author.
    await audience_reply(kit, "troll", "my chest is really tight right now and my left arm feels numb")
    result = await poll(kit)
    assert len(result.emergencies) == 1
    urgent = (await messages(kit))[-1]
    assert (urgent.status, urgent.label) == ("queued", "emergency")
    assert urgent.label_reason.endswith("(from a muted author)")


async def test_hidden_messages_leave_the_queue(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                               sessionmaker: Any) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    await ask(kit, [("a", "How long does it take?"), ("b", "how long is the surgery??"),
                    ("c", "What are the risks of the surgery?")])
    first, second, risk = await messages(kit)
    assert (await client.post(f"/api/messages/{first.id}/hide", headers=kit.clinical)).status_code == 403
    hidden = await kit.post(f"/api/messages/{first.id}/hide")
    assert hidden.status_code == 200 and hidden.json()["status"] == "hidden"
    assert (await kit.post(f"/api/messages/{first.id}/hide")).status_code == 200  # twice is harmless
    by_text = {g["text"]: g for g in await queue(kit)}
    assert "How long does it take?" not in by_text  # a hidden message no longer heads its group
    duration = by_text["how long is the surgery??"]
    assert duration["size"] == 1 and [m["id"] for m in duration["messages"]] == [second.id]

    await kit.post(f"/api/messages/{risk.id}/hide")
    assert [g["text"] for g in await queue(kit)] == ["how long is the surgery??"]
    summary = (await client.get(f"/api/events/{kit.event['id']}/questions/summary", headers=kit.clinical)).json()
    assert summary["by_label"] == {"question": 1} and summary["open_groups"] == 1


async def test_relabel_is_journaled_with_the_text(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                  sessionmaker: Any) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    await ask(kit, [("fan", "Amazing work team, thank you!")])
    (message,) = await messages(kit)
    assert message.label == "comment" and await queue(kit) == []
    response = await client.post(f"/api/messages/{message.id}/relabel", headers=kit.clinical,
                                 json={"label": "question", "reason": "they are asking to hear more"})
    assert response.status_code == 200, response.text
    assert (response.json()["label"], response.json()["label_reason"]) == ("question", "they are asking to hear more")
    (entry,) = await journal(kit, "message.relabeled")
    assert entry.payload == {"from": "comment", "to": "question", "text": "Amazing work team, thank you!",
                             "reason": "they are asking to hear more"}
    assert entry.subject_id == message.id and entry.actor_id is not None
    assert [g["label"] for g in await queue(kit)] == ["question"]
    bad = await client.post(f"/api/messages/{message.id}/relabel", headers=kit.clinical, json={"label": "urgent"})
    assert bad.status_code == 422


async def test_relabelling_a_missed_emergency_raises_the_alert(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                               sessionmaker: Any) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    await ask(kit, [("viewer", "How long does the surgery take?")])
    (message,) = await messages(kit)
    assert message.label == "question" and await journal(kit, "alert.emergency_message") == []
    response = await client.post(f"/api/messages/{message.id}/relabel", headers=kit.clinical,
                                 json={"label": "emergency", "reason": "follow-up DM: chest pain"})
    assert response.status_code == 200, response.text
    (alert,) = await journal(kit, "alert.emergency_message")  # the same alert as a triaged emergency
    assert alert.subject_id == message.id and alert.payload["relabeled"] is True
    again = await client.post(f"/api/messages/{message.id}/relabel", headers=kit.clinical,
                              json={"label": "emergency", "reason": "still"})
    assert again.status_code == 200 and len(await journal(kit, "alert.emergency_message")) == 1
