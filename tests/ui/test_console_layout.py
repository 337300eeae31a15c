"""The console laid out for the live hour at 1440×900: the header (state, next post, controls) never moves, the
run of show shows at least eight items with the next one marked and in view, an audience emergency does not push
the controls down, keyboard shortcuts with a help overlay, and ad-hoc posts inserted as next with a human name,
whose author hears when they are approved."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.ui.conftest import screenshot
from tests.ui.harness import Api, LiveServer, approve, create_item, expect, laid_out_box
from tests.ui.questions_kit import EMERGENCY_REPLY, audience_reply, live_event_with_post

pytestmark = pytest.mark.slow

VISIBLE_ROWS = """() => {
  const pane = document.querySelector('.timeline-panel').getBoundingClientRect();
  return [...document.querySelectorAll('#timeline .tl-item')].filter((row) => {
    const box = row.getBoundingClientRect();
    return box.top >= pane.top - 1 && box.bottom <= Math.min(pane.bottom, innerHeight) + 1;
  }).length;
}"""


def _box(page: Any, selector: str) -> dict[str, float]:
    return laid_out_box(page.locator(selector))


def test_dense_run_of_show_and_fixed_controls(open_page: Callable[..., Any], apis: dict[str, Api],
                                              server: LiveServer) -> None:
    event, anchor = live_event_with_post(apis, "Layout drill", "We are live from the operating room. #LiveOR", extra=[
        {"kind": "reply_emergency", "key": "emergency-reply", "caption": EMERGENCY_REPLY}])
    for n in range(1, 13):
        item = create_item(apis["author"], event["id"], key=f"step-{n}", offset=f"T+{n:02d}:00",
                           caption=f"Update {n}: the team is at step {n} of the operation. #LiveOR")
        if n < 10:
            approve(apis["comms"], item)
            approve(apis["clinician"], item)
    console = open_page(f"/console?event={event['id']}", user="comms", height=900)
    expect(console.locator("#timeline .tl-item")).to_have_count(13)
    assert console.evaluate(VISIBLE_ROWS) >= 8
    nxt = console.locator("#timeline .tl-item.is-next")
    expect(nxt).to_have_count(1)
    expect(nxt).to_contain_text("step-1")
    expect(nxt).to_be_in_viewport()
    expect(console.locator("#next-auto")).to_contain_text("“step-1” in")
    screenshot(console, "console-live-1440x900")

    # The run of show scrolls on its own: the controls stay where they are.
    before = _box(console, "#emergency-hold")
    console.locator(".timeline-panel").evaluate("(el) => { el.scrollTop = el.scrollHeight; }")
    assert _box(console, "#emergency-hold") == before

    # An audience emergency arrives: its banner appears without moving the controls.
    audience_reply(server.url, anchor["id"], "kim_r", "Kim R",
                   "I have crushing chest pain right now and my left arm is numb, what do I do?")
    banner = console.locator("#audience-emergency")
    expect(banner).to_be_visible(timeout=30_000)
    expect(banner).to_be_in_viewport()
    assert _box(console, "#emergency-hold") == before
    screenshot(console, "console-audience-emergency")
    assert console.errors == []


def test_keyboard_shortcuts_and_help(open_page: Callable[..., Any], apis: dict[str, Api]) -> None:
    event, _ = live_event_with_post(apis, "Keys drill", "Keyboard drill post. #LiveOR")
    create_item(apis["author"], event["id"], key="later", cue="Later", caption="A later step. #LiveOR")
    console = open_page(f"/console?event={event['id']}", user="comms", height=900)
    expect(console.locator("#event-state")).to_have_text("Live")
    console.keyboard.press("?")
    dialog = console.get_by_role("dialog")
    expect(dialog).to_contain_text("Keyboard shortcuts")
    expect(dialog.locator("dt")).to_contain_text(["?", "c", "h", "e"])
    screenshot(console, "console-shortcuts")
    console.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    console.keyboard.press("h")  # hold asks first, Cancel focused: Enter cancels
    expect(dialog).to_contain_text("Hold the event?")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    console.keyboard.press("Enter")
    expect(dialog).to_have_count(0)
    expect(console.locator("#event-state")).to_have_text("Live")
    console.keyboard.press("e")
    expect(dialog).to_contain_text("Emergency hold")
    console.keyboard.press("Escape")
    console.keyboard.press("a")
    expect(console.locator("#approvals-pane")).to_be_focused()
    console.keyboard.press("w")
    expect(console.locator("#c-caption")).to_be_focused()
    console.keyboard.type("typing q here does not jump")
    expect(console.locator("#c-caption")).to_be_focused()
    assert console.errors == []


def test_adhoc_post_inserted_as_next_and_the_author_told(open_page: Callable[..., Any], apis: dict[str, Api]) -> None:
    event, _ = live_event_with_post(apis, "Ad-hoc drill", "The opening post. #LiveOR")
    for key in ("incision", "bypass", "closing"):
        create_item(apis["author"], event["id"], key=key, cue=key.title(), caption=f"The {key} step. #LiveOR")
    console = open_page(f"/console?event={event['id']}", user="comms", height=900)
    console.locator("#controls").get_by_role("button", name="New post…").click()
    caption = console.locator("#c-caption")
    expect(caption).to_be_focused()
    caption.fill("Thanks to the family for letting us share this day!")
    expect(console.locator("#c-key")).to_have_value("thanks-family-letting-us")
    expect(console.locator("#c-place")).to_have_value("next")
    preview = console.locator('#c-preview [data-platform="sandbox"]')
    expect(preview).to_contain_text("Thanks to the family")
    expect(preview).to_contain_text("replying to “Go”")
    screenshot(console, "console-composer")
    console.get_by_role("button", name="Save for approval").click()
    expect(console.locator("#c-status")).to_contain_text("next in the run of show")
    keys = console.locator("#timeline .tl-item .key")
    expect(keys).to_have_text(["opening", "thanks-family-letting-us", "incision", "bypass", "closing"])
    expect(console.locator("#timeline .tl-item").nth(1).locator(".tl-name")).to_have_text("Ad hoc")

    # Two colleagues approve it: the author (comms) is told, wherever they are on the page.
    items = apis["comms"].call("GET", f"/api/events/{event['id']}/items")
    mine = next(i for i in items if i["key"] == "thanks-family-letting-us")
    approve(apis["author"], mine)
    approve(apis["clinician"], mine)
    toast = console.locator("#toasts .toast")
    expect(toast).to_contain_text(re.compile("is approved .*Dr. Dana Ortiz"))
    assert console.errors == []
