"""Captions, alt texts, notes, event titles and audience messages carrying markup render as inert text on
every page: the literal text is visible, no element is created from it, and no script runs."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.ui.harness import Api, add_consent, approve, create_event, create_item, expect, upload_image

pytestmark = pytest.mark.slow

IMG = "<img src=x onerror=window.__pwned=1>"
SCRIPT = "<script>window.__pwned=1</script>"
QUESTION = f"How long does the operation take? {IMG} {SCRIPT}"
NOT_INJECTED = """() => window.__pwned === undefined
  && document.querySelectorAll('img[src="x"], img[src$="/x"]').length === 0
  && [...document.scripts].every((s) => s.src.includes('/ui/js/'))"""


def _wait_for(check: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.25)


def _setup(apis: dict[str, Api]) -> dict[str, Any]:
    author, comms, clinician = apis["author"], apis["comms"], apis["clinician"]
    event = create_event(author, title=f"Inert {SCRIPT}")
    add_consent(author, event["id"])
    image = upload_image(author, colour=(160, 60, 60))
    media = [{"sha256": image["sha256"], "alt_text": f"Alt {IMG}", "mime_type": image["mime_type"],
              "size_bytes": image["size_bytes"], "width": image["width"], "height": image["height"]}]
    posted = create_item(author, event["id"], key="posted", cue="Go", caption=f"Posted {IMG} {SCRIPT} #LiveOR",
                         media=media)
    waiting = create_item(author, event["id"], key="waiting", cue="Later", caption=f"Waiting {SCRIPT} {IMG}")
    rejected = create_item(author, event["id"], key="rejected", cue="Never", caption="Plain words.")
    approve(comms, posted)
    approve(clinician, posted)
    clinician.call("POST", f"/api/items/{rejected['id']}/reject", json={"version": 1, "note": f"Note {IMG}"})
    comms.call("POST", f"/api/events/{event['id']}/live/go", json={})
    comms.call("POST", f"/api/items/{posted['id']}/post-now", json={})

    def sandbox_post() -> dict[str, Any] | None:
        feed = comms.call("GET", "/api/sandbox/feed")
        return next((p for p in feed["posts"] if p["text"].startswith("Posted <img")), None)

    _wait_for(lambda: sandbox_post() is not None)
    found = sandbox_post()
    assert found is not None
    reply = httpx.post(f"{comms.server.url}/api/sandbox/replies", json={
        "in_reply_to": found["id"], "handle": "mallory", "display_name": SCRIPT, "text": QUESTION})
    assert reply.status_code == 201, reply.text
    _wait_for(lambda: bool(comms.call("GET", f"/api/events/{event['id']}/questions", expect=(200, 404)) or []))
    return {"event": event, "waiting": waiting}


def test_markup_renders_as_text_everywhere(open_page: Callable[..., Any], apis: dict[str, Api]) -> None:
    setup = _setup(apis)
    event_id = setup["event"]["id"]

    console = open_page(f"/console?event={event_id}", user="comms")
    expect(console.locator(".event-title")).to_have_text(f"Inert {SCRIPT}")
    expect(console.locator("#timeline")).to_contain_text(f"Posted {IMG} {SCRIPT} #LiveOR")
    expect(console.locator("#timeline")).to_contain_text(f"Waiting {SCRIPT} {IMG}")
    expect(console.locator("#timeline")).to_contain_text(f"Note {IMG}")
    console.get_by_role("button", name="Show details of “posted”").click()  # images and their alt text
    expect(console.locator("#timeline")).to_contain_text(f"Alt {IMG}")
    expect(console.locator("#activity")).to_contain_text(f"Note {IMG}")

    tablet = open_page(f"/tablet?event={event_id}", user="clinician")
    expect(tablet.locator(f'#review [data-item-id="{setup["waiting"]["id"]}"]')).to_contain_text(
        f"Waiting {SCRIPT} {IMG}")
    expect(tablet.locator("#questions")).to_contain_text(QUESTION)
    expect(tablet.locator("#questions")).to_contain_text(SCRIPT)

    sandbox = open_page("/sandbox")
    post = sandbox.locator(".sb-post", has_text="Posted <img")
    expect(post.locator(".sb-text").first).to_have_text(f"Posted {IMG} {SCRIPT} #LiveOR")
    expect(post.get_by_role("img", name=f"Alt {IMG}")).to_be_visible()
    post.get_by_role("button", name="Show image description").click()
    expect(post.locator(".sb-alt-text")).to_have_text(f"Alt {IMG}")
    reply = post.locator(".sb-reply")
    expect(reply.locator(".sb-name")).to_have_text(SCRIPT)
    expect(reply.locator(".sb-text")).to_have_text(QUESTION)

    for page in (console, tablet, sandbox):
        page.wait_for_timeout(300)  # let any injected handler fire, were there one
        assert page.evaluate(NOT_INJECTED), page.url
        assert page.errors == []
