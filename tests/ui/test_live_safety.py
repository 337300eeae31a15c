"""The live safety features on the pages: undo a skip, a confirmed post out of order naming what it jumps, the
countdown of posts in their safety delay with one-click Pull back, the server's posting rule quoted on the
console and the tablet, and replies and answers under an emergency hold (asked one message at a time; the
tablet shows the server's words)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.ui.conftest import screenshot
from tests.ui.harness import Api, LiveServer, add_consent, approve, create_event, create_item, expect
from tests.ui.questions_kit import EMERGENCY_REPLY, audience_reply, wait_for

pytestmark = pytest.mark.slow

_accounts = itertools.count(1)
BANK_QUESTION = "How long does the operation take?"
BANK_ANSWER = "A bypass operation usually takes between three and six hours."
URGENT = "I have crushing chest pain right now and my left arm is numb, what do I do?"


def _approved(apis: dict[str, Api], event_id: int, **body: Any) -> dict[str, Any]:
    item = create_item(apis["author"], event_id, **body)
    approve(apis["comms"], item)
    approve(apis["clinician"], item)
    return item


def _live(apis: dict[str, Api], title: str, safety: int = 0) -> dict[str, Any]:
    """A live event on a sandbox account of its own (audience replies reach only this event)."""
    event = create_event(apis["author"], title=title, safety_delay_seconds=safety,
                         platforms=[{"platform": "sandbox", "account": f"safety{next(_accounts)}"}])
    add_consent(apis["author"], event["id"])
    return event


def _go(apis: dict[str, Api], event: dict[str, Any]) -> None:
    apis["comms"].call("POST", f"/api/events/{event['id']}/live/go", json={})


def _item(apis: dict[str, Api], item: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = apis["comms"].call("GET", f"/api/items/{item['id']}")
    return found


def test_undo_skip(open_page: Callable[..., Any], apis: dict[str, Api]) -> None:
    event = _live(apis, "Undo skip drill")
    item = _approved(apis, event["id"], key="family-thanks", cue="Thanks", caption="Thank you to the family.")
    _go(apis, event)
    console = open_page(f"/console?event={event['id']}", user="comms")
    card = console.locator(f'#timeline [data-item-id="{item["id"]}"]')
    status = console.locator("#action-status")

    card.get_by_role("button", name="Skip").click()
    console.get_by_role("dialog").get_by_role("button", name="Skip it").click()
    expect(card).to_have_attribute("data-status", "skipped")
    expect(status).to_contain_text("“family-thanks” skipped.")
    status.get_by_role("button", name="Undo skip").click()  # right after the skip, in the status line
    expect(card).to_have_attribute("data-status", "approved")
    expect(status).to_have_text("“family-thanks” is back in the run of show.")
    assert _item(apis, item)["status"] == "approved"

    # Later, from the skipped item itself.
    card.get_by_role("button", name="Skip").click()
    console.get_by_role("dialog").get_by_role("button", name="Skip it").click()
    expect(card).to_have_attribute("data-status", "skipped")
    apis["comms"].call("POST", f"/api/events/{event['id']}/live/hold")  # another line replaces the status
    expect(console.locator("#event-state")).to_have_text("On hold")
    card.get_by_role("button", name="Undo skip").click()
    expect(card).to_have_attribute("data-status", "approved")
    expect(console.locator("#activity")).to_contain_text("Casey Comms undid the skip of “family-thanks”")
    assert console.errors == []


def test_post_now_out_of_order_names_what_it_jumps(open_page: Callable[..., Any], apis: dict[str, Api]) -> None:
    event = _live(apis, "Out of order drill")
    _approved(apis, event["id"], key="incision", cue="Incision made", caption="The first incision is made.")
    _approved(apis, event["id"], key="no-cue-step", offset="T+03:00", caption="A step without a cue label.")
    later = _approved(apis, event["id"], key="bypass-on", cue="On bypass", caption="The machine has taken over.")
    _go(apis, event)
    console = open_page(f"/console?event={event['id']}", user="comms")
    card = console.locator(f'#timeline [data-item-id="{later["id"]}"]')

    card.get_by_role("button", name="Post now").click()
    dialog = console.get_by_role("dialog")
    expect(dialog).to_contain_text("Post “bypass-on” ahead of the run of show?")
    expect(dialog.locator(".jumps li")).to_have_text(["“Incision made”", "“no-cue-step”"])  # cue label, else key
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    console.keyboard.press("Enter")
    expect(dialog).to_have_count(0)
    console.wait_for_timeout(300)
    assert _item(apis, later)["status"] == "approved"
    expect(console.locator("#action-failures")).to_be_hidden()  # cancelling is not a failure

    card.get_by_role("button", name="Post now").click()
    dialog.get_by_role("button", name="Post out of order").click()
    expect(card).to_have_attribute("data-status", "posted", timeout=20_000)
    assert console.errors == []


def test_countdown_pull_back_and_the_posting_rule(open_page: Callable[..., Any], apis: dict[str, Api]) -> None:
    event = _live(apis, "Countdown drill", safety=60)
    items = [_approved(apis, event["id"], key=f"step-{n}", cue=f"Step {n}", caption=f"Step {n} of the operation.")
             for n in range(1, 7)]
    _go(apis, event)
    console = open_page(f"/console?event={event['id']}", user="comms", height=700)
    live = apis["comms"].call("GET", f"/api/events/{event['id']}/live")
    expect(console.locator("#posting-rule .posting-rule-text")).to_have_text(live["posting_rule"])
    expect(console.locator("#safety-delay")).to_have_text("60 s")

    console.get_by_role("button", name="Cue next: “step-1”").click()
    row = console.locator("#countdown .countdown-item", has_text="step-1")
    expect(row).to_be_visible()
    expect(row).to_contain_text("Step 1 of the operation.")
    first = row.locator(".countdown-secs").inner_text()
    assert re.fullmatch(r"\d+ s", first), first
    console.wait_for_timeout(2100)
    assert int(row.locator(".countdown-secs").inner_text().split()[0]) < int(first.split()[0])  # it ticks
    # It stays in view while the operator scrolls down the timeline.
    console.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    expect(row).to_be_in_viewport()
    screenshot(console, "console-countdown")
    row.get_by_role("button", name="Pull back").click()
    expect(console.locator("#countdown")).to_be_hidden()
    expect(console.locator("#action-status")).to_have_text("Pulled back: “step-1” on Sandbox will not go out.")
    wait_for(lambda: _item(apis, items[0])["status"] == "approved")

    # Too late: the server's words, and no Retry (it cannot help).
    console.get_by_role("button", name="Cue next: “step-1”").click()
    expect(row).to_be_visible()
    detail = "too late to pull back: it is already posted"
    console.route("**/api/deliveries/*/pull-back", lambda route: route.fulfill(
        status=409, json={"error": "Conflict", "detail": detail, "state": "posted"}))
    row.get_by_role("button", name="Pull back").click()
    failure = console.locator("#action-failures .failure", has_text="Pull back failed")
    expect(failure).to_contain_text(detail)
    expect(failure.get_by_role("button", name="Retry")).to_have_count(0)
    assert console.errors == []


def _wait_for_message(apis: dict[str, Api], event: dict[str, Any], text: str) -> dict[str, Any]:
    def found() -> dict[str, Any] | None:
        groups = apis["comms"].call("GET", f"/api/events/{event['id']}/questions")
        return next((m for g in groups for m in g["messages"] if m["text"] == text), None)

    message: dict[str, Any] = wait_for(found)
    return message


def test_replies_and_answers_under_the_emergency_hold(open_page: Callable[..., Any], apis: dict[str, Api],
                                                      server: LiveServer) -> None:
    event = _live(apis, "Emergency replies drill")
    anchor = _approved(apis, event["id"], key="opening", cue="Go", caption="Ask us anything below. #LiveOR")
    _approved(apis, event["id"], kind="reply_emergency", key="emergency-reply", caption=EMERGENCY_REPLY)
    _approved(apis, event["id"], kind="answer", key="bank-duration", question=BANK_QUESTION, caption=BANK_ANSWER)
    _go(apis, event)
    comms = apis["comms"]
    comms.call("POST", f"/api/items/{anchor['id']}/post-now", json={})
    post = wait_for(lambda: next((p for p in comms.call("GET", "/api/sandbox/feed")["posts"]
                                  if p["text"] == anchor["content"]["caption"]), None))
    audience_reply(server.url, post["id"], "pat_q", "Pat Q", URGENT)
    audience_reply(server.url, post["id"], "lee_w", "Lee W", "How long does the operation take usually?")
    audience_reply(server.url, post["id"], "joe_b", "Joe B", "Is the surgeon standing the whole time?")
    urgent = _wait_for_message(apis, event, URGENT)
    _wait_for_message(apis, event, "How long does the operation take usually?")
    _wait_for_message(apis, event, "Is the surgeon standing the whole time?")
    comms.call("POST", f"/api/events/{event['id']}/live/emergency-hold", json={"post_holding_message": False})
    console = open_page(f"/console?event={event['id']}", user="comms")
    tablet = open_page(f"/tablet?event={event['id']}", user="clinician", width=1024, height=1366)
    rule = comms.call("GET", f"/api/events/{event['id']}/live")["posting_rule"]
    expect(tablet.locator("#emergency-state .tb-posting-rule")).to_have_text(rule)  # verbatim
    expect(console.locator("#posting-rule .posting-rule-text")).to_have_text(rule)

    # The console asks before sending during the hold; Enter cancels, nothing is sent.
    banner = console.locator("#audience-emergency")
    banner.get_by_role("button", name="Send emergency reply").click()
    dialog = console.get_by_role("dialog")
    expect(dialog.locator(".dialog-title")).to_have_text(
        "Send the emergency reply to @pat_q now, during the emergency hold?")
    expect(dialog).to_contain_text(URGENT)
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    console.keyboard.press("Enter")
    expect(dialog).to_have_count(0)
    console.wait_for_timeout(300)
    assert _wait_for_message(apis, event, URGENT)["status"] == "queued"

    # The tablet asks the same, one message at a time, and sends on a deliberate yes.
    question = tablet.locator(".tb-question", has_text=URGENT)
    question.get_by_role("button", name="Send emergency reply").first.click()
    tablet_dialog = tablet.get_by_role("dialog")
    expect(tablet_dialog.locator(".dialog-title")).to_have_text(
        "Send the emergency reply to @pat_q now, during the emergency hold?")
    expect(tablet_dialog.get_by_role("button", name="Cancel")).to_be_focused()
    screenshot(tablet, "tablet-emergency-reply-confirm")
    tablet_dialog.get_by_role("button", name="Send emergency reply").click()
    expect(tablet.locator("#q-status")).to_have_text("The emergency reply is on its way to 1 asker.")
    entries = comms.call("GET", f"/api/events/{event['id']}/journal?after=0&limit=1000")["entries"]
    assert any(e["kind"] == "answer.template" and e["subject_id"] == urgent["id"] for e in entries)
    expect(banner).to_be_hidden()

    # A bank answer under the emergency hold: the tablet shows the server's words, not its own guess.
    timing = tablet.locator(".tb-question", has_text="How long does the operation take usually?")
    timing.get_by_role("button", name="Claim to answer").click()
    suggestion = timing.locator(".tb-suggestion", has_text=BANK_ANSWER)
    suggestion.get_by_role("button", name="Use this answer…").click()
    tablet.get_by_role("dialog").get_by_role("button", name="Send answer").click()
    status = tablet.locator("#q-status")
    expect(status).to_contain_text("emergency hold")
    expect(status).to_contain_text("this answer waits until the operator resumes")
    expect(status).not_to_contain_text("going out now")
    expect(suggestion.get_by_role("button", name="Use this answer…")).to_be_enabled()

    # A new answer is accepted and waits: the tablet quotes the server's rule, not "goes out when approved".
    standing = tablet.locator(".tb-question", has_text="standing the whole time")
    standing.get_by_role("button", name="Claim to answer").click()
    standing.get_by_label(re.compile("^Or write a new answer")).fill("Surgeons stand for most of it, with breaks.")
    standing.get_by_role("button", name="Send for approval").click()
    expect(status).to_have_text(f"Your answer is saved. {rule}")
    assert console.errors == [] and tablet.errors == []
