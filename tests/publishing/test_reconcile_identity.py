"""Reconciliation by identity through the dispatcher (issue 13): an unknown reply is never attached to another
asker's post, and a reply whose answer was lost is found under its own asker.

On the contract-checked FakeMastodon, so it runs everywhere (the same story on a third-party server is in
`tests/questions/test_mastodon_answer.py`).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select, update

from server.clock import FakeClock
from server.db.session_scope import transaction
from server.models import Delivery, Message
from tests.factories import create_item
from tests.fakes.mastodon import FakeMastodon
from tests.publishing.platform_kit import ACCOUNT, epoch, wire_platforms
from tests.questions.qakit import poll, qa_kit

ANSWER = "About three to four hours, including anaesthesia."
QUESTION = "How long does the operation take?"
ASKERS = ("ann@a.example", "ann@b.example", "cat@c.example")  # two different people both called ann


async def test_each_reply_is_recorded_as_its_own_post(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                      sessionmaker: Any) -> None:
    fake = FakeMastodon(clock=lambda: epoch(clock))
    async with wire_platforms(app, clock, ["mastodon"], mastodon=fake):
        kit = await qa_kit(client, app, clock, sessionmaker, platforms=[{"platform": "mastodon", "account": ACCOUNT}])
        bank = await kit.approve(await create_item(client, kit.author, kit.event["id"], kind="answer", offset=None,
                                                   caption=ANSWER, question=QUESTION))
        (root,) = fake.account_statuses()
        asked = {acct: fake.inject_reply(root.id, QUESTION, acct=acct) for acct in ASKERS}
        await poll(kit)
        async with sessionmaker() as session:
            messages = {m.author_handle: m for m in (await session.execute(select(Message))).scalars()}
        answered = await client.post(f"/api/question-groups/{messages[ASKERS[0]].group_id}/answer",
                                     headers=kit.clinical, json={"bank_item_id": bank["id"]})
        assert answered.status_code == 200, answered.text
        async with transaction(sessionmaker) as session:
            # The second ann's reply: a sender crashed after claiming it, before its request left (unknown,
            # never created). The first ann's reply, the same words after "@ann", will be on the server.
            await session.execute(update(Delivery).where(Delivery.question_id == messages[ASKERS[1]].id)
                                  .values(status="unknown", next_attempt_at=clock.now()))
        fake.inject_fault("/api/v1/statuses", "timeout_after_store", method="POST")  # the first reply's answer is lost
        await kit.pump()
        clock.advance(10)  # past the reconciliation delay
        await kit.pump()

        async with sessionmaker() as session:
            deliveries = {d.question_id: d for d in (await session.execute(
                select(Delivery).where(Delivery.purpose == "reply"))).scalars()}
        statuses = fake.account_statuses()
        under = {parent: [s for s in statuses if s.in_reply_to_id == parent] for parent in asked.values()}
        for acct, parent in asked.items():
            delivery = deliveries[messages[acct].id]
            assert [s.text for s in under[parent]] == [f"@{acct} {ANSWER}"], acct  # one answer, its own
            assert delivery.status == "posted" and delivery.remote is not None
            assert delivery.remote["remote_id"] == under[parent][0].id, acct  # recorded as its own post
        assert len(fake.account_statuses()) == 1 + len(ASKERS)
    assert fake.violations == []
