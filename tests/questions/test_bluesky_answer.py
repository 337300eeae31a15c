"""An audience question and its reviewed answer on the real local Bluesky PDS + AppView (tests/peers/)."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from typing import Any, TypeVar

import httpx
import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from server.clock import FakeClock
from server.models import Delivery, Message
from server.platforms.base import MemoryCredentialStore
from server.platforms.bluesky import BlueskyAdapter
from tests.livekit import LiveKit
from tests.peers.bluesky import BlueskyAccount, PeerInfo, create_account
from tests.peers.fixtures import bluesky_network  # noqa: F401  (session fixture)
from tests.peers.waiting import eventually
from tests.questions.qakit import qa_kit, queue

T = TypeVar("T")
POST = "app.bsky.feed.post"
pytestmark = pytest.mark.slow


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    """A client for the peer (the adapter's and the test's own calls)."""
    async with httpx.AsyncClient(timeout=20) as client:
        yield client




async def get_record(http: httpx.AsyncClient, peer: PeerInfo, uri: str) -> dict[str, Any]:
    """com.atproto.repo.getRecord for an at:// URI."""
    did, collection, rkey = uri.removeprefix("at://").split("/")
    response = await http.get(f"{peer.pds_url}/xrpc/com.atproto.repo.getRecord",
                              params={"repo": did, "collection": collection, "rkey": rkey})
    assert response.status_code == 200, response.text
    return dict(response.json())


async def appview_sees(http: httpx.AsyncClient, peer: PeerInfo, uri: str) -> bool | None:
    """True once the AppView has indexed the post."""
    response = await http.get(f"{peer.appview_url}/xrpc/app.bsky.feed.getPosts", params={"uris": uri})
    return True if response.status_code == 200 and response.json().get("posts") else None


async def reply_as(http: httpx.AsyncClient, peer: PeerInfo, reader: BlueskyAccount, text: str,
                   root: dict[str, str]) -> str:
    """The audience member replies to the hospital's thread root on the PDS."""
    record = {"$type": POST, "text": text, "langs": ["en"], "reply": {"root": root, "parent": root},
              "createdAt": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())}
    response = await http.post(f"{peer.pds_url}/xrpc/com.atproto.repo.createRecord",
                               headers={"Authorization": f"Bearer {reader.access_jwt}"},
                               json={"repo": reader.did, "collection": POST, "record": record})
    assert response.status_code == 200, response.text
    return str(response.json()["uri"])


async def delivered(kit: LiveKit, purpose: str) -> list[Delivery]:
    """Posted deliveries of one purpose."""
    async with kit.app.state.livecue.sessionmaker() as session:
        query = select(Delivery).where(Delivery.purpose == purpose, Delivery.status == "posted")
        return list((await session.execute(query.order_by(Delivery.id))).scalars())


async def test_question_and_reviewed_answer_on_the_real_pds(
        bluesky_network: PeerInfo,  # noqa: F811
        http: httpx.AsyncClient, client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any) -> None:
    peer = bluesky_network
    hospital = create_account(peer.pds_url, f"hosp{uuid.uuid4().hex[:8]}.test")
    reader = create_account(peer.pds_url, f"reader{uuid.uuid4().hex[:8]}.test")
    adapter = BlueskyAdapter(peer.pds_url, MemoryCredentialStore(
        {"identifier": hospital.handle, "password": hospital.password}), http)
    app.state.livecue.registry.overrides[("bluesky", hospital.handle)] = adapter

    # The event's first post goes out on the PDS through the outbox.
    kit = await qa_kit(client, app, clock, sessionmaker,
                       platforms=[{"platform": "bluesky", "account": hospital.handle}])
    (thread_post,) = await delivered(kit, "thread")
    root = {"uri": thread_post.remote["uri"], "cid": thread_post.remote["cid"]}  # type: ignore[index]
    await eventually(lambda: appview_sees(http, peer, root["uri"]))  # else the reply may not notify

    # An audience member replies; the poller finds it through listNotifications.
    asked_uri = await reply_as(http, peer, reader, "How long does the operation take?", root)

    async def ingested() -> Message | None:
        await kit.state.poller.tick()
        async with sessionmaker() as session:
            return (await session.execute(select(Message).where(Message.external_id == asked_uri))).scalar_one_or_none()

    message = await eventually(ingested)
    assert (message.platform, message.author_handle, message.label) == ("bluesky", reader.handle, "question")
    assert message.in_reply_to == root["uri"] and message.language == "en"
    assert message.remote is not None and message.remote["uri"] == asked_uri
    assert message.remote["root_uri"] == root["uri"]
    again = await kit.state.poller.tick()  # the overlap window repeats it: stored once
    assert again.stored == []

    # Clinician claims and drafts; comms approves; the dispatcher replies on the PDS.
    (group,) = await queue(kit)
    assert (await client.post(f"/api/question-groups/{group['id']}/claim", headers=kit.clinical)).status_code == 200
    answer = "About three to four hours, including anaesthesia. #LiveOR"
    drafted = await client.post(f"/api/question-groups/{group['id']}/answer", headers=kit.clinical,
                                json={"caption": answer})
    assert drafted.status_code == 200, drafted.text
    approved = await client.post(f"/api/items/{drafted.json()['answer_item_id']}/approve", json={"version": 1},
                                 headers=kit.comms)
    assert approved.status_code == 200, approved.text
    await kit.pump()
    await kit.pump()

    (reply,) = await delivered(kit, "reply")
    assert reply.question_id == message.id
    value = (await get_record(http, peer, reply.remote["uri"]))["value"]  # type: ignore[index]
    addressed = f"@{reader.handle} {answer}"  # the reply names its asker (a mention facet notifies them)
    assert value["text"] == addressed
    assert any(f["features"][0].get("did") == reader.did for f in value.get("facets") or [])
    assert value["reply"]["parent"]["uri"] == asked_uri
    assert value["reply"]["root"] == root

    # Exactly once: the hospital's repository holds the thread post and one answer.
    listed = await http.get(f"{peer.pds_url}/xrpc/com.atproto.repo.listRecords",
                            params={"repo": hospital.did, "collection": POST, "limit": 100})
    assert sorted(r["value"]["text"] for r in listed.json()["records"]) == sorted(
        [addressed, thread_post.text])
    await kit.pump()
    assert len(await delivered(kit, "reply")) == 1
