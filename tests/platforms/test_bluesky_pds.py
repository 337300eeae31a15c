"""The Bluesky adapter against a real local PDS + AppView (tests/peers/bluesky.py); these run in CI."""

from __future__ import annotations

import io
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
import pytest
from PIL import Image, ImageDraw

from server.platforms.base import MemoryCredentialStore, PublishRequest, RemoteRef, UploadRequest
from server.platforms.bluesky import BlueskyAdapter, tid_for_key
from server.platforms.bluesky.richtext import build_facets, detect_facets
from server.platforms.bluesky.tid import tid_for_delivery
from server.platforms.errors import NeedsReauth, Rejected
from tests.peers.bluesky import BlueskyAccount, PeerInfo, create_account, expired_copy_of
from tests.peers.fixtures import bluesky_network, bluesky_pds  # noqa: F401  (session fixtures)
from tests.peers.waiting import eventually

T = TypeVar("T")
POST = "app.bsky.feed.post"


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client that counts createSession calls."""
    logins: list[str] = []

    async def count(request: httpx.Request) -> None:
        if request.url.path.endswith("com.atproto.server.createSession"):
            logins.append(str(request.url))

    async with httpx.AsyncClient(timeout=20, event_hooks={"request": [count]}) as http:
        http.logins = logins  # type: ignore[attr-defined]
        yield http


def new_account(peer: PeerInfo, prefix: str) -> BlueskyAccount:
    """A fresh account with a unique handle on the peer's PDS."""
    return create_account(peer.pds_url, f"{prefix}{uuid.uuid4().hex[:8]}.test")


def adapter_for(peer: PeerInfo, account: BlueskyAccount, http: httpx.AsyncClient) -> BlueskyAdapter:
    """An adapter that starts from identifier + password only (it must log in itself)."""
    store = MemoryCredentialStore({"identifier": account.handle, "password": account.password})
    return BlueskyAdapter(peer.pds_url, store, http)


