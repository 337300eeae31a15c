"""The tablet under pressure, one-handed on an iPad in both orientations (touch): two panes in landscape and a short
header, the tapped button disabled while its request runs with the outcome beside it, bank answers ranked and
confirmed before they go to every asker, an answered list and a search, reasons in plain words, and an
emergency that sounds (WebAudio) once alert sounds are on."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.ui.conftest import screenshot
from tests.ui.harness import Api, LiveServer, expect, laid_out_box
from tests.ui.questions_kit import EMERGENCY_REPLY, audience_reply, live_event_with_post, wait_for

pytestmark = pytest.mark.slow

BANK_QUESTION = "How long does the operation take?"
BANK_ANSWER = "A bypass operation usually takes between three and six hours."
ASKED = "How long does the operation take usually?"


def _open_tablet(open_page: Callable[..., Any], event_id: int, width: int, height: int) -> Any:
    return open_page(f"/tablet?event={event_id}", user="clinician", width=width, height=height, touch=True)


def test_two_panes_in_landscape_one_column_in_portrait(open_page: Callable[..., Any], apis: dict[str, Api],
                                                       server: LiveServer) -> None:
    event, anchor = live_event_with_post(apis, "Orientation drill", "The team is ready. Ask below. #LiveOR")
    audience_reply(server.url, anchor["id"], "ola_n", "Ola N", "Why is the room so cold?")
    wait_for(lambda: len(apis["comms"].call("GET", f"/api/events/{event['id']}/questions")) == 1)
    landscape = _open_tablet(open_page, event["id"], 1024, 768)
    expect(landscape.locator(".tb-question")).to_have_count(1)
    header = laid_out_box(landscape.locator(".tb-top"))
    assert header["height"] <= 120, header
    left = laid_out_box(landscape.locator(".tb-pane-questions"))
    right = laid_out_box(landscape.locator(".tb-pane-side"))
    assert right["x"] >= left["x"] + left["width"] - 1 and abs(right["y"] - left["y"]) < 2, (left, right)
    assert left["width"] > 400 and right["width"] > 350
    screenshot(landscape, "tablet-landscape-1024x768")
    portrait = _open_tablet(open_page, event["id"], 768, 1024)
    expect(portrait.locator(".tb-question")).to_have_count(1)
    left = laid_out_box(portrait.locator(".tb-pane-questions"))
    right = laid_out_box(portrait.locator(".tb-pane-side"))
    assert right["y"] >= left["y"] + left["height"] - 1, (left, right)
    screenshot(portrait, "tablet-portrait-768x1024")
    # The reason reads as words, not as the triage's debug output.
    why = portrait.locator(".tb-why")
    expect(why).to_contain_text("it asks a general question")
    assert "'?'" not in why.inner_text()
    assert landscape.errors == [] and portrait.errors == []


def test_busy_buttons_feedback_bank_answers_answered_and_search(open_page: Callable[..., Any], apis: dict[str, Api],
                                                               server: LiveServer) -> None:
    event, anchor = live_event_with_post(apis, "Pressure drill", "Ask us anything below. #LiveOR", extra=[
        {"kind": "answer", "key": "bank-duration", "question": BANK_QUESTION, "caption": BANK_ANSWER},
        {"kind": "answer", "key": "bank-parking", "question": "Where can visitors park?",
         "caption": "Visitors park in the garage on Bayview Avenue."}])
    audience_reply(server.url, anchor["id"], "lee_w", "Lee W", ASKED)
    audience_reply(server.url, anchor["id"], "ana_p", "Ana P", "What does the heart-lung machine do exactly?")
    wait_for(lambda: len(apis["comms"].call("GET", f"/api/events/{event['id']}/questions")) == 2)
    tablet = _open_tablet(open_page, event["id"], 1024, 768)
    card = tablet.locator(".tb-question", has_text=ASKED)
    claim = card.get_by_role("button", name="Claim to answer")

    # The claim is held on its way: the button stays disabled, even when the queue re-renders meanwhile.
    held: list[Any] = []
    tablet.route("**/api/question-groups/*/claim", lambda route: held.append(route))
    claim.tap()
    expect(claim).to_be_disabled()
    audience_reply(server.url, anchor["id"], "joe_b", "Joe B", "Is the surgeon standing the whole time?")
    expect(tablet.locator(".tb-question")).to_have_count(3, timeout=30_000)
    expect(card.get_by_role("button", name="Claim to answer")).to_be_disabled()
    wait_for(lambda: held)
    held[0].continue_()
    tablet.unroute("**/api/question-groups/*/claim")
    feedback = tablet.locator(".tap-feedback")
    expect(feedback).to_contain_text("The question is yours")
    expect(card.locator(".tb-claim")).to_contain_text("You are answering this")

    # Bank answers: ranked, the weak one behind "Other answers", and nothing goes without a confirmation.
    best = card.locator(".tb-suggestion").first
    expect(best).to_contain_text("Best match")
    expect(best).to_contain_text(BANK_ANSWER)
    expect(card.locator(".tb-weak summary")).to_contain_text("weak match")
    best.get_by_role("button", name="Use this answer…").tap()
    dialog = tablet.get_by_role("dialog")
    expect(dialog).to_contain_text(BANK_ANSWER)
    expect(dialog).to_contain_text("@lee_w")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    screenshot(tablet, "tablet-bank-confirm")
    dialog.get_by_role("button", name="Cancel").tap()
    expect(card).to_be_visible()
    best.get_by_role("button", name="Use this answer…").tap()
    dialog.get_by_role("button", name="Send answer").tap()
    expect(tablet.locator("#q-status")).to_contain_text("going out")
    expect(tablet.locator(".tb-question", has_text=ASKED)).to_have_count(0)

    # The answered list keeps it, with the answer; the search narrows the queue and the list.
    tablet.locator(".tb-answered summary").tap()
    answered = tablet.locator(".tb-answered-item", has_text=ASKED)
    expect(answered).to_be_visible()
    tablet.get_by_label("Search questions").fill("heart-lung")
    expect(tablet.locator(".tb-question:visible")).to_have_count(1)
    expect(tablet.locator(".tb-search-note")).to_contain_text("1 question hidden")
    expect(answered).to_have_count(0)
    tablet.get_by_label("Search questions").fill("")
    expect(tablet.locator(".tb-question:visible")).to_have_count(2)
    screenshot(tablet, "tablet-answered-search")
    assert tablet.errors == []


def test_emergency_sounds_once_alert_sounds_are_on(open_page: Callable[..., Any], apis: dict[str, Api],
                                                   server: LiveServer) -> None:
    event, anchor = live_event_with_post(apis, "Alarm drill", "Ask away. #LiveOR", extra=[
        {"kind": "reply_emergency", "key": "emergency-reply", "caption": EMERGENCY_REPLY}])
    tablet = _open_tablet(open_page, event["id"], 768, 1024)
    toggle = tablet.locator("#alarm-toggle")
    expect(toggle).to_have_text("Alert sound: off")
    toggle.tap()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    audience_reply(server.url, anchor["id"], "kim_r", "Kim R",
                   "I have crushing chest pain right now and my left arm is numb, what do I do?")
    expect(tablet.locator('.tb-alert[data-kind="alert.emergency_message"]')).to_be_visible(timeout=30_000)
    expect(tablet.locator("body")).to_have_attribute("data-last-alarm-used", re.compile(r"\bsound\b"))
    assert tablet.errors == []
