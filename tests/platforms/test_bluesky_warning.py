"""Content warnings on Bluesky as the official client shows them: `moderatePost` (@atproto/api) on posts read
back from the AppView with the `atproto` SDK, for a viewer with a new account's default preferences.

Why no self-label: the labels an author may set on a post are the adult media labels (`graphic-media`,
`sexual`, `porn`, `nudity`); `!warn` and every labeler-defined value are `no-self`. With default preferences
(adult content off) an adult label filters the post out of feeds (a hole in the thread) and blurs only its
media, so a text-only post shows no warning at all. Livecue writes the warning as the first line instead.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from atproto import AsyncClient as AtprotoClient
from atproto_client.models.utils import get_model_as_dict

from server.platforms.base import MemoryCredentialStore, PublishRequest, UploadRequest
from server.platforms.bluesky import BlueskyAdapter
from server.textrules.warning import warning_line
from tests.peers.bluesky import BlueskyAccount, PeerInfo, create_account
from tests.peers.fixtures import bluesky_network  # noqa: F401  (session fixture)
from tests.peers.moderation import moderate_posts
from tests.platforms.test_bluesky_pds import png

pytestmark = pytest.mark.slow
WARNING = "Surgical images: the first incision"


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    """The adapter's HTTP client."""
    async with httpx.AsyncClient(timeout=20) as client:
        yield client


async def sdk_login(peer: PeerInfo, account: BlueskyAccount) -> AtprotoClient:
    """The `atproto` SDK logged in on the peer's PDS (AppView reads are proxied through it)."""
    client = AtprotoClient(base_url=f"{peer.pds_url}/xrpc")
    await client.login(account.handle, account.password)
    return client


async def appview_posts(client: AtprotoClient, uris: list[str], timeout: float = 20.0) -> list[dict[str, Any]]:
    """Post views of `uris` from the AppView (`get_posts`), once it has indexed them all, as JSON."""
    deadline = time.monotonic() + timeout
    while True:
        found = {p.uri: p for p in (await client.get_posts(uris)).posts}
        if set(found) == set(uris):
            return [get_model_as_dict(found[u]) for u in uris]
        if time.monotonic() > deadline:
            raise AssertionError(f"the AppView indexed {sorted(found)} of {uris}")
        await asyncio.sleep(0.2)


async def test_a_warned_text_only_post_shows_its_warning_and_stays_in_feeds(
        bluesky_network: PeerInfo,  # noqa: F811
        http: httpx.AsyncClient) -> None:
    peer = bluesky_network
    hospital = create_account(peer.pds_url, f"hosp{uuid.uuid4().hex[:8]}.test")
    viewer = create_account(peer.pds_url, f"viewer{uuid.uuid4().hex[:8]}.test")
    adapter = BlueskyAdapter(peer.pds_url, MemoryCredentialStore(
        {"identifier": hospital.handle, "password": hospital.password}), http)

    text_only = await adapter.publish(PublishRequest(
        text="Next: the surgeon opens the chest. #LiveOR", idempotency_key="cw-text", content_warning=WARNING))
    image = await adapter.upload_media(UploadRequest(png(1, (64, 40)), "image/png", "The open chest", 64, 40))
    with_image = await adapter.publish(PublishRequest(
        text="The heart, seen from above.", idempotency_key="cw-image", media=[image], content_warning=WARNING,
        reply_to=text_only))
    # Control: the self-label Livecue used to set (the official app sets the same one for "graphic media").
    control = {"$type": "app.bsky.feed.post", "text": "Next: the surgeon opens the chest.",
               "createdAt": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
               "labels": {"$type": "com.atproto.label.defs#selfLabels", "values": [{"val": "graphic-media"}]}}
    created = await http.post(f"{peer.pds_url}/xrpc/com.atproto.repo.createRecord",
                              headers={"Authorization": f"Bearer {hospital.access_jwt}"},
                              json={"repo": hospital.did, "collection": "app.bsky.feed.post", "record": control})
    assert created.status_code == 200, created.text
    labelled = str(created.json()["uri"])

    reader = await sdk_login(peer, viewer)
    views = await appview_posts(reader, [str(text_only.uri), str(with_image.uri), labelled])
    decisions = moderate_posts(views, viewer=viewer.did)
    shown, shown_image, old = decisions

    # The warning is what a default-preference viewer reads first, in feeds and in the thread.
    assert shown["text"].split("\n\n", 1) == [warning_line(WARNING), "Next: the surgeon opens the chest. #LiveOR"]
    assert shown_image["text"].startswith(f"{warning_line(WARNING)}\n\n")
    for decision in (shown, shown_image):
        assert not decision["contentList"]["filter"], decision  # never a hole in the thread or the feed
        assert not decision["contentView"]["filter"] and not decision["contentView"]["noOverride"], decision
    assert not views[0].get("labels") and not views[1].get("labels")
    # The old self-label: filtered out of feeds for the same viewer, and no warning on the text itself.
    assert old["contentList"]["filter"] and old["contentList"]["filters"] == ["label:graphic-media"]
    assert not old["contentView"]["blur"] and not old["contentView"]["alert"]
    # With adult content enabled the labelled post comes back, but still warns about media only.
    (opted_in,) = moderate_posts([views[2]], viewer=viewer.did, adult_content=True)
    assert not opted_in["contentList"]["filter"] and not opted_in["contentView"]["blur"]