def png(index: int, size: tuple[int, int]) -> bytes:
    """A small distinct PNG."""
    image = Image.new("RGB", size, ((index * 40) % 256, 120, 200 - index * 10))
    ImageDraw.Draw(image).text((4, 4), f"slide {index}", fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()




async def get_record(http: httpx.AsyncClient, peer: PeerInfo, uri: str) -> dict[str, Any]:
    """com.atproto.repo.getRecord for an at:// URI (unauthenticated)."""
    did, collection, rkey = uri.removeprefix("at://").split("/")
    response = await http.get(
        f"{peer.pds_url}/xrpc/com.atproto.repo.getRecord",
        params={"repo": did, "collection": collection, "rkey": rkey},
    )
    assert response.status_code == 200, response.text
    value: dict[str, Any] = response.json()
    return value


async def list_posts(http: httpx.AsyncClient, peer: PeerInfo, did: str) -> list[dict[str, Any]]:
    """Every post record in a repository (com.atproto.repo.listRecords)."""
    response = await http.get(
        f"{peer.pds_url}/xrpc/com.atproto.repo.listRecords",
        params={"repo": did, "collection": POST, "limit": 100},
    )
    assert response.status_code == 200, response.text
    records: list[dict[str, Any]] = response.json()["records"]
    return records


async def appview_sees(http: httpx.AsyncClient, peer: PeerInfo, uri: str) -> bool | None:
    """True once the AppView has indexed the post (app.bsky.feed.getPosts)."""
    response = await http.get(f"{peer.appview_url}/xrpc/app.bsky.feed.getPosts", params={"uris": uri})
    return True if response.status_code == 200 and response.json().get("posts") else None


async def test_ten_post_thread_with_images_alt_text_and_facets(
    bluesky_network: PeerInfo,  # noqa: F811
    client: httpx.AsyncClient,
) -> None:
    peer = bluesky_network
    hospital = new_account(peer, "hospital")
    adapter = adapter_for(peer, hospital, client)
    first_text = "🏥 Live from theatre 3: https://example.org/live #SurgeryLive"
    refs: list[RemoteRef] = []
    blobs: list[tuple[str, bytes]] = []
    for i in range(1, 11):
        size = (60 + i * 4, 40 + i * 2)
        data = png(i, size)
        media = await adapter.upload_media(
            UploadRequest(data, "image/png", f"Slide {i}: step {i} of the procedure", *size)
        )
        assert media.expires_at is not None
        blobs.append((media.remote_id, data))
        text = first_text if i == 1 else f"Step {i}/10 of the live case."
        refs.append(
            await adapter.publish(
                PublishRequest(
                    text=text,
                    idempotency_key=f"thread-{i}",
                    media=[media],
                    reply_to=refs[-1] if refs else None,
                    language="en",
                )
            )
        )
    assert client.logins == [f"{peer.pds_url}/xrpc/com.atproto.server.createSession"]  # type: ignore[attr-defined]
    root = refs[0]
    assert all(ref.root_uri == root.uri and ref.root_cid == root.cid for ref in refs)
    assert root.url == f"https://bsky.app/profile/{hospital.handle}/post/{tid_for_key('thread-1')}"

    assert len(await list_posts(client, peer, hospital.did)) == 10
    for i, ref in enumerate(refs, start=1):
        assert ref.uri is not None
        record = await get_record(client, peer, ref.uri)
        assert record["cid"] == ref.cid
        value = record["value"]
        image = value["embed"]["images"][0]
        assert image["alt"] == f"Slide {i}: step {i} of the procedure"
        assert image["aspectRatio"] == {"width": 60 + i * 4, "height": 40 + i * 2}
        assert image["image"]["ref"]["$link"] == blobs[i - 1][0]
        assert value["langs"] == ["en"]
        if i == 1:
            assert "reply" not in value
        else:
            assert value["reply"]["root"] == {"uri": root.uri, "cid": root.cid}
            assert value["reply"]["parent"] == {"uri": refs[i - 2].uri, "cid": refs[i - 2].cid}

    facets = (await get_record(client, peer, str(root.uri)))["value"]["facets"]
    prefix = "🏥 Live from theatre 3: ".encode()
    assert facets[0]["index"] == {
        "byteStart": len(prefix),
        "byteEnd": len(prefix) + len("https://example.org/live"),
    }
    assert facets[0]["features"][0] == {
        "$type": "app.bsky.richtext.facet#link",
        "uri": "https://example.org/live",
    }
    tag_start = len("🏥 Live from theatre 3: https://example.org/live ".encode())
    assert facets[1]["index"] == {"byteStart": tag_start, "byteEnd": tag_start + len("#SurgeryLive")}
    assert facets[1]["features"][0]["tag"] == "SurgeryLive"

    blob = await client.get(
        f"{peer.pds_url}/xrpc/com.atproto.sync.getBlob", params={"did": hospital.did, "cid": blobs[0][0]}
    )
    assert blob.content == blobs[0][1]

    async def full_thread() -> dict[str, Any] | None:
        response = await client.get(
            f"{peer.appview_url}/xrpc/app.bsky.feed.getPostThread", params={"uri": root.uri, "depth": 20}
        )
        if response.status_code != 200:
            return None
        node = response.json()["thread"]
        depth = 1
        while node.get("replies"):
            node, depth = node["replies"][0], depth + 1
        return response.json()["thread"] if depth == 10 else None

    node = await eventually(full_thread)
    for i in range(1, 11):
        assert node["post"]["uri"] == refs[i - 1].uri
        assert node["post"]["embed"]["images"][0]["alt"] == f"Slide {i}: step {i} of the procedure"
        node = node["replies"][0] if i < 10 else node


async def test_republish_same_key_does_not_duplicate_and_find_post(
    bluesky_network: PeerInfo,  # noqa: F811
    client: httpx.AsyncClient,
) -> None:
    peer = bluesky_network
    hospital = new_account(peer, "hospital")
    adapter = adapter_for(peer, hospital, client)
    request = PublishRequest(text="We are starting the live case now.", idempotency_key="event-1/post-1",
                             created_at=datetime.now(UTC))
    first = await adapter.publish(request)
    again = await BlueskyAdapter(peer.pds_url, adapter.sessions.credentials, client).publish(request)
    assert (again.uri, again.cid, again.remote_id) == (first.uri, first.cid, first.remote_id)
    assert first.remote_id == tid_for_delivery("event-1/post-1", request_time(request))  # dated: now, not 2023
    assert len(await list_posts(client, peer, hospital.did)) == 1
    found = await adapter.find_post(request, sent_after=request_time(request))
    assert found is not None
    assert found.uri == first.uri
    never = PublishRequest(text="x", idempotency_key="event-1/never-sent", created_at=request.created_at)
    assert await adapter.find_post(never, sent_after=request_time(request)) is None


async def test_content_warning_first_line_rejections_and_delete(
    bluesky_network: PeerInfo,  # noqa: F811
    client: httpx.AsyncClient,
) -> None:
    peer = bluesky_network
    hospital = new_account(peer, "hospital")
    adapter = adapter_for(peer, hospital, client)
    ref = await adapter.publish(
        PublishRequest(text="Next: the incision.", idempotency_key="cw-1", content_warning="surgical images")
    )
    value = (await get_record(client, peer, str(ref.uri)))["value"]
    assert value["text"] == "\u26a0\ufe0f Content warning: surgical images\n\nNext: the incision."
    assert "labels" not in value  # see tests/platforms/test_bluesky_audience.py for how clients show it

    with pytest.raises(Rejected, match="maximum 300"):
        await adapter.publish(PublishRequest(text="é" * 301, idempotency_key="too-long"))
    ghost = RemoteRef(remote_id="3kaaaaaaaaaaa", uri=f"at://{hospital.did}/{POST}/3kaaaaaaaaaaa", cid=ref.cid)
    with pytest.raises(Rejected, match="does not exist"):
        await adapter.publish(PublishRequest(text="orphan", idempotency_key="orphan", reply_to=ghost))

    await adapter.delete(ref)
    gone = PublishRequest(text="Next: the incision.", idempotency_key="cw-1")
    assert await adapter.find_post(gone, sent_after=datetime.now(UTC)) is None
    await adapter.delete(ref)  # deleting a missing post succeeds
    assert await list_posts(client, peer, hospital.did) == []


async def test_expired_and_invalid_tokens_refresh_once_then_need_reauth(
    bluesky_network: PeerInfo,  # noqa: F811
    client: httpx.AsyncClient,
) -> None:
    peer = bluesky_network
    hospital = new_account(peer, "hospital")
    adapter = adapter_for(peer, hospital, client)
    await adapter.authenticate()
    store = adapter.sessions.credentials
    assert isinstance(store, MemoryCredentialStore)
    saved = dict(store.secrets)
    assert saved["did"] == hospital.did
    assert saved["handle"] == hospital.handle

    store.secrets["access_jwt"] = expired_copy_of(saved["access_jwt"], peer.jwt_secret)
    fresh = BlueskyAdapter(peer.pds_url, store, client)  # loads the expired token from the store
    ref = await fresh.publish(PublishRequest(text="After a token expiry.", idempotency_key="exp-1"))
    assert ref.uri is not None
    assert store.secrets["access_jwt"] != expired_copy_of(saved["access_jwt"], peer.jwt_secret)
    assert store.secrets["refresh_jwt"] != saved["refresh_jwt"]  # rotated and persisted

    store.secrets["access_jwt"] = "not-a-jwt"
    await BlueskyAdapter(peer.pds_url, store, client).authenticate()  # InvalidToken -> refresh
    assert client.logins == [f"{peer.pds_url}/xrpc/com.atproto.server.createSession"]  # type: ignore[attr-defined]

    store.secrets.update(access_jwt="not-a-jwt", refresh_jwt="not-a-jwt-either")
    with pytest.raises(NeedsReauth):
        await BlueskyAdapter(peer.pds_url, store, client).publish(
            PublishRequest(text="x", idempotency_key="exp-2")
        )


async def test_reply_and_mention_from_audience_arrive_in_fetch_incoming(
    bluesky_network: PeerInfo,  # noqa: F811
    client: httpx.AsyncClient,
) -> None:
    peer = bluesky_network
    hospital = new_account(peer, "hospital")
    reader = new_account(peer, "reader")
    adapter = adapter_for(peer, hospital, client)
    root = await adapter.publish(PublishRequest(text="Ask the surgeons anything!", idempotency_key="qa-root"))
    await eventually(lambda: appview_sees(client, peer, str(root.uri)))  # else the reply may not notify

    async def post_as_reader(record: dict[str, Any]) -> str:
        record.update({"$type": POST, "createdAt": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())})
        response = await client.post(
            f"{peer.pds_url}/xrpc/com.atproto.repo.createRecord",
            headers={"Authorization": f"Bearer {reader.access_jwt}"},
            json={"repo": reader.did, "collection": POST, "record": record},
        )
        assert response.status_code == 200, response.text
        uri: str = response.json()["uri"]
        return uri

    strong_root = {"uri": root.uri, "cid": root.cid}
    reply_uri = await post_as_reader(
        {
            "text": "How long does the operation take? 🙂",
            "langs": ["en"],
            "reply": {"root": strong_root, "parent": strong_root},
        }
    )
    mention_text = f"Great stream @{hospital.handle}"
    mention_facets = build_facets(detect_facets(mention_text), {hospital.handle: hospital.did})
    mention_uri = await post_as_reader({"text": mention_text, "facets": mention_facets})

    async def both_arrived() -> Any:
        page = await adapter.fetch_incoming(None)
        return page if {reply_uri, mention_uri} <= {m.external_id for m in page.messages} else None

    page = await eventually(both_arrived)
    by_id = {m.external_id: m for m in page.messages}
    reply = by_id[reply_uri]
    assert (reply.platform, reply.author_handle, reply.text) == (
        "bluesky",
        reader.handle,
        "How long does the operation take? 🙂",
    )
    assert reply.in_reply_to == root.uri
    assert reply.language == "en"
    assert reply.root_ref is not None
    assert (reply.root_ref.uri, reply.root_ref.cid) == (root.uri, root.cid)
    assert reply.url == f"https://bsky.app/profile/{reader.handle}/post/{reply_uri.rsplit('/', 1)[1]}"
    mention = by_id[mention_uri]
    assert mention.in_reply_to is None
    assert mention.root_ref is None
    assert [m.received_at for m in page.messages] == sorted(m.received_at for m in page.messages)
    assert page.cursor is not None

    again = await adapter.fetch_incoming(page.cursor)  # overlap window: may repeat, never goes back
    assert again.cursor == page.cursor
    assert {m.external_id for m in again.messages} <= {reply_uri, mention_uri}

    thread = await adapter.fetch_thread_replies([root])
    assert [m.external_id for m in thread] == [reply_uri]


async def test_bare_pds_route_posts_but_has_no_appview(
    bluesky_pds: PeerInfo,  # noqa: F811
    client: httpx.AsyncClient,
) -> None:
    peer = bluesky_pds
    assert peer.appview_url is None
    hospital = new_account(peer, "hospital")
    adapter = adapter_for(peer, hospital, client)
    ref = await adapter.publish(PublishRequest(text="Bare PDS post #test", idempotency_key="bare-1"))
    bare = PublishRequest(text="Bare PDS post #test", idempotency_key="bare-1")
    found = await adapter.find_post(bare, sent_after=datetime.now(UTC))
    assert found is not None
    assert found.cid == ref.cid
    with pytest.raises(Rejected, match="No service configured"):
        await adapter.fetch_incoming(None)


def request_time(request: PublishRequest) -> datetime:
    """The delivery creation time a test request carries."""
    assert request.created_at is not None
    return request.created_at
