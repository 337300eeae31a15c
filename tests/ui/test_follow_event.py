"""Pages follow the event: the picker lists live events first; an open console announces another event going live
(with "Switch to it"); a tablet left on an ended event switches to the live one by itself; a page opened without
an event lands on the live one."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.ui.harness import Api, add_consent, create_event, expect

pytestmark = pytest.mark.slow


def test_pages_follow_a_newly_live_event(open_page: Callable[..., Any], apis: dict[str, Api]) -> None:
    comms = apis["comms"]
    old = create_event(apis["author"], title="Yesterday's event")
    add_consent(apis["author"], old["id"])
    comms.call("POST", f"/api/events/{old['id']}/live/go", json={})
    comms.call("POST", f"/api/events/{old['id']}/live/end")
    new = create_event(apis["author"], title="Today's event")
    add_consent(apis["author"], new["id"])

    console = open_page(f"/console?event={old['id']}", user="comms")
    tablet = open_page(f"/tablet?event={old['id']}", user="clinician", width=1024, height=768)
    expect(console.locator("#event-state")).to_have_text("Ended")
    expect(console.locator("#event-banner")).to_be_hidden()
    comms.call("POST", f"/api/events/{new['id']}/live/go", json={})

    banner = console.locator("#event-banner")
    expect(banner).to_contain_text("“Today's event” is live now.", timeout=25_000)
    first = console.locator("#event-picker option").first
    expect(first).to_have_text("● Today's event (LIVE)")
    expect(tablet).to_have_url(re.compile(rf"/tablet\?event={new['id']}$"), timeout=25_000)
    tablet.wait_for_selector("body[data-ready]")
    expect(tablet.locator("#event-state")).to_have_text("Live")
    banner.get_by_role("button", name="Switch to it").click()
    expect(console.locator("#event-state")).to_have_text("Live")
    expect(console.locator(".event-title")).to_have_text("Today's event")

    # A console opened without ?event= lands on the live event.
    fresh = open_page("/console", user="comms")
    expect(fresh.locator(".event-title")).to_have_text("Today's event")
    assert console.errors == [] and tablet.errors == []
