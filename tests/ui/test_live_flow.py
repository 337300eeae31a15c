"""The whole live run in two browsers: approve on the tablet, go live and cue on the console, see the post
on the sandbox, reply as the audience, and call an emergency hold that both staff pages show at once."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.ui.conftest import screenshot
from tests.ui.harness import Api, add_consent, approve, create_event, create_item, expect, upload_image

pytestmark = pytest.mark.slow

ALT = "Two surgeons in blue gowns bend over the operating table under bright lights."
CAPTION = "The patient is asleep and the team is ready. First incision in a few minutes. #LiveOR"


def _prepare(apis: dict[str, Api]) -> tuple[dict[str, Any], dict[str, Any]]:
    author = apis["author"]
    event = create_event(author, title="Heart bypass, live from OR 3")
    add_consent(author, event["id"])
    image = upload_image(author)
    media = [{"sha256": image["sha256"], "alt_text": ALT, "mime_type": image["mime_type"],
              "size_bytes": image["size_bytes"], "width": image["width"], "height": image["height"]}]
    first = create_item(author, event["id"], key="patient-ready", cue="Patient in OR", caption=CAPTION, media=media)
    later = create_item(author, event["id"], key="bypass-running", offset="T+01:00",
                        caption="The heart-lung machine has taken over. #LiveOR")
    holding = create_item(author, event["id"], kind="holding", key="holding",
                          caption="We are pausing our updates while the team focuses on the patient.")
    for item in (later, holding):
        approve(apis["comms"], item)
        approve(apis["clinician"], item)
    return event, first


def test_live_run_across_console_tablet_and_sandbox(open_page: Callable[..., Any], apis: dict[str, Api]) -> None:
    event, first = _prepare(apis)
    console = open_page(f"/console?event={event['id']}", user="comms")
    tablet = open_page(f"/tablet?event={event['id']}", user="clinician", width=1024, height=1366)
    expect(console.locator("#conn")).to_have_text("Live updates on")
    expect(tablet.locator("#conn")).to_have_text("Live updates on")
    card = console.locator(f'#timeline [data-item-id="{first["id"]}"]')
    expect(card).to_have_attribute("data-status", "draft")
    expect(console.get_by_role("button", name=re.compile("^Cue next"))).to_have_count(0)  # not live yet

    # The operator approves from the console: one approval left, and it must be a clinician's.
    console.locator(f'#waiting [data-item-id="{first["id"]}"]').get_by_role("button", name="Approve").click()
    expect(card.locator(".approvals")).to_contain_text("Needs 1 more approval, from a clinician")

    # The clinician approves on the tablet; the console shows it approved without a reload.
    review = tablet.locator(f'#review [data-item-id="{first["id"]}"]')
    expect(review).to_contain_text(CAPTION)
    expect(review.get_by_role("img", name=ALT)).to_be_visible()
    review.get_by_role("button", name="Approve").click()
    expect(review).to_have_count(0)
    expect(card).to_have_attribute("data-status", "approved")
    expect(card.locator(".pill-approved")).to_have_text("Approved")

    # Go live (with a confirmation) and cue the item.
    console.locator("#controls").get_by_role("button", name="Go live").click()
    console.get_by_role("dialog").get_by_role("button", name="Go live").click()
    expect(console.locator("#event-state")).to_have_text("Live")
    expect(tablet.locator("#event-state")).to_have_text("Live")
    # The automatic post waits for the cued one before it (the server's words, not a countdown).
    waiting = apis["comms"].call("GET", f"/api/events/{event['id']}/live")["next_automatic"]["waiting_for"]
    assert waiting and "Patient in OR" in waiting
    expect(console.locator("#next-auto")).to_have_text(f"“bypass-running” — {waiting}")
    console.get_by_role("button", name="Cue next: “patient-ready”").click()
    expect(card).to_have_attribute("data-status", "posted", timeout=20_000)
    expect(console.locator("#next-auto")).to_contain_text("“bypass-running” in")
    link = card.locator(".delivery-posted").get_by_role("link", name="View post")
    expect(link).to_have_attribute("href", re.compile(r"^/sandbox#post-\d+$"))

    # The post is on the sandbox with its image and alt text.
    sandbox = open_page("/sandbox")
    post = sandbox.locator(".sb-post", has_text=CAPTION)
    expect(post).to_be_visible()
    image = post.get_by_role("img", name=ALT)
    expect(image).to_be_visible()
    # The image loads (lazily, so it may still be on its way when it first shows).
    sandbox.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    post.get_by_role("button", name="Show image description").click()
    expect(post.locator(".sb-alt-text")).to_have_text(ALT)

    # An audience member replies; the reply nests under the post.
    post.get_by_role("button", name=re.compile("^Reply")).click()
    sandbox.get_by_label("Display name").fill("Sam Viewer")
    sandbox.get_by_label("Handle").fill("sam_viewer")
    sandbox.get_by_label("Reply", exact=True).fill("How long does the whole operation take?")
    sandbox.get_by_role("button", name="Post reply").click()
    expect(sandbox.locator("#r-status")).to_have_text("Your reply is posted.")
    reply = post.locator(".sb-reply", has_text="How long does the whole operation take?")
    expect(reply).to_be_visible()
    expect(reply).to_contain_text("Sam Viewer")
    expect(reply).to_contain_text("@sam_viewer")

    # Emergency hold: a distinct button, a confirmation, and both staff pages change at once.
    console.locator("#emergency-hold").click()
    dialog = console.get_by_role("dialog")
    expect(dialog).to_contain_text("All automatic posting stops")
    dialog.get_by_role("button", name="Stop everything now").click()
    expect(console.locator("#emergency-banner")).to_be_visible()
    expect(console.locator("#event-state")).to_have_text("Emergency hold")
    expect(tablet.locator("#emergency-state")).to_contain_text("Emergency hold is on")
    expect(tablet.locator('.tb-alert[data-kind="alert.emergency_hold"]')).to_contain_text("EMERGENCY HOLD")
    expect(sandbox.locator(".sb-post", has_text="We are pausing our updates")).to_be_visible(timeout=20_000)
    expect(console.get_by_role("button", name="Resume live posting")).to_be_visible()

    # Resuming (confirmed in a dialog) clears the emergency on both pages.
    console.get_by_role("button", name="Resume live posting").click()
    console.get_by_role("dialog").get_by_role("button", name="Resume live posting").click()
    expect(console.locator("#event-state")).to_have_text("Live")
    expect(console.locator("#emergency-banner")).to_be_hidden()
    expect(tablet.locator("#emergency-state")).to_have_count(0)

    # The audience reply reached the clinicians' question queue.
    expect(tablet.locator("#questions")).to_contain_text("How long does the whole operation take?", timeout=20_000)

    console.locator("#emergency-hold").click()
    console.get_by_role("dialog").get_by_role("button", name="Stop everything now").click()
    expect(console.locator("#event-state")).to_have_text("Emergency hold")
    screenshot(console, "console")
    screenshot(tablet, "tablet")
    screenshot(sandbox, "sandbox")
    for page in (console, tablet, sandbox):
        assert page.errors == []


def test_failed_delivery_shows_the_reason_and_retries(open_page: Callable[..., Any], apis: dict[str, Api]) -> None:
    author, comms = apis["author"], apis["comms"]
    event = create_event(author, title="Retry drill")
    add_consent(author, event["id"])
    item = create_item(author, event["id"], key="flaky", cue="Now", caption="This one meets a flaky network.")
    approve(comms, item)
    approve(apis["clinician"], item)
    comms.call("POST", f"/api/events/{event['id']}/live/go", json={})
    faults = {"op": "publish", "kind": "rate_limit", "count": 8, "retry_after": 0}
    comms.call("POST", "/api/sandbox/faults", json=faults)
    try:
        console = open_page(f"/console?event={event['id']}", user="comms")
        console.get_by_role("button", name="Post now").click()
        delivery = console.locator(f'#timeline [data-item-id="{item["id"]}"] .delivery')
        expect(delivery.locator(".pill-failed")).to_have_text("failed", timeout=20_000)
        expect(delivery.locator(".delivery-error")).to_contain_text("429")
    finally:
        comms.call("DELETE", "/api/sandbox/faults")
    delivery.get_by_role("button", name="Retry").click()
    expect(delivery.locator(".pill-posted")).to_have_text("posted", timeout=20_000)
    expect(delivery.get_by_role("link", name="View post")).to_be_visible()
    assert console.errors == []
