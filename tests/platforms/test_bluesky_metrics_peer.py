"""Follower and engagement counts read back from a real PDS + AppView (tests/peers: `start-network.mjs`).

`app.bsky.actor.getProfile` and `app.bsky.feed.getPosts` are AppView reads the PDS proxies, so this runs on the
network route (PLC + PDS + AppView); the bare-PDS route answers them with 400 "No service configured", which
the adapter raises as a refusal the sampler keeps as the account's last error (checked below too).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from server.platforms.base import EngagementCounts, MemoryCredentialStore, PublishRequest
from server.platforms.bluesky import BlueskyAdapter
from server.platforms.errors import PlatformError
from tests.peers.bluesky import BlueskyAccount, PeerInfo, create_account
from tests.peers.fixtures import bluesky_network, bluesky_pds  # noqa: F401  (session fixtures)
from tests.peers.waiting import eventually


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=20) as client:
        yield client


def _adapter(peer: PeerInfo, account: BlueskyAccount, http: httpx.AsyncClient) -> BlueskyAdapter:
    return BlueskyAdapter(peer.pds_url, MemoryCredentialStore(
        {"identifier": account.handle, "password": account.password}), http)


async def _create(http: httpx.AsyncClient, peer: PeerInfo, who: BlueskyAccount, collection: str,
                  record: dict[str, object]) -> None:
    response = await http.post(f"{peer.pds_url}/xrpc/com.atproto.repo.createRecord",
                               headers={"Authorization": f"Bearer {who.access_jwt}"},
                               json={"repo": who.did, "collection": collection, "record": record})
    assert response.status_code == 200, response.text


async def test_followers_and_post_counts_read_back_from_the_appview(
        bluesky_network: PeerInfo, http: httpx.AsyncClient) -> None:  # noqa: F811
    peer = bluesky_network
    hospital = create_account(peer.pds_url, f"hosp{uuid.uuid4().hex[:8]}.test")
    fan = create_account(peer.pds_url, f"fan{uuid.uuid4().hex[:8]}.test")
    adapter = _adapter(peer, hospital, http)
    ref = await adapter.publish(PublishRequest(text="Incision made. #LiveOR", idempotency_key=uuid.uuid4().hex))
    assert ref.uri and ref.cid
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    await _create(http, peer, fan, "app.bsky.graph.follow", {"subject": hospital.did, "createdAt": now})
    await _create(http, peer, fan, "app.bsky.feed.like",
                  {"subject": {"uri": ref.uri, "cid": ref.cid}, "createdAt": now})
    await _create(http, peer, fan, "app.bsky.feed.repost",
                  {"subject": {"uri": ref.uri, "cid": ref.cid}, "createdAt": now})

    async def followed() -> int | None:
        try:
            count = await adapter.read_followers()
        except PlatformError as exc:  # the AppView indexes a new account from the firehose, a moment later
            if "Profile not found" not in str(exc):
                raise
            return None
        return count if count == 1 else None

    async def engaged() -> EngagementCounts | None:
        counts = (await adapter.read_engagement([ref])).get(ref.remote_id)
        return counts if counts is not None and counts.likes == 1 and counts.reposts == 1 else None

    assert await eventually(followed) == 1
    assert await eventually(engaged) == EngagementCounts(likes=1, reposts=1, replies=0, quotes=0)


async def test_a_pds_without_appview_refuses_the_counts(bluesky_pds: PeerInfo,  # noqa: F811
                                                        http: httpx.AsyncClient) -> None:
    hospital = create_account(bluesky_pds.pds_url, f"hosp{uuid.uuid4().hex[:8]}.test")
    with pytest.raises(PlatformError, match="No service configured|InvalidRequest"):
        await _adapter(bluesky_pds, hospital, http).read_followers()
