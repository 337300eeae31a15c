"""State words and colours that cannot be confused, checked against a table: every event state and every item
state has its own word and its own background colour; the pairs new users mixed up (On hold / Not started vs
Awaiting approval, Live vs Approved) differ in colour, shape and word; hold and emergency confirmations are not
shown in a success green. Light and dark themes both."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.ui.conftest import screenshot
from tests.ui.harness import Api, add_consent, create_event, expect

pytestmark = pytest.mark.slow

EVENT_STATES = {"draft": "Not started", "rehearsal": "Rehearsal", "live": "Live", "held": "On hold",
                "emergency": "Emergency hold", "ended": "Ended"}
ITEM_STATES = {"draft": "Awaiting approval", "approved": "Approved", "rejected": "Rejected", "queued": "Posting…",
               "posted": "Posted", "skipped": "Skipped", "blocked": "Blocked"}
MUST_DIFFER = [("event", "held", "item", "draft"), ("event", "draft", "item", "draft"),
               ("event", "live", "item", "approved"), ("event", "live", "item", "posted"),
               ("event", "held", "event", "emergency")]

STYLE_OF = """([events, items]) => {
  const box = document.createElement('div');
  document.body.appendChild(box);
  const look = (cls, text) => {
    const el = document.createElement('span');
    el.className = cls;
    el.textContent = text;
    box.appendChild(el);
    const s = getComputedStyle(el);
    return { bg: s.backgroundColor, fg: s.color, shape: getComputedStyle(el, '::before').content + s.borderRadius };
  };
  const out = { event: {}, item: {} };
  for (const [state, word] of events) out.event[state] = look(`pill pill-event ev-${state}`, word);
  for (const [state, word] of items) out.item[state] = look(`pill pill-${state}`, word);
  box.remove();
  return out;
}"""


def _table(page: Any) -> dict[str, dict[str, dict[str, str]]]:
    table: dict[str, dict[str, dict[str, str]]] = page.evaluate(
        STYLE_OF, [list(EVENT_STATES.items()), list(ITEM_STATES.items())])
    return table


def _check(table: dict[str, dict[str, dict[str, str]]]) -> None:
    events = [v["bg"] for v in table["event"].values()]
    assert len(set(events)) == len(events), f"two event states share a colour: {table['event']}"
    item_bgs = {v["bg"] for k, v in table["item"].items() if k not in ("skipped",)}
    assert not set(events) & item_bgs, "an event state looks like an item state"
    for kind_a, a, kind_b, b in MUST_DIFFER:
        first, second = table[kind_a][a], table[kind_b][b]
        assert first["bg"] != second["bg"], f"{a} and {b} share a background"
        assert first["shape"] != second["shape"] or first["fg"] != second["fg"], f"{a} and {b} look alike"
    words = list(EVENT_STATES.values()) + list(ITEM_STATES.values())
    assert len(set(words)) == len(words)


def test_state_table_light_and_dark(open_page: Callable[..., Any], apis: dict[str, Api]) -> None:
    event = create_event(apis["author"], title="States drill")
    add_consent(apis["author"], event["id"])
    console = open_page(f"/console?event={event['id']}", user="comms", height=900)
    expect(console.locator("#event-state")).to_have_text("Not started")
    _check(_table(console))
    console.locator("#theme-toggle").click()  # system → dark
    expect(console.locator("html")).to_have_attribute("data-theme", "dark")
    _check(_table(console))
    screenshot(console, "console-dark-theme")
    console.locator("#theme-toggle").click()  # dark → light
    expect(console.locator("html")).to_have_attribute("data-theme", "light")
    assert console.errors == []


def test_state_words_on_the_pages(open_page: Callable[..., Any], apis: dict[str, Api]) -> None:
    event = create_event(apis["author"], title="State words drill", safety_delay_seconds=0)
    add_consent(apis["author"], event["id"])
    comms = apis["comms"]
    console = open_page(f"/console?event={event['id']}", user="comms", height=900)
    tablet = open_page(f"/tablet?event={event['id']}", user="clinician", width=1024, height=768)
    steps = [("live/go", {"clock": "now"}, "Live"), ("live/hold", None, "On hold"),
             ("live/emergency-hold", {"post_holding_message": False}, "Emergency hold"), ("live/end", None, "Ended")]
    expect(console.locator("#event-state")).to_have_text(EVENT_STATES["draft"])
    for path, body, word in steps:
        comms.call("POST", f"/api/events/{event['id']}/{path}", json=body)
        for page in (console, tablet):
            expect(page.locator("#event-state")).to_have_text(word)
    # After End everything is read-only, with the reason.
    expect(console.locator("#read-only-note")).to_contain_text("This event has ended")
    expect(console.locator("#controls").get_by_role("button")).to_have_count(0)
    assert console.errors == [] and tablet.errors == []


def test_hold_confirmation_is_not_a_success(open_page: Callable[..., Any], apis: dict[str, Api]) -> None:
    event = create_event(apis["author"], title="Hold tone drill", safety_delay_seconds=0)
    add_consent(apis["author"], event["id"])
    apis["comms"].call("POST", f"/api/events/{event['id']}/live/go", json={})
    console = open_page(f"/console?event={event['id']}", user="comms", height=900)
    console.locator("#controls").get_by_role("button", name="Hold", exact=True).click()
    status = console.locator("#action-status")
    expect(status).to_contain_text("On hold")
    expect(status).to_have_attribute("data-tone", "warn")
    assert console.errors == []
