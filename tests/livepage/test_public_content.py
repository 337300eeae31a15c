"""What the public page shows, and what it never shows: only deliveries that actually went out.

Drafts and rehearsals have no page; rehearsal posts never appear later; a post counting down its safety delay or
pulled back is absent; the holding message, corrections, content warnings and images with alt text are shown, as
text; after the end the question form goes and the recap's public part comes; nothing staff-only is in it.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient

from server.clock import FakeClock
from server.livepage.render import page_html
from tests.factories import create_item
from tests.livekit import prepare
from tests.livepage.kit import image_ref, public_page


async def test_draft_and_rehearsal_have_no_page_and_rehearsal_posts_never_show(
        client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any) -> None:
    kit = await prepare(client, app, clock, sessionmaker, offsets=["T+00:00", None], cues=[None, "later"])
    eid = kit.event["id"]
    assert await public_page(kit) is None  # draft
    assert (await kit.post(f"/api/events/{eid}/rehearsal/start", {"time_scale": 10})).status_code == 200
    await kit.pump()
    assert [p.rehearsal for p in await kit.sandbox_posts()] == [True]  # the rehearsal did post, on the sandbox
    assert await public_page(kit) is None  # rehearsal
    assert (await kit.post(f"/api/events/{eid}/rehearsal/stop")).status_code == 200
    assert (await kit.post(f"/api/events/{eid}/live/go")).status_code == 200
    page = await public_page(kit)
    assert page is not None and page.status == "live" and page.posts == []  # the rehearsal post is not public
    await kit.pump()
    page = await public_page(kit)
    assert page is not None and [p.text.split(":")[0] for p in page.posts] == ["Update 1"]


async def test_counting_down_and_pulled_back_posts_are_absent_until_they_go_out(
        client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any) -> None:
    kit = await prepare(client, app, clock, sessionmaker, offsets=[None, None], cues=["one", "two"])
    eid = kit.event["id"]
    assert (await client.patch(f"/api/events/{eid}", json={"safety_delay_seconds": 10},
                               headers=kit.author)).status_code == 200
    assert (await kit.post(f"/api/events/{eid}/live/go")).status_code == 200
    assert (await kit.post(f"/api/events/{eid}/live/cue-next")).status_code == 200
    await kit.pump()
    live = (await client.get(f"/api/events/{eid}/live", headers=kit.comms)).json()
    (counting,) = live["countdown"]
    page = await public_page(kit)
    assert page is not None and page.posts == []  # counting down: not out yet
    assert (await kit.post(f"/api/deliveries/{counting['delivery_id']}/pull-back")).status_code == 200
    clock.advance(30)
    await kit.pump()
    page = await public_page(kit)
    assert page is not None and page.posts == []  # pulled back: never out
    assert (await kit.post(f"/api/items/{kit.items[1]['id']}/post-now",
                           {"confirm_out_of_order": True})).status_code == 200
    await kit.pump()
    page = await public_page(kit)
    assert page is not None and page.posts == []  # the second step counts down in its turn
    clock.advance(11)
    await kit.pump()
    page = await public_page(kit)
    assert page is not None and [p.text.split(":")[0] for p in page.posts] == ["Update 2"]
    (post,) = page.posts
    assert [link.platform for link in post.links] == ["sandbox"] and post.links[0].url


async def test_holding_message_correction_warning_images_escaping_and_the_end(
        client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any) -> None:
    kit = await prepare(client, app, clock, sessionmaker, offsets=[None], cues=["one"])
    eid = kit.event["id"]
    image = await image_ref(client, kit.author, "The surgical team at the table.")
    warned = await kit.approve(await create_item(
        client, kit.author, eid, key="open-chest", offset=None, cue="chest", content_warning=True,
        caption="The chest is open. #LiveOR", media=[image]))
    fix = await kit.approve(await create_item(
        client, kit.author, eid, key="correction-the-bypass-has-three-grafts", offset=None, cue="fix",
        caption="Correction: the bypass has <b>three</b> grafts & <script>alert(1)</script> #LiveOR"))
    assert (await kit.post(f"/api/events/{eid}/live/go")).status_code == 200
    for item in (kit.items[0], warned, fix):
        assert (await kit.post(f"/api/items/{item['id']}/post-now", {"confirm_out_of_order": True})).status_code == 200
        await kit.pump()
    assert (await kit.post(f"/api/events/{eid}/live/emergency-hold", {"post_holding_message": True})).status_code == 200
    await kit.pump()
    page = await public_page(kit)
    assert page is not None
    assert [p.kind for p in page.posts] == ["holding", "correction", "post", "post"]  # newest first
    holding, correction, chest, first = page.posts
    assert holding.text.startswith("We are pausing our updates")
    assert page.status == "live"  # a hold is not announced on the platforms, so not here either
    assert chest.content_warning and chest.media[0].alt_text == "The surgical team at the table."
    assert chest.media[0].url == f"/live/{kit.event['slug']}/media/{image['sha256']}"
    assert holding.seq > correction.seq > chest.seq > first.seq
    html = page_html(page)
    assert f'<details class="lv-cw"><summary>Content warning: {chest.content_warning}</summary>' in html
    assert 'alt="The surgical team at the table."' in html
    assert '<span class=lv-kind>Correction</span>' in html and 'id="ask-form"' in html
    assert "<script>alert" not in html and "&lt;b&gt;three&lt;/b&gt; grafts &amp; &lt;script&gt;" in html
    got, head = await kit.client.get(chest.media[0].url), await kit.client.head(chest.media[0].url)
    assert got.status_code == head.status_code == 200 and head.content == b"" and got.content  # HEAD: as GET, no body
    assert [head.headers[k] for k in ("etag", "content-length", "content-type", "cache-control")] == [
        got.headers[k] for k in ("etag", "content-length", "content-type", "cache-control")]

    assert (await kit.post(f"/api/events/{eid}/live/end")).status_code == 200
    page = await public_page(kit)
    assert page is not None and page.status == "ended"
    html = page_html(page)
    assert 'id="ask-form"' not in html and "After the event" in html  # the form closes with the event
    assert page.recap is not None and len(page.recap.posts) == 4  # the recap's public part (server/recap/public.py)
    assert "<dt>Questions from the audience</dt><dd>0 received, 0 answered</dd>" in html
    dumped = page.model_dump_json()
    for secret in ("cue", "approv", "username", "queue", "triage", "step-1", "open-chest", "Dr."):
        assert secret not in dumped, secret
