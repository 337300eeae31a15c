"""Bluesky record keys: dated by the delivery's creation, stable across attempts, and the post's identity.

Runs against a small in-memory repository (createRecord refuses a taken key with 500, as the PDS does); the
real PDS runs the same paths in `test_bluesky_pds.py`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from server.platforms.base import MemoryCredentialStore, PublishRequest, RemoteRef
from server.platforms.bluesky import BlueskyAdapter, tid_for_key
from server.platforms.bluesky.tid import decode_tid, is_valid_tid, record_keys, tid_for_delivery

DID = "did:plc:hospital"
SESSION = {"access_jwt": "acc-1", "refresh_jwt": "ref-1", "did": DID, "handle": "hospital.test"}
CREATED = datetime(2026, 12, 1, 12, 0, 0, 123456, tzinfo=UTC)
POST = "app.bsky.feed.post"


class Repo:
    """One account's posts by record key, behind createRecord/getRecord."""

    def __init__(self) -> None:
        self.records: dict[str, dict[str, Any]] = {}
        self.creates = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        nsid = request.url.path.removeprefix("/xrpc/")
        if nsid == "com.atproto.repo.createRecord":
            self.creates += 1
            body = json.loads(request.content)
            if body["rkey"] in self.records:
                return httpx.Response(500, json={"error": "InternalServerError", "message": "Internal Server Error"})
            self.records[body["rkey"]] = body["record"]
            return httpx.Response(200, json={"uri": self.uri(body["rkey"]), "cid": f"cid-{body['rkey']}"})
        if nsid == "com.atproto.repo.getRecord":
            rkey = request.url.params["rkey"]
            if rkey not in self.records:
                return httpx.Response(400, json={"error": "RecordNotFound", "message": "Could not locate record"})
            return httpx.Response(200, json={"uri": self.uri(rkey), "cid": f"cid-{rkey}", "value": self.records[rkey]})
        return httpx.Response(501, json={"error": "MethodNotImplemented"})

    @staticmethod
    def uri(rkey: str) -> str:
        return f"at://{DID}/{POST}/{rkey}"


def adapter_for(repo: Repo) -> BlueskyAdapter:
    client = httpx.AsyncClient(transport=httpx.MockTransport(repo))
    return BlueskyAdapter("https://pds.example", MemoryCredentialStore(dict(SESSION)), client)


def micros(tid: str) -> int:
    return decode_tid(tid) >> 10


def test_a_delivery_key_is_dated_by_its_creation_and_the_same_every_time() -> None:
    tid = tid_for_delivery("lc-abc", CREATED)
    assert is_valid_tid(tid) and tid == tid_for_delivery("lc-abc", CREATED)
    epoch_ms = int(CREATED.timestamp() * 1000)
    assert micros(tid) // 1000 == epoch_ms  # the posting time to the millisecond, not a 2023 hash date
    later = [tid_for_delivery(f"lc-{n}", CREATED + timedelta(milliseconds=n)) for n in range(1, 50)]
    assert later == sorted(later)  # thread order is repository order
    same_instant = {tid_for_delivery(f"lc-{n}", CREATED) for n in range(300)}
    assert len(same_instant) == 300  # one transaction's deliveries still get keys of their own
    assert len(set(record_keys("lc-abc", CREATED))) == 3
    assert record_keys("lc-abc", None) == [tid_for_key("lc-abc")]


async def test_publish_and_find_use_the_dated_key_and_never_post_twice() -> None:
    repo = Repo()
    adapter = adapter_for(repo)
    request = PublishRequest(text="We are starting.", idempotency_key="lc-1", created_at=CREATED)
    first = await adapter.publish(request)
    assert first.remote_id == tid_for_delivery("lc-1", CREATED)
    assert await adapter.publish(request) == first  # a retry targets the same record
    assert await adapter.find_post(request, sent_after=CREATED) == first
    other = PublishRequest(text="We are starting.", idempotency_key="lc-2", created_at=CREATED)
    assert await adapter.find_post(other, sent_after=CREATED) is None  # same words, another delivery
    assert list(repo.records) == [first.remote_id]


async def test_a_key_held_by_another_post_moves_to_the_next_and_is_found_there() -> None:
    repo = Repo()
    adapter = adapter_for(repo)
    asker = RemoteRef("q1", uri=f"at://did:plc:ann/{POST}/q1", cid="cid-q1")
    request = PublishRequest(text="@ann About three hours.", idempotency_key="lc-9", reply_to=asker,
                             created_at=CREATED)
    first_key, second_key, _ = record_keys("lc-9", CREATED)
    repo.records[first_key] = {"text": "@ben About three hours.",  # another asker's answer, same millisecond
                               "reply": {"parent": {"uri": f"at://did:plc:ben/{POST}/q2"}}}
    assert await adapter.find_post(request, sent_after=CREATED) is None
    ref = await adapter.publish(request)
    assert ref.remote_id == second_key
    assert await adapter.find_post(request, sent_after=CREATED) == ref
    assert await adapter.publish(request) == ref
    assert len(repo.records) == 2


async def test_a_post_made_before_keys_were_dated_is_still_found() -> None:
    repo = Repo()
    adapter = adapter_for(repo)
    legacy = await adapter.publish(PublishRequest(text="Old", idempotency_key="lc-old"))
    assert legacy.remote_id == tid_for_key("lc-old")
    dated = PublishRequest(text="Old", idempotency_key="lc-old", created_at=CREATED)
    assert await adapter.find_post(dated, sent_after=CREATED) == legacy
