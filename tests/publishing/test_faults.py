"""Faults per platform (429 with reset, 500/503, connection reset, timeout after store, expired tokens) and
rejected content: every item ends up posted exactly once and in thread order, retries never come early, and
failures carry the platform's reason without blocking other platforms."""

from __future__ import annotations

import random
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from server.clock import FakeClock
from server.platforms.base import MemoryCredentialStore
from server.platforms.bluesky import BlueskyAdapter
from tests.fakes.asgi import FakeRequest, FakeResponse
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.x import invalid
from tests.livekit import LiveKit
from tests.peers.bluesky import PeerInfo, expired_copy_of
from tests.publishing.fault_steps import delivery_of, drain, retry_wait
from tests.publishing.pds_faults import new_session, revoke_session
from tests.publishing.platform_kit import (
    ACCOUNT,
    ALL_PLATFORMS,
    BlueskyHarness,
    MastodonHarness,
    XHarness,
    add_items,
    assert_thread,
    epoch,
    go_live,
    post_now,
    prepare_event,
    registry_of,
    wire_platforms,
)

RESET_SECONDS = {"x": 900, "mastodon": 60, "bluesky": 59, "sandbox": 60}


def texts(*numbers: int) -> list[str]:
    """The captions `add_items` gives these items."""
    return [f"Step {n}: the team moves on. #LiveOR" for n in numbers]


async def journal_kinds(kit: LiveKit) -> list[str]:
    """Journal entry kinds of the event."""
    body = (await kit.client.get(f"/api/events/{kit.event['id']}/journal?limit=1000", headers=kit.comms)).json()
    return [e["kind"] for e in body["entries"]]


@pytest.mark.parametrize("platform", ALL_PLATFORMS)
async def test_transient_faults_post_each_item_once_in_order(platform: str, client: AsyncClient, app: FastAPI,
                                                            clock: FakeClock, sessionmaker: Any,
                                                            request: pytest.FixtureRequest) -> None:
    peer = request.getfixturevalue("bluesky_pds") if platform == "bluesky" else None
    kit = await prepare_event(client, app, clock, sessionmaker, [platform])
    kit.state.dispatcher.rng = random.Random(4)
    async with wire_platforms(app, clock, [platform], peer=peer) as wired:
        harness = wired[platform]
        items = await add_items(kit, 6)
        await go_live(kit)

        # 429 with a reset time: the head waits at least until the reset, the next item waits behind it
        harness.inject("429")
        await post_now(kit, items[0])
        await post_now(kit, items[1])
        await kit.pump()
        assert await harness.posts() == []
        assert await retry_wait(kit, items[0]["id"], platform) >= RESET_SECONDS[platform]
        await drain(kit, harness)

        # 500, then 503, then a connection reset before the request left
        harness.inject("500")
        harness.inject("503")
        await post_now(kit, items[2])
        await kit.pump()
        await drain(kit, harness)
        harness.inject("reset")
        await post_now(kit, items[3])
        await kit.pump()
        await drain(kit, harness)
        assert len(await harness.posts()) == 4

        # timeout after the platform stored the post: reconciled, never re-sent; the next item waits for it
        harness.inject("timeout_after_store")
        calls = harness.publish_calls()
        await post_now(kit, items[4])
        await post_now(kit, items[5])
        await kit.pump()
        assert (await delivery_of(kit, items[4]["id"], platform)).status == "unknown"
        assert len(await harness.posts()) == 5
        await drain(kit, harness)
        assert harness.publish_calls() == calls + 2

        assert_thread(await harness.posts(), texts(*range(6)), platform)
        assert harness.violations() == []
    deliveries = await kit.deliveries()
    assert [d.status for d in deliveries] == ["posted"] * 6
    assert {"delivery.retry", "delivery.unknown", "delivery.posted"} <= set(await journal_kinds(kit))


async def test_x_expired_token_refreshes_once_then_needs_reauth(client: AsyncClient, app: FastAPI,
                                                               clock: FakeClock, sessionmaker: Any) -> None:
    kit = await prepare_event(client, app, clock, sessionmaker, ["x"])
    async with wire_platforms(app, clock, ["x"]) as wired:
        x = wired["x"]
        assert isinstance(x, XHarness)
        items = await add_items(kit, 3)
        await go_live(kit)
        x.fake.expire_access_tokens()
        await post_now(kit, items[0])
        await kit.pump()
        assert x.fake.auth.refresh_calls == 1
        assert x.secrets.secrets["access_token"] != "x-access-0"  # rotated pair persisted
        assert x.secrets.secrets["refresh_token"] != "x-refresh-0"

        x.fake.expire_access_tokens()
        x.fake.revoke_refresh_tokens()
        await post_now(kit, items[1])
        await kit.pump()
        failed = await delivery_of(kit, items[1]["id"], "x")
        assert failed.status == "needs_reauth"
        assert failed.last_error is not None and failed.last_error.startswith("needs re-authentication")
        assert "refresh token rejected" in failed.last_error
        assert x.fake.auth.refresh_calls == 2  # one refresh for this delivery, then it gave up

        # the operator reconnects the account and retries from the API: posted once, still in the thread
        x.fake.auth.add_oauth2("x-client", None, "x-access-new", "x-refresh-new")
        x.secrets.secrets.update({"access_token": "x-access-new", "refresh_token": "x-refresh-new"})
        retried = await kit.post(f"/api/deliveries/{failed.id}/retry")
        assert retried.status_code == 200, retried.text
        await drain(kit, x)
        await post_now(kit, items[2])
        await kit.pump()
        assert_thread(await x.posts(), texts(0, 1, 2), "x")
        assert x.violations() == []


