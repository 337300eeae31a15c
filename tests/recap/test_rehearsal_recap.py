"""A rehearsal at 60x on the sandbox produces a recap whose figures match the journal and the sandbox's own counts."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from server.clock import FakeClock
from server.models import Delivery, FollowerSample, JournalEntry, Message, SandboxAccount, SandboxPost
from server.platforms.sandbox.metrics import engagement_at, followers_at
from tests.livekit import prepare

SCRIPT = [
    {"at": "T+00:20", "handle": "curious_carla", "name": "Carla", "text": "How long does the operation take?"},
    {"at": "T+00:25", "handle": "worried_will", "text": "My dad has chest pain right now, what do I do?"},
    {"at": "T+00:50", "handle": "nurse_nia", "text": "Which valve do you use for this repair?"},
]


@pytest.mark.parametrize("settings_overrides", [{"metrics_interval_seconds": 10}])
async def test_rehearsal_at_60x_recap_matches_journal_and_sandbox(
        client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any) -> None:
    kit = await prepare(client, app, clock, sessionmaker, offsets=["T+00:00", "T+00:30", "T+01:00"])
    eid = kit.event["id"]
    started = await kit.post(f"/api/events/{eid}/rehearsal/start", {"time_scale": 60, "audience": SCRIPT})
    assert started.status_code == 200, started.text
    sampler = kit.state.sampler
    for _ in range(7):  # 70 s of clock = 70 minutes of event at 60x
        await kit.pump()
        await kit.state.poller.tick()
        await sampler.tick()
        clock.advance(seconds=10)
    await sampler.tick()

    response = await client.get(f"/api/events/{eid}/recap", headers=kit.comms)
    assert response.status_code == 200, response.text
    recap = response.json()

    async with sessionmaker() as session:
        deliveries = list((await session.execute(select(Delivery).where(
            Delivery.event_id == eid, Delivery.status == "posted", Delivery.purpose == "thread"))).scalars())
        posted_entries = list((await session.execute(select(JournalEntry).where(
            JournalEntry.event_id == eid, JournalEntry.kind == "delivery.posted"))).scalars())
        ingested = list((await session.execute(select(JournalEntry).where(
            JournalEntry.event_id == eid, JournalEntry.kind == "questions.ingested"))).scalars())
        alerts = list((await session.execute(select(JournalEntry).where(
            JournalEntry.event_id == eid, JournalEntry.kind == "alert.emergency_message"))).scalars())
        messages = list((await session.execute(select(Message).where(Message.event_id == eid))).scalars())
        own = list((await session.execute(select(SandboxPost).join(
            SandboxAccount, SandboxAccount.id == SandboxPost.account_id).where(
            SandboxAccount.is_audience.is_(False)))).scalars())
        audience_replies = list((await session.execute(select(SandboxPost).join(
            SandboxAccount, SandboxAccount.id == SandboxPost.account_id).where(
            SandboxAccount.is_audience.is_(True)))).scalars())
        last_sample = (await session.execute(select(FollowerSample).where(FollowerSample.event_id == eid)
                                             .order_by(FollowerSample.id.desc()))).scalars().first()
    assert last_sample is not None

    # The thread as posted: every post the journal says went out, with its link.
    assert len(deliveries) == 3
    assert {p["links"][0]["url"] for p in recap["public"]["posts"]} == {e.payload["url"] for e in posted_entries}
    # Followers: the sandbox's own count at the last sample, and growth since the first.
    series = recap["public"]["followers"][0]["series"]
    assert recap["public"]["followers"][0]["platform"] == "sandbox"
    assert series[-1]["followers"] == followers_at([(p.id, p.created_at) for p in own], last_sample.at)
    assert recap["public"]["followers"][0]["gained"] == series[-1]["followers"] - series[0]["followers"] > 0
    assert [s["followers"] for s in series] == sorted(s["followers"] for s in series)  # never shrinks
    # Engagement per post: the sandbox's own counts at the last sample (replies are the real audience replies).
    for post in recap["public"]["posts"]:
        link = post["links"][0]
        delivery = next(d for d in deliveries if d.remote_url == link["url"])
        sandbox_post = next(p for p in own if str(p.id) == delivery.remote["remote_id"])
        replies = sum(1 for r in audience_replies if r.reply_to_id == sandbox_post.id)
        expected = engagement_at(sandbox_post.id, sandbox_post.created_at, replies, last_sample.at)
        got = link["engagement"]
        assert (got["likes"], got["reposts"], got["replies"], got["quotes"]) == (
            expected.likes, expected.reposts, expected.replies, expected.quotes)
    assert recap["public"]["engagement_total"] > 0
    # Questions: what the journal recorded as ingested and alerted.
    q = recap["questions"]
    assert q["received"] == len(messages) == sum(e.payload["stored"] for e in ingested) == 3
    assert q["by_label"] == {label: sum(1 for m in messages if m.label == label) for label in q["by_label"]}
    assert q["emergencies"] == len({e.subject_id for e in alerts}) >= 1
    assert q["time_to_alert"]["count"] == q["emergencies"]
    assert sum(b["received"] for b in q["per_ten_minutes"]) == 3
    assert recap["sampling"][0]["samples"] >= 5 and recap["sampling"][0]["last_error"] is None
