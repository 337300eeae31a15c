"""Audience questions and their answers on mastodon_mock (a Mastodon server from PyPI), read back with Mastodon.py.

The whole path runs as in production: the poller reads the peer, a clinician answers from the bank, the
dispatcher posts the replies, and one reply's answer is lost after the server made it (a crash between "post
created" and "response received"), so the dispatcher must reconcile it to the right post.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from server.clock import FakeClock
from server.models import Delivery, JournalEntry, Message
from server.platforms.base import MemoryCredentialStore
from server.platforms.mastodon import MastodonAdapter
from tests.factories import create_item
from tests.livekit import LiveKit
from tests.peers.fixtures import mastodon_mock_peer  # noqa: F401  (session fixture)
from tests.peers.mastodon import LosingTransport, MastodonAccount, MastodonPeer, client_for, new_account
from tests.questions.qakit import poll, qa_kit

pytestmark = pytest.mark.slow
ANSWER = "About three to four hours, including anaesthesia. #LiveOR"
QUESTION = "How long does the operation take?"


@pytest.fixture
async def transport() -> AsyncIterator[LosingTransport]:
    losing = LosingTransport()
    yield losing
    await losing.aclose()


async def stored(kit: LiveKit, external_id: str) -> Message:
    async with kit.app.state.livecue.sessionmaker() as session:
        query = select(Message).where(Message.event_id == kit.event["id"], Message.external_id == external_id)
        message = (await session.execute(query)).scalar_one_or_none()
    assert message is not None, f"status {external_id} was not ingested"
    return message


async def replies(kit: LiveKit) -> dict[int, Delivery]:
    """Reply deliveries by the message they answer."""
    async with kit.app.state.livecue.sessionmaker() as session:
        rows = (await session.execute(select(Delivery).where(Delivery.purpose == "reply"))).scalars()
        return {int(d.question_id): d for d in rows if d.question_id is not None}


async def answer_with_bank(kit: LiveKit, message: Message, bank: dict[str, Any]) -> None:
    sent = await kit.client.post(f"/api/question-groups/{message.group_id}/answer", headers=kit.clinical,
                                 json={"bank_item_id": bank["id"]})
    assert sent.status_code == 200, sent.text


def hospital_under(peer: MastodonPeer, hospital: MastodonAccount, status_id: str) -> list[Any]:
    """The hospital's statuses directly under `status_id`, read with the official client."""
    context = client_for(peer, hospital).status_context(status_id)
    return [s for s in context["descendants"]
            if str(s["account"]["id"]) == hospital.id and str(s["in_reply_to_id"]) == status_id]


def notified(peer: MastodonPeer, account: MastodonAccount, status_id: str) -> bool:
    """Whether `account` got a mention notification for `status_id` (read as that account)."""
    return any(str(n["status"]["id"]) == status_id for n in client_for(peer, account).notifications(types=["mention"]))


