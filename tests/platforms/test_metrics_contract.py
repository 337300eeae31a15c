"""Follower and engagement counts read back from the contract-checked X and Mastodon fakes.

Every request the adapters send and every answer the fakes give is checked against the platform's OpenAPI
document (`fake.violations == []`): users/me with `user.fields=public_metrics`, `GET /2/tweets?ids=` with
`tweet.fields=public_metrics`, Mastodon's `verify_credentials` and `GET /api/v1/statuses/:id`.
"""

from __future__ import annotations

from server.platforms.base import EngagementCounts, MemoryCredentialStore, MetricsReader, PublishRequest, RemoteRef
from server.platforms.mastodon import MastodonAdapter
from server.platforms.x import XAdapter
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.x import FakeX

X_SECRETS = {"access_token": "x-access-0", "refresh_token": "x-refresh-0", "client_id": "x-client"}


async def test_x_followers_and_public_metrics_read_back() -> None:
    fake = FakeX()
    async with fake.client() as http:
        adapter = XAdapter(fake.base_url, MemoryCredentialStore(X_SECRETS), http)
        assert isinstance(adapter, MetricsReader)
        first = await adapter.publish(PublishRequest(text="Incision made", idempotency_key="k1"))
        second = await adapter.publish(PublishRequest(text="Valve in place", idempotency_key="k2"))
        fake.me.followers = 15_234
        tweet = fake.tweets[first.remote_id]
        tweet.likes, tweet.retweets, tweet.replies, tweet.quotes = 41, 7, 3, 2

        assert await adapter.read_followers() == 15_234
        counts = await adapter.read_engagement([first, second, RemoteRef(remote_id="999999")])  # 999999: deleted

    assert counts == {first.remote_id: EngagementCounts(likes=41, reposts=7, replies=3, quotes=2),
                      second.remote_id: EngagementCounts()}
    lookups = fake.requests_to("GET", "/2/tweets")
    assert len(lookups) == 1  # three ids, one request
    assert fake.violations == []


async def test_mastodon_followers_and_status_counts_read_back() -> None:
    fake = FakeMastodon()
    async with fake.client() as http:
        adapter = MastodonAdapter(fake.base_url, MemoryCredentialStore({"access_token": "mastodon-token"}), http)
        assert isinstance(adapter, MetricsReader)
        first = await adapter.publish(PublishRequest(text="Incision made", idempotency_key="k1"))
        fake.me.followers = 812
        status = fake.statuses[first.remote_id]
        status.favourites, status.reblogs = 19, 4

        assert await adapter.read_followers() == 812
        counts = await adapter.read_engagement([first, RemoteRef(remote_id="1")])  # "1": no such status (404)

    assert counts == {first.remote_id: EngagementCounts(likes=19, reposts=4, replies=0, quotes=0)}
    assert fake.violations == []
