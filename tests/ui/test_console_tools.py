"""Console tools beyond the live controls: reorder upcoming items, edit a rejected item (approvals cleared),
abandon a failed delivery; and a closed page leaves the live feed at once, not at the next heartbeat."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from server.feed import router as feed_router
from tests.ui.conftest import screenshot
from tests.ui.harness import Api, LiveServer, add_consent, approve, create_event, create_item, expect

pytestmark = pytest.mark.slow


def _order(console: Any) -> list[str]:
    keys: list[str] = console.locator("#timeline .tl-item .key").all_inner_texts()
    return keys


def test_reorder_and_edit(open_page: Callable[..., Any], apis: dict[str, Api]) -> None:
    author, clinician = apis["author"], apis["clinician"]
    event = create_event(author, title="Tools drill")
    for key in ("first", "second", "third"):
        create_item(author, event["id"], key=key, cue=key.title(), caption=f"The {key} update. #LiveOR")
    rejected = create_item(author, event["id"], key="fourth", cue="Fourth", caption="Teh fourth update.")
    approve(apis["comms"], rejected)
    clinician.call("POST", f"/api/items/{rejected['id']}/reject", json={"version": 1, "note": "Typo: Teh"})
    console = open_page(f"/console?event={event['id']}", user="comms")
    expect(console.locator("#timeline .tl-item")).to_have_count(4)
    assert _order(console) == ["first", "second", "third", "fourth"]

    # Up and down buttons move upcoming items; the first cannot go up.
    expect(console.get_by_role("button", name="Move “first” up")).to_be_disabled()
    expect(console.get_by_role("button", name="Move “fourth” down")).to_be_disabled()
    console.get_by_role("button", name="Move “third” up").click()
    expect(console.locator("#action-status")).to_have_text("“third” moved up.")
    expect(console.locator("#timeline .tl-item .key")).to_have_text(["first", "third", "second", "fourth"])
    console.get_by_role("button", name="Move “first” down").click()
    expect(console.locator("#timeline .tl-item .key")).to_have_text(["third", "first", "second", "fourth"])

    # Editing the rejected item makes a new version and says its approvals were cleared.
    card = console.locator(f'#timeline [data-item-id="{rejected["id"]}"]')
    expect(card.locator(".approvals")).to_contain_text("Rejected by Dr. Dana Ortiz")
    card.get_by_role("button", name="Edit…").click()
    dialog = console.get_by_role("dialog")
    expect(dialog).to_contain_text("clears 1 approval and the rejection given so far")
    caption = dialog.get_by_label("Caption")
    expect(caption).to_have_value("Teh fourth update.")
    caption.fill("The fourth update. #LiveOR")
    dialog.get_by_role("button", name="Save new version").click()
    expect(console.locator("#action-status")).to_have_text(
        "“fourth” is now version 2. Approvals were cleared: it needs approving again before it can go out.")
    expect(card.locator(".caption")).to_have_text("The fourth update. #LiveOR")
    expect(card).to_have_attribute("data-status", "draft")
    expect(card.locator(".approvals")).to_contain_text("Needs 2 more approvals")
    expect(console.locator("#activity")).to_contain_text("edited “fourth” (version 2); approvals cleared")
    screenshot(console, "console-tools")
    assert console.errors == []


def test_abandon_a_failed_delivery(open_page: Callable[..., Any], apis: dict[str, Api]) -> None:
    author, comms = apis["author"], apis["comms"]
    event = create_event(author, title="Abandon drill")
    add_consent(author, event["id"])
    item = create_item(author, event["id"], key="doomed", cue="Now", caption="This one never gets through.")
    approve(comms, item)
    approve(apis["clinician"], item)
    comms.call("POST", f"/api/events/{event['id']}/live/go", json={})
    comms.call("POST", "/api/sandbox/faults", json={"op": "publish", "kind": "rate_limit", "count": 8,
                                                    "retry_after": 0})
    try:
        console = open_page(f"/console?event={event['id']}", user="comms")
        console.get_by_role("button", name="Post now").click()
        delivery = console.locator(f'#timeline [data-item-id="{item["id"]}"] .delivery')
        expect(delivery.locator(".pill-failed")).to_have_text("failed", timeout=20_000)
    finally:
        comms.call("DELETE", "/api/sandbox/faults")
    delivery.get_by_role("button", name="Abandon…").click()
    dialog = console.get_by_role("dialog")
    expect(dialog).to_contain_text("It will not be retried on this platform")
    dialog.get_by_role("button", name="Abandon").click()
    expect(delivery.locator(".pill-abandoned")).to_have_text("not sent")
    expect(delivery.get_by_role("button", name="Retry")).to_have_count(0)
    expect(console.locator("#activity")).to_contain_text("abandoned a post to Sandbox")
    assert console.errors == []


def test_closed_page_leaves_the_feed_at_once(open_page: Callable[..., Any], apis: dict[str, Api],
                                             server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> None:
    # No heartbeat for an hour: a failed heartbeat write cannot be what removes the closed page's subscriber.
    monkeypatch.setattr(feed_router, "HEARTBEAT_SECONDS", 3600.0)
    event = create_event(apis["author"], title="Feed drill")
    hub = server.state().feed

    def listening() -> int:
        return sum(1 for sub in list(hub.subscribers) if sub.event_id == event["id"])

    console = open_page(f"/console?event={event['id']}", user="comms")
    expect(console.locator("body")).to_have_attribute("data-feed", "live")
    assert listening() == 1
    console.close()
    deadline = time.monotonic() + 60  # a guard against hanging, not a speed requirement
    while listening():
        assert time.monotonic() < deadline, "the server kept a closed page's feed (only a heartbeat would end it)"
        time.sleep(0.05)