async def test_bluesky_expired_token_refreshes_once_then_needs_reauth(client: AsyncClient, app: FastAPI,
                                                                     clock: FakeClock, sessionmaker: Any,
                                                                     bluesky_pds: PeerInfo) -> None:
    kit = await prepare_event(client, app, clock, sessionmaker, ["bluesky"])
    async with wire_platforms(app, clock, ["bluesky"], peer=bluesky_pds) as wired:
        bsky = wired["bluesky"]
        assert isinstance(bsky, BlueskyHarness)
        items = await add_items(kit, 2)
        await go_live(kit)

        async def adapter_with_expired_token(revoke: bool) -> MemoryCredentialStore:
            session = await new_session(bsky.reader, bluesky_pds.pds_url, bsky.handle, bsky.password)
            if revoke:
                await revoke_session(bsky.reader, bluesky_pds.pds_url, session["refresh_jwt"])
            store = MemoryCredentialStore({**session, "access_jwt": expired_copy_of(session["access_jwt"],
                                                                                   bluesky_pds.jwt_secret)})
            registry_of(app).overrides[("bluesky", ACCOUNT)] = BlueskyAdapter(bluesky_pds.pds_url, store,
                                                                               bsky.client)
            return store

        store = await adapter_with_expired_token(revoke=False)
        expired = store.secrets["access_jwt"]
        await post_now(kit, items[0])
        await kit.pump()
        assert bsky.transport.count("com.atproto.server.refreshSession") == 1
        assert store.secrets["access_jwt"] != expired

        await adapter_with_expired_token(revoke=True)
        await post_now(kit, items[1])
        await kit.pump()
        failed = await delivery_of(kit, items[1]["id"], "bluesky")
        assert failed.status == "needs_reauth"
        assert failed.last_error is not None and failed.last_error.startswith("needs re-authentication")
        assert bsky.transport.count("com.atproto.server.refreshSession") == 2
        assert bsky.transport.count("com.atproto.server.createSession") == 0  # never logs in per post
        assert_thread(await bsky.posts(), texts(0), "bluesky")


async def test_mastodon_revoked_token_needs_reauth_then_retry_posts_once(client: AsyncClient, app: FastAPI,
                                                                        clock: FakeClock, sessionmaker: Any) -> None:
    kit = await prepare_event(client, app, clock, sessionmaker, ["mastodon"])
    async with wire_platforms(app, clock, ["mastodon"]) as wired:
        mastodon = wired["mastodon"]
        assert isinstance(mastodon, MastodonHarness)
        items = await add_items(kit, 2)
        await go_live(kit)
        mastodon.fake.revoke_token("mastodon-token")
        await post_now(kit, items[0])
        await kit.pump()
        failed = await delivery_of(kit, items[0]["id"], "mastodon")
        assert failed.status == "needs_reauth"
        assert failed.last_error is not None and "needs re-authentication" in failed.last_error
        assert "access token" in failed.last_error

        mastodon.fake.tokens["mastodon-token-2"] = mastodon.fake.me.id
        mastodon.secrets.secrets["access_token"] = "mastodon-token-2"
        assert (await kit.post(f"/api/deliveries/{failed.id}/retry")).status_code == 200
        await drain(kit, mastodon)
        await post_now(kit, items[1])
        await kit.pump()
        assert_thread(await mastodon.posts(), texts(0, 1), "mastodon")
        assert mastodon.violations() == []