async def test_answers_reach_each_asker_privately_when_asked_privately_and_a_lost_answer_is_reconciled(
        mastodon_mock_peer: MastodonPeer,  # noqa: F811
        transport: LosingTransport, client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any) -> None:
    peer = mastodon_mock_peer
    hospital = new_account(peer, "hosp")
    async with httpx.AsyncClient(transport=transport, timeout=20) as http:
        app.state.livecue.registry.overrides[("mastodon", hospital.username)] = MastodonAdapter(
            peer.base_url, MemoryCredentialStore({"access_token": hospital.token}), http)
        kit = await qa_kit(client, app, clock, sessionmaker,
                           platforms=[{"platform": "mastodon", "account": hospital.username}])
        bank = await kit.approve(await create_item(client, kit.author, kit.event["id"], kind="answer", offset=None,
                                                   caption=ANSWER, question=QUESTION))
        async with sessionmaker() as session:
            (thread,) = (await session.execute(select(Delivery).where(Delivery.purpose == "thread"))).scalars()
        root = str(thread.remote["remote_id"])  # type: ignore[index]

        # Three askers, the same question; a reply under the event post without any @mention; and a mention
        # of the hospital in a stranger's thread. One poll reads them all (mentions + the thread's context).
        askers = {name: new_account(peer, name) for name in ("ann", "ben", "cat")}
        asked = {name: str(client_for(peer, acc).status_post(f"@{hospital.username} {QUESTION}",
                                                             in_reply_to_id=root)["id"])
                 for name, acc in askers.items()}
        quiet = str(client_for(peer, new_account(peer, "wen")).status_post(
            "Can you show the heart-lung machine?", in_reply_to_id=root)["id"])
        elsewhere = str(client_for(peer, new_account(peer, "zed")).status_post("Anyone watching the live case?")["id"])
        mention = str(client_for(peer, new_account(peer, "yan")).status_post(
            f"@{hospital.username} is this your live case?", in_reply_to_id=elsewhere)["id"])
        await poll(kit)
        messages = {name: await stored(kit, status) for name, status in asked.items()}
        assert (await stored(kit, mention)).author_handle.startswith("yan")  # a mention in another thread
        assert (await stored(kit, quiet)).in_reply_to == root  # no mention: read from `context`
        assert len({m.group_id for m in messages.values()}) == 1

        # One bank answer for the group; the answer to ben is made on the server but its response is lost.
        def to_ben(request: httpx.Request) -> bool:
            return (request.method == "POST" and request.url.path == "/api/v1/statuses"
                    and json.loads(request.content).get("in_reply_to_id") == asked["ben"])

        transport.lose_next = to_ben
        await answer_with_bank(kit, messages["ann"], bank)
        await kit.pump()
        assert len(transport.lost) == 1
        by_message = await replies(kit)
        assert by_message[messages["ben"].id].status == "unknown"
        clock.advance(10)  # past the reconciliation delay
        await kit.pump()
        by_message = await replies(kit)

        for name, acc in askers.items():
            delivery = by_message[messages[name].id]
            under = hospital_under(peer, hospital, asked[name])
            assert len(under) == 1, f"{name}: {len(under)} answers under the question"
            assert delivery.status == "posted" and delivery.remote is not None
            assert delivery.remote["remote_id"] == str(under[0]["id"])  # recorded: its own post, nobody else's
            assert delivery.text == f"@{acc.username} {ANSWER}"
            assert [m["username"] for m in under[0]["mentions"]] == [acc.username]
            assert notified(peer, acc, str(under[0]["id"]))  # the asker is notified
        async with sessionmaker() as session:
            query = select(JournalEntry).where(JournalEntry.kind == "delivery.posted")
            posted = (await session.execute(query)).scalars()
            reconciled = [e.payload for e in posted if e.payload.get("reconciled")]
        assert [p["question_id"] for p in reconciled] == [messages["ben"].id]

        # A direct question gets a direct answer, which notifies its asker.
        dan = new_account(peer, "dan")
        private = str(client_for(peer, dan).status_post(f"@{hospital.username} {QUESTION}", visibility="direct",
                                                        in_reply_to_id=root)["id"])
        await poll(kit)
        dan_message = await stored(kit, private)
        assert dan_message.visibility == "direct"
        await answer_with_bank(kit, dan_message, bank)
        await kit.pump()
        delivery = (await replies(kit))[dan_message.id]
        assert delivery.status == "posted" and delivery.visibility == "direct"
        (answer,) = hospital_under(peer, hospital, private)
        seen_by_dan = client_for(peer, dan).status(answer["id"])
        assert seen_by_dan["visibility"] == "direct" and seen_by_dan["in_reply_to_id"] == private
        assert notified(peer, dan, str(answer["id"]))

        # Nothing posted twice: the thread post and four answers.
        own = client_for(peer, hospital).account_statuses(hospital.id, limit=40)
        assert len(own) == 5
