"""The public live page in Chromium: a post appears without a reload (Server-Sent Events), a content warning stays
collapsed until opened, the posts read with JavaScript off, a phone-sized page has no axe-core violation.
Screenshots in test-artifacts/live-page-*.png."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.ui.conftest import screenshot
from tests.ui.harness import Api, LiveServer, add_consent, create_event, expect, upload_image
from tests.ui.questions_kit import approved_item, wait_for

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
RUN_AXE = """async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations.map(
  (v) => ({ id: v.id, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }))"""


def _post_now(apis: dict[str, Api], item: dict[str, Any]) -> None:
    apis["comms"].call("POST", f"/api/items/{item['id']}/post-now", json={"confirm_out_of_order": True})


def test_posts_arrive_live_read_without_javascript_and_pass_axe(
        browser: Any, open_page: Callable[..., Any], apis: dict[str, Api], server: LiveServer) -> None:
    author = apis["author"]
    event = create_event(author, title="Heart bypass, live from OR 3", safety_delay_seconds=0,
                         platforms=[{"platform": "sandbox", "account": "livepage"}])
    add_consent(author, event["id"])
    image = upload_image(author)
    media = [{"sha256": image["sha256"], "alt_text": "The surgical team at the table.",
              "mime_type": image["mime_type"], "size_bytes": image["size_bytes"], "width": image["width"],
              "height": image["height"]}]
    first = approved_item(apis, event["id"], key="opening", cue="Go", media=media,
                          caption="We are live from OR 3: the team is scrubbing in. #LiveOR")
    warned = approved_item(apis, event["id"], key="open-chest", cue="Chest", content_warning=True,
                           caption="The chest is open and the heart is stopped for the bypass. #LiveOR")
    slug = event["slug"]
    apis["comms"].call("POST", f"/api/events/{event['id']}/live/go", json={})
    _post_now(apis, first)
    wait_for(lambda: len(author.http.get(f"/live/{slug}/posts.json").json()["posts"]) == 1)

    page = open_page(f"/live/{slug}", width=390, height=844,
                     before=lambda context: context.add_init_script(path=str(AXE)))
    posts = page.locator("#posts > li")
    expect(posts).to_have_count(1)
    expect(page.get_by_role("img", name="The surgical team at the table.")).to_be_visible()
    page.wait_for_function("window.axe !== undefined")
    assert page.evaluate(RUN_AXE) == []
    screenshot(page, "live-page-phone")

    _post_now(apis, warned)  # no reload: the stream brings it
    expect(posts).to_have_count(2, timeout=20_000)
    newest = posts.first
    expect(newest.locator("summary")).to_contain_text("Content warning")
    expect(newest.locator(".lv-text")).to_be_hidden()  # collapsed until the reader opens it
    expect(page.locator("#lv-news")).to_contain_text("New update")
    newest.locator("summary").click()
    expect(newest.locator(".lv-text")).to_contain_text("the heart is stopped")
    page.locator("#q-text").fill("How long does the bypass take?")
    page.get_by_role("button", name="Send question").click()
    expect(page.locator("#q-status")).to_contain_text("your question was sent")
    assert page.evaluate(RUN_AXE) == []
    screenshot(page, "live-page-live-update")
    assert page.errors == []

    context = browser.new_context(base_url=server.url, java_script_enabled=False,
                                  viewport={"width": 390, "height": 844})
    try:
        plain = context.new_page()
        plain.goto(f"/live/{slug}")
        expect(plain.locator("#posts > li")).to_have_count(2)
        expect(plain.locator("#posts > li").last).to_contain_text("scrubbing in")
        expect(plain.get_by_role("img", name="The surgical team at the table.")).to_be_visible()
        expect(plain.get_by_role("button", name="Send question")).to_be_disabled()
        screenshot(plain, "live-page-no-javascript")
    finally:
        context.close()