async def test_needs_reauth_holds_the_rest_of_the_thread_until_the_retry(client: AsyncClient, app: FastAPI,
                                                                         clock: FakeClock, sessionmaker: Any) -> None:
    kit = await prepare_event(client, app, clock, sessionmaker, ["mastodon"])
    async with wire_platforms(app, clock, ["mastodon"]) as wired:
        mastodon = wired["mastodon"]
        assert isinstance(mastodon, MastodonHarness)
        items = await add_items(kit, 3)
        await go_live(kit)
        mastodon.fake.revoke_token("mastodon-token")
        for item in items:
            await post_now(kit, item)
        await kit.pump(rounds=8)
        statuses = [(await delivery_of(kit, item["id"], "mastodon")).status for item in items]
        assert statuses == ["needs_reauth", "pending", "pending"]  # the rest waits instead of failing one by one
        seen = len(mastodon.fake.requests)
        clock.advance(seconds=600)
        await kit.pump(rounds=8)
        assert len(mastodon.fake.requests) == seen  # and sends nothing while it waits

        mastodon.fake.tokens["mastodon-token-2"] = mastodon.fake.me.id
        mastodon.secrets.secrets["access_token"] = "mastodon-token-2"
        failed = await delivery_of(kit, items[0]["id"], "mastodon")
        assert (await kit.post(f"/api/deliveries/{failed.id}/retry")).status_code == 200
        await drain(kit, mastodon)
        assert_thread(await mastodon.posts(), texts(0, 1, 2), "mastodon")
        assert mastodon.violations() == []


async def test_rejected_content_fails_that_delivery_only(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                         sessionmaker: Any, bluesky_pds: PeerInfo) -> None:
    kit = await prepare_event(client, app, clock, sessionmaker, ALL_PLATFORMS)
    strict = FakeMastodon(clock=lambda: epoch(clock), max_characters=60)
    async with wire_platforms(app, clock, ALL_PLATFORMS, peer=bluesky_pds, mastodon=strict) as wired:
        captions = ["Step 0: short.", "Step 1: a longer update that this small instance will refuse. #LiveOR",
                    "Step 2: short.", "Step 3: short."]
        items = await add_items(kit, 4, captions=captions)
        x = wired["x"]
        assert isinstance(x, XHarness)
        refused = {"left": 0}

        async def bad_media(req: FakeRequest, params: dict[str, str]) -> FakeResponse:
            if refused["left"] == 0:
                return await x.fake._authed(x.fake._upload_one_shot)(req, params)
            refused["left"] -= 1
            return invalid("Unsupported or corrupt media file.")

        x.fake.add_route("POST", "/2/media/upload", bad_media, override=True)
        await go_live(kit)
        for n, item in enumerate(items):
            refused["left"] = 1 if n == 2 else 0
            await post_now(kit, item)
            await kit.pump(rounds=8)

        too_long = await delivery_of(kit, items[1]["id"], "mastodon")
        assert too_long.status == "failed"
        assert too_long.last_error == (  # the instance's limit, read on connect, refuses it before sending
            "rejected by the platform: mastodon publish: text is 69/60 characters on this instance")
        media = await delivery_of(kit, items[2]["id"], "x")
        assert media.status == "failed"
        assert media.last_error is not None and "Unsupported or corrupt media file." in media.last_error
        listed = (await client.get(f"/api/events/{kit.event['id']}/deliveries", headers=kit.comms)).json()
        assert sorted(d["last_error"] is not None for d in listed) == [False] * 14 + [True] * 2

        assert_thread(await wired["mastodon"].posts(), [captions[0], captions[2], captions[3]], "mastodon")
        assert_thread(await wired["x"].posts(), [captions[0], captions[1], captions[3]], "x")
        for name in ("bluesky", "sandbox"):
            assert_thread(await wired[name].posts(), captions, name)
        for name in ALL_PLATFORMS:
            assert wired[name].violations() == [], name


async def test_x_duplicate_content_is_reconciled_not_reposted(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                              sessionmaker: Any) -> None:
    """A timeout after X stored the post, a lagging timeline that misses it once, then X's 403 duplicate."""
    kit = await prepare_event(client, app, clock, sessionmaker, ["x"])
    async with wire_platforms(app, clock, ["x"]) as wired:
        x = wired["x"]
        assert isinstance(x, XHarness)
        lag = {"left": 1}

        async def lagging_timeline(req: FakeRequest, params: dict[str, str], user_id: str) -> FakeResponse:
            if lag["left"]:
                lag["left"] -= 1
                return x.fake._ok({"meta": {"result_count": 0}})
            return await x.fake._user_tweets(req, params, user_id)

        x.fake.add_route("GET", "/2/users/{id}/tweets", x.fake._authed(lagging_timeline), override=True)
        items = await add_items(kit, 2)
        await go_live(kit)
        x.inject("timeout_after_store")
        await post_now(kit, items[0])
        await post_now(kit, items[1])
        await kit.pump()
        await drain(kit, x)

        statuses = [r.status for r in x.fake.requests_to("POST", "/2/tweets")]
        assert statuses == [201, 403, 201]  # stored (answer lost), duplicate refused, then item 1
        first = await delivery_of(kit, items[0]["id"], "x")
        chain = assert_thread(await x.posts(), texts(0, 1), "x")
        assert first.status == "posted" and first.remote is not None
        assert first.remote["remote_id"] == chain[0].id
        assert x.violations() == []
    kinds = await journal_kinds(kit)
    assert kinds.count("delivery.unknown") == 2
    assert "delivery.reconciled" in kinds
