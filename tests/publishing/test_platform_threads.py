"""A 10-item thread with images through the Livecue API and the dispatcher to all four platforms, read back
from each platform's own storage: the sandbox tables, the real PDS's XRPC API, and the fakes' recorded state."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient

from server.clock import FakeClock
from server.textrules.warning import warning_line
from server.timeline.render import DEFAULT_WARNING
from tests.factories import create_item
from tests.peers.bluesky import PeerInfo
from tests.publishing.pds_faults import get_post
from tests.publishing.platform_kit import (
    ALL_PLATFORMS,
    BlueskyHarness,
    MastodonHarness,
    XHarness,
    add_items,
    assert_thread,
    go_live,
    post_now,
    prepare_event,
    upload_png,
    wire_platforms,
)

WARNED = (3, 7)


async def test_ten_item_thread_with_images_on_every_platform(
        client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any, bluesky_pds: PeerInfo) -> None:
    kit = await prepare_event(client, app, clock, sessionmaker, ALL_PLATFORMS)
    async with wire_platforms(app, clock, ALL_PLATFORMS, peer=bluesky_pds) as wired:
        items = await add_items(kit, 10, warnings=WARNED)
        await go_live(kit)
        for item in items:
            await post_now(kit, item)
        await kit.pump(rounds=30)

        texts = [f"Step {n}: the team moves on. #LiveOR" for n in range(10)]
        alts = [[f"Photo of step {n}"] for n in range(10)]
        deliveries = await kit.deliveries()
        assert len(deliveries) == 40
        assert {d.status for d in deliveries} == {"posted"}, [(d.platform, d.status, d.last_error)
                                                              for d in deliveries]
        for name in ALL_PLATFORMS:
            chain = assert_thread(await wired[name].posts(), texts, name)
            assert [p.alts for p in chain] == alts, name
            warned = [n for n, p in enumerate(chain) if p.warning]
            assert warned == list(WARNED), f"{name}: warnings on {warned}"
            assert wired[name].violations() == [], name
            # every delivery records the remote post it created, in thread order
            remote = [str(d.remote["uri"] if name == "bluesky" else d.remote["remote_id"])  # type: ignore[index]
                      for d in sorted(deliveries, key=lambda d: d.thread_seq) if d.platform == name]
            assert remote == [p.id for p in chain], name

        # each platform's own content-warning field
        x_posts = await wired["x"].posts()
        assert [p.warning for p in x_posts if p.warning] == ["sensitive_media"] * 2
        mastodon_posts = await wired["mastodon"].posts()
        assert {p.warning for p in mastodon_posts if p.warning} == {f"sensitive:{DEFAULT_WARNING}"}
        sandbox_posts = await wired["sandbox"].posts()
        assert {p.warning for p in sandbox_posts if p.warning} == {DEFAULT_WARNING}

        await _check_pds_records(wired["bluesky"], deliveries)  # type: ignore[arg-type]
        _check_mastodon_requests(wired["mastodon"])  # type: ignore[arg-type]
        _check_x_requests(wired["x"])  # type: ignore[arg-type]

    items_read = (await client.get(f"/api/events/{kit.event['id']}/items", headers=kit.comms)).json()
    assert all(i["status"] == "posted" and i["published_at"] for i in items_read)


async def _check_pds_records(bluesky: BlueskyHarness, deliveries: list[Any]) -> None:
    """getRecord of each delivered post: text, image alt and aspect ratio, self-label, strong reply refs."""
    ours = sorted((d for d in deliveries if d.platform == "bluesky"), key=lambda d: d.thread_seq)
    root = ours[0].remote
    previous: dict[str, Any] | None = None
    for n, delivery in enumerate(ours):
        record = await get_post(bluesky.reader, bluesky.peer.pds_url, delivery.remote["uri"])
        value = record["value"]
        assert record["cid"] == delivery.remote["cid"]
        text = f"Step {n}: the team moves on. #LiveOR"
        assert value["text"] == (f"{warning_line(DEFAULT_WARNING)}\n\n{text}" if n in WARNED else text)
        image = value["embed"]["images"][0]
        assert image["alt"] == f"Photo of step {n}"
        assert image["aspectRatio"] == {"width": 96, "height": 54}
        assert image["image"]["mimeType"] == "image/png"
        assert "labels" not in value  # a self-label would hide the post from default-preference viewers
        assert any(f["features"][0]["$type"] == "app.bsky.richtext.facet#tag" for f in value.get("facets") or [])
        if previous is None:
            assert "reply" not in value
        else:
            assert value["reply"]["parent"] == {"uri": previous["uri"], "cid": previous["cid"]}
            assert value["reply"]["root"] == {"uri": root["uri"], "cid": root["cid"]}
        previous = delivery.remote


def _check_mastodon_requests(mastodon: MastodonHarness) -> None:
    """Statuses carried an Idempotency-Key, and warnings went in sensitive + spoiler_text."""
    requests = mastodon.fake.requests_to("POST", "/api/v1/statuses")
    assert len(requests) == 10
    assert all(r.headers.get("idempotency-key", "").startswith("lc-") for r in requests)
    warned = [r.json for r in requests if r.json and r.json.get("spoiler_text")]
    assert [(w["sensitive"], w["spoiler_text"]) for w in warned] == [(True, DEFAULT_WARNING)] * 2
    uploads = mastodon.fake.requests_to("POST", "/api/v2/media")
    assert len(uploads) == 10


def _check_x_requests(x: XHarness) -> None:
    """One post request per item; replies name the previous post; alt text set through /2/media/metadata."""
    requests = x.fake.requests_to("POST", "/2/tweets")
    assert len(requests) == 10
    bodies = [r.json or {} for r in requests]
    assert "reply" not in bodies[0]
    assert all(b["reply"]["in_reply_to_tweet_id"] for b in bodies[1:])
    assert all(m.alt_text for m in x.fake.media.values())


async def test_an_image_used_twice_goes_out_with_both_posts(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                            sessionmaker: Any) -> None:
    """Mastodon attaches an upload to one status only: the second use must upload again, not reuse the id."""
    platforms = ("x", "mastodon", "sandbox")
    kit = await prepare_event(client, app, clock, sessionmaker, platforms)
    async with wire_platforms(app, clock, platforms) as wired:
        logo = await upload_png(kit, 99, "The hospital logo")
        captions = ["Welcome to the live OR. #LiveOR", "Thank you for following. #LiveOR"]
        items = []
        for n, caption in enumerate(captions):
            item = await create_item(client, kit.author, kit.event["id"], key=f"logo-{n}", offset=None,
                                     cue=f"logo {n}", caption=caption, media=[logo])
            items.append(await kit.approve(item))
        await go_live(kit)
        for item in items:
            await post_now(kit, item)
            await kit.pump()
        deliveries = await kit.deliveries()
        assert [(d.platform, d.status) for d in deliveries if d.status != "posted"] == [], [
            d.last_error for d in deliveries]
        for name in platforms:
            chain = assert_thread(await wired[name].posts(), captions, name)
            assert [p.alts for p in chain] == [["The hospital logo"]] * 2, name
            assert wired[name].violations() == [], name
