"""Follower and engagement counts read back from a Mastodon server nobody on the team wrote (mastodon_mock).

The audience follows, favourites, boosts and replies with the official client (Mastodon.py); what the adapter's
`MetricsReader` reads (`verify_credentials.followers_count`, each status's counts) must equal what Mastodon.py
reads from the same server. The contract fake covers the same in test_metrics_contract.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from server.platforms.base import EngagementCounts, MemoryCredentialStore, PublishRequest, RemoteRef
from server.platforms.mastodon import MastodonAdapter
from tests.peers.fixtures import mastodon_mock_peer  # noqa: F401  (session fixture)
from tests.peers.mastodon import MastodonPeer, client_for, new_account

pytestmark = pytest.mark.slow


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=20) as client:
        yield client


async def test_followers_and_engagement_read_back_match_the_official_client(
        mastodon_mock_peer: MastodonPeer, http: httpx.AsyncClient) -> None:  # noqa: F811
    peer = mastodon_mock_peer
    hospital = new_account(peer, "hosp")
    adapter = MastodonAdapter(peer.base_url, MemoryCredentialStore({"access_token": hospital.token}), http)
    assert await adapter.read_followers() == 0
    first = await adapter.publish(PublishRequest(text="The team is scrubbing in. #LiveOR", idempotency_key="m1"))
    second = await adapter.publish(PublishRequest(text="First incision. #LiveOR", idempotency_key="m2"))
    fans = [client_for(peer, new_account(peer, f"fan{i}")) for i in range(3)]
    for fan in fans:
        fan.account_follow(hospital.id)
    fans[0].status_favourite(first.remote_id)
    fans[1].status_favourite(first.remote_id)
    fans[2].status_reblog(first.remote_id)
    fans[0].status_post("How long does it take?", in_reply_to_id=first.remote_id)
    fans[1].status_favourite(second.remote_id)

    official = client_for(peer, hospital)
    assert await adapter.read_followers() == official.account_verify_credentials()["followers_count"] == 3
    counts = await adapter.read_engagement([RemoteRef(first.remote_id), RemoteRef(second.remote_id)])
    for ref in (first, second):
        status = official.status(ref.remote_id)
        assert counts[ref.remote_id] == EngagementCounts(
            likes=status["favourites_count"], reposts=status["reblogs_count"], replies=status["replies_count"],
            quotes=counts[ref.remote_id].quotes)
    assert counts[first.remote_id] == EngagementCounts(likes=2, reposts=1, replies=1, quotes=0)
    assert counts[second.remote_id] == EngagementCounts(likes=1, reposts=0, replies=0, quotes=0)
    official.status_delete(second.remote_id)  # a deleted post is left out, not an error
    assert set(await adapter.read_engagement([RemoteRef(first.remote_id), RemoteRef(second.remote_id)])) == {
        first.remote_id}
