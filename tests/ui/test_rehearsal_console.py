"""A rehearsal is driven from the console: the setup page says "Drive it from the console (Cue next, Post now)",
so the console offers Cue next while rehearsing (not only when live), names the item a cue would post (not one the
rehearsal already posted) and counts down to the next automatic post at the rehearsal's speed instead of saying
it "starts when you go live"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.ui.harness import Api, add_consent, approve, create_event, create_item, expect

pytestmark = pytest.mark.slow


def test_cue_next_during_a_rehearsal(open_page: Callable[..., Any], apis: dict[str, Api]) -> None:
    event = create_event(apis["author"], title="Rehearsal from the console",
                         platforms=[{"platform": "sandbox", "account": "rehearsing1"}])
    add_consent(apis["author"], event["id"])
    ids: dict[int, str] = {}
    for body in ({"key": "welcome", "cue": "broadcast begins", "offset": "T+00:00",
                  "caption": "Welcome to our live broadcast. #LiveOR"},
                 {"key": "briefing", "offset": "T+05:00", "caption": "The team meets for the briefing. #LiveOR"}):
        item = create_item(apis["author"], event["id"], **body)
        approve(apis["comms"], item)
        approve(apis["clinician"], item)
        ids[item["id"]] = body["key"]
    apis["comms"].call("POST", f"/api/events/{event['id']}/rehearsal/start", json={"time_scale": 10})

    console = open_page(f"/console?event={event['id']}", user="comms")
    expect(console.locator("#event-state")).to_have_text("Rehearsal")
    cue = console.get_by_role("button", name="Cue next: “welcome”")
    expect(cue).to_be_enabled()
    expect(console.locator("#next-auto")).not_to_have_text("Starts when you go live")
    console.keyboard.press("c")  # the shortcut works while rehearsing too; it asks first
    console.get_by_role("dialog").get_by_role("button", name="Cue next").click()

    def posted() -> list[str]:
        deliveries = apis["comms"].call("GET", f"/api/events/{event['id']}/deliveries")
        return [ids[d["item_id"]] for d in deliveries if d["rehearsal"] and d["item_id"] in ids]
    for _ in range(50):
        if posted():
            break
        console.wait_for_timeout(200)
    assert posted()[:1] == ["welcome"], posted()
    # What the rehearsal already posted is no longer "next": the button names the item a cue would post now.
    expect(console.get_by_role("button", name="Cue next: “briefing”")).to_be_visible(timeout=15_000)
    expect(console.locator("#next-auto")).to_contain_text("briefing")
    assert console.errors == []
