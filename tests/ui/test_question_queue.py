"""The audience question queue in real browsers: a reply on /sandbox reaches the tablet, a clinician claims and
answers it, comms approves on the console, and the answer appears under the asker's post; bank answers go out
at once, redirects and emergency replies take one tap, and a claim lost to a colleague is explained calmly."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.ui.conftest import screenshot
from tests.ui.harness import Api, LiveServer, expect
from tests.ui.questions_kit import (
    EMERGENCY_REPLY,
    REDIRECT_REPLY,
    audience_reply,
    live_event_with_post,
    new_user,
    sandbox_replies,
    wait_for,
)

pytestmark = pytest.mark.slow

CAPTION = "The team is scrubbing in for today's bypass. Ask us anything below. #LiveOR"
QUESTION = "How long will the patient stay in intensive care afterwards?"
ANSWER = "Most people spend one or two days in intensive care after a bypass, then move to a regular ward."
BANK_QUESTION = "How long does the operation take?"
BANK_ANSWER = "A bypass operation usually takes between three and six hours."


def test_reply_on_sandbox_is_answered_from_the_tablet(open_page: Callable[..., Any], apis: dict[str, Api],
                                                      server: LiveServer) -> None:
    event, anchor = live_event_with_post(apis, "Questions drill", CAPTION)
    sandbox = open_page("/sandbox")
    tablet = open_page(f"/tablet?event={event['id']}", user="clinician", width=1024, height=1366)
    console = open_page(f"/console?event={event['id']}", user="comms")

    # An audience member replies on the sandbox timeline.
    post = sandbox.locator(f"#post-{anchor['id']}")
    post.get_by_role("button", name=re.compile("^Reply")).click()
    sandbox.get_by_label("Display name").fill("Rosa Viewer")
    sandbox.get_by_label("Handle").fill("rosa_v")
    sandbox.get_by_label("Reply", exact=True).fill(QUESTION)
    sandbox.get_by_role("button", name="Post reply").click()
    expect(sandbox.locator("#r-status")).to_have_text("Your reply is posted.")

    # It reaches the tablet's queue without a reload, with its asker.
    card = tablet.locator(".tb-question", has_text=QUESTION)
    expect(card).to_be_visible(timeout=30_000)
    expect(card).to_contain_text("1 person asked")
    expect(card.locator(".tb-asker")).to_contain_text("Rosa Viewer")
    expect(card.locator(".tb-asker")).to_contain_text("@rosa_v")
    expect(card.locator(".tb-why")).to_contain_text("general question")
    expect(tablet.locator("#questions-count")).to_have_text("1")
    expect(tablet.locator("#q-news")).to_have_text("1 new audience message.")
    expect(console.locator('#questions .qc[data-label="question"] dd')).to_have_text("1")

    # Claim, then write a new answer: it waits for comms.
    card.get_by_role("button", name="Claim to answer").click()
    expect(card.locator(".tb-claim")).to_contain_text("You are answering this")
    expect(card.locator(".tb-suggestions")).to_contain_text("No pre-approved answer fits")
    answer_box = card.get_by_label(re.compile("^Or write a new answer"))
    answer_box.fill(ANSWER)
    expect(card.locator(".tb-counter")).to_contain_text("Sandbox 96 / 500")
    # A new question arriving meanwhile re-renders the queue; what the clinician typed stays, focus too.
    audience_reply(server.url, anchor["id"], "joe_b", "Joe B", "Is the surgeon standing the whole time?")
    expect(tablet.locator(".tb-question", has_text="standing the whole time")).to_be_visible(timeout=30_000)
    expect(answer_box).to_have_value(ANSWER)
    expect(answer_box).to_be_focused()
    card.get_by_role("button", name="Send for approval").click()
    expect(tablet.locator("#q-status")).to_contain_text("waiting for comms approval")
    pending = card.locator(".tb-pending")
    expect(pending).to_contain_text("Waiting for comms approval")
    expect(pending).to_contain_text(ANSWER)

    # Comms sees the answer among its approvals, with the question it answers, and approves it.
    waiting = console.locator("#waiting .waiting-item", has_text=ANSWER)
    expect(waiting).to_contain_text("Clinician’s answer to the audience")
    expect(waiting).to_contain_text(QUESTION)
    expect(waiting.locator(".approvals")).to_contain_text("approved so far by Dr. Dana Ortiz")
    waiting.get_by_role("button", name="Approve").click()
    expect(console.locator("#waiting .waiting-item", has_text=ANSWER)).to_have_count(0)
    expect(card).to_have_count(0)  # answered: it leaves the queue
    expect(tablet.locator("#questions-count")).to_have_text("1")

    # The answer appears under the asker's post on the sandbox.
    reply = post.locator(".sb-reply", has_text=ANSWER)
    expect(reply).to_be_visible(timeout=30_000)
    expect(reply.locator(".sb-replying")).to_have_text("Replying to @rosa_v")
    expect(reply.locator(".sb-org")).to_have_text("Organiser")
    screenshot(tablet, "tablet-queue-answered")
    for page in (sandbox, tablet, console):
        assert page.errors == []


def test_bank_answer_redirect_and_a_lost_claim(open_page: Callable[..., Any], apis: dict[str, Api],
                                               server: LiveServer) -> None:
    event, anchor = live_event_with_post(apis, "Bank answers", CAPTION, extra=[
        {"kind": "answer", "key": "bank-duration", "question": BANK_QUESTION, "caption": BANK_ANSWER},
        {"kind": "reply_redirect", "key": "redirect", "caption": REDIRECT_REPLY},
    ])
    personal = "My mom Jane Doe had this surgery last week. Is her scar supposed to look red?"
    audience_reply(server.url, anchor["id"], "lee_w", "Lee W", "How long does the operation take usually?")
    audience_reply(server.url, anchor["id"], "sam_k", "Sam K", personal)
    audience_reply(server.url, anchor["id"], "ana_p", "Ana P", "What does the heart-lung machine do exactly?")
    audience_reply(server.url, anchor["id"], "bo_t", "Bo T", "Which hospital is this operation at?")
    audience_reply(server.url, anchor["id"], "cy_r", "Cy R", "Can I get tickets to watch one in person?")
    questions = f"/api/events/{event['id']}/questions"
    wait_for(lambda: len(apis["comms"].call("GET", questions)) == 5)
    tablet = open_page(f"/tablet?event={event['id']}", user="clinician", width=1366, height=1024)

    # A relative's case: marked as personal details, answered with the one-tap redirect.
    case = tablet.locator(".tb-question", has_text=personal)
    expect(case.locator(".pill").first).to_have_text("Own or a relative’s case")
    expect(case.locator(".tb-phi")).to_contain_text("Contains personal details — never quote")
    expect(case.locator(".tb-why")).to_contain_text("relative")
    screenshot(tablet, "tablet-queue")
    case.get_by_role("button", name="Send redirect reply").click()
    expect(tablet.locator("#q-status")).to_have_text("The redirect reply is on its way to 1 asker.")
    expect(case).to_have_count(0)

    # A bank answer that fits is suggested; one tap sends it at once.
    timing = tablet.locator(".tb-question", has_text="How long does the operation take usually?")
    timing.get_by_role("button", name="Claim to answer").click()
    suggestion = timing.locator(".tb-suggestion", has_text=BANK_ANSWER)
    expect(suggestion).to_contain_text(f"For “{BANK_QUESTION}”")
    suggestion.get_by_role("button", name="Use this answer…").click()
    tablet.get_by_role("dialog").get_by_role("button", name="Send answer").click()
    expect(tablet.locator("#q-status")).to_have_text("The pre-approved answer is going out now.")
    expect(timing).to_have_count(0)

    # Claim and release; mark one answered in the thread; dismiss another (after a confirmation).
    hospital = tablet.locator(".tb-question", has_text="Which hospital")
    hospital.get_by_role("button", name="Claim to answer").click()
    hospital.get_by_role("button", name="Release").click()
    expect(tablet.locator("#q-status")).to_have_text("Released: the question is back in the queue for anyone to claim.")
    expect(hospital.get_by_role("button", name="Claim to answer")).to_be_visible()
    hospital.get_by_role("button", name="Answered in thread").click()
    expect(tablet.locator("#q-status")).to_have_text("Marked as answered in the thread.")
    expect(hospital).to_have_count(0)
    tickets = tablet.locator(".tb-question", has_text="tickets")
    tickets.get_by_role("button", name="Dismiss…").click()
    tablet.get_by_role("dialog").get_by_role("button", name="Dismiss").click()
    expect(tickets).to_have_count(0)
    expect(tablet.locator("#questions-count")).to_have_text("1")

    # Another clinician claims first: the tablet says so calmly (not as an error) and shows who.
    colleague = new_user(apis["admin"], "nurse.kim", "Nurse Kim Lee", ["clinical"])
    assert colleague["policy_ack_at"] is None
    other = Api(server, "nurse.kim")
    machine = tablet.locator(".tb-question", has_text="heart-lung machine")
    group_id = machine.get_attribute("data-group-id")

    def colleague_first(route: Any) -> None:
        other.call("POST", f"/api/question-groups/{group_id}/claim")
        route.continue_()

    tablet.route("**/api/question-groups/*/claim", colleague_first)
    machine.get_by_role("button", name="Claim to answer").click()
    status = tablet.locator("#q-status")
    expect(status).to_contain_text("Another clinician is already answering this question")
    expect(status).to_have_attribute("data-tone", "info")
    expect(machine.locator(".tb-claim")).to_contain_text("Nurse Kim Lee is answering this")
    expect(machine.get_by_role("button", name="Claim to answer")).to_have_count(0)
    other.close()

    def replies_by_text() -> dict[str, str]:
        return {r["text"]: r["in_reply_to_handle"] for r in sandbox_replies(apis["comms"], anchor["id"])}

    # Each reply addresses its asker (@handle first), under the asker's message.
    bank, redirect = f"@lee_w {BANK_ANSWER}", f"@sam_k {REDIRECT_REPLY}"
    wait_for(lambda: {bank, redirect} <= set(replies_by_text()))
    assert replies_by_text()[bank] == "lee_w" and replies_by_text()[redirect] == "sam_k"
    assert tablet.errors == []


def test_emergency_message_gets_the_one_tap_reply(open_page: Callable[..., Any], apis: dict[str, Api],
                                                  server: LiveServer) -> None:
    event, anchor = live_event_with_post(apis, "Emergency drill", CAPTION, extra=[
        {"kind": "reply_emergency", "key": "emergency-reply", "caption": EMERGENCY_REPLY}])
    tablet = open_page(f"/tablet?event={event['id']}", user="clinician", width=1024, height=1366)
    console = open_page(f"/console?event={event['id']}", user="comms")
    audience_reply(server.url, anchor["id"], "cal_m", "Cal M", "What is the heart-lung machine for?")
    expect(tablet.locator(".tb-question")).to_have_count(1, timeout=30_000)
    urgent = "I have crushing chest pain right now and my left arm is numb, what do I do?"
    audience_reply(server.url, anchor["id"], "pat_q", "Pat Q", urgent)

    # Both pages make it impossible to miss: an alert on the tablet and the emergency on top of the queue,
    # a red banner at the top of the console.
    alert = tablet.locator('.tb-alert[data-kind="alert.emergency_message"]')
    expect(alert).to_contain_text(urgent, timeout=30_000)
    first = tablet.locator(".tb-question").first
    expect(first).to_have_attribute("data-label", "emergency")
    expect(first).to_contain_text(urgent)
    expect(console.locator("#audience-emergency")).to_contain_text("POSSIBLE EMERGENCY FROM THE AUDIENCE (1)")
    expect(console.locator("#audience-emergency")).to_contain_text(urgent)
    expect(console.locator('#questions .qc.is-alert[data-label="emergency"] dd')).to_have_text("1")
    screenshot(tablet, "tablet-emergency")
    screenshot(console, "console-audience-emergency")

    # One tap on the tablet sends the pre-approved emergency reply under the message.
    first.get_by_role("button", name="Send emergency reply").click()
    expect(tablet.locator("#q-status")).to_have_text("The emergency reply is on its way to 1 asker.")
    expect(alert.locator(".tb-alert-done")).to_have_text("Emergency reply sent.")
    expect(tablet.locator('.tb-question[data-label="emergency"]')).to_have_count(0)
    expect(console.locator("#audience-emergency")).to_be_hidden()
    sandbox = open_page("/sandbox")
    reply = sandbox.locator(f"#post-{anchor['id']} .sb-reply", has_text=EMERGENCY_REPLY)
    expect(reply).to_be_visible(timeout=30_000)
    expect(reply.locator(".sb-replying")).to_have_text("Replying to @pat_q")
    for page in (tablet, console, sandbox):
        assert page.errors == []


def test_rejected_answer_comes_back_to_the_clinician(open_page: Callable[..., Any], apis: dict[str, Api],
                                                     server: LiveServer) -> None:
    event, anchor = live_event_with_post(apis, "Rejected answer", CAPTION)
    audience_reply(server.url, anchor["id"], "dee_n", "Dee N", QUESTION)
    group = wait_for(lambda: apis["comms"].call("GET", f"/api/events/{event['id']}/questions"))[0]
    tablet = open_page(f"/tablet?event={event['id']}", user="clinician", width=1024, height=1366)
    card = tablet.locator(f'.tb-question[data-group-id="{group["id"]}"]')
    card.get_by_role("button", name="Claim to answer").click()
    card.get_by_label(re.compile("^Or write a new answer")).fill("About a week.")
    card.get_by_role("button", name="Send for approval").click()
    expect(card.locator(".tb-pending")).to_contain_text("Waiting for comms approval")
    expect(card.get_by_role("button", name="Send for approval")).to_have_count(0)

    # Comms rejects it with a note: the clinician sees the note and can write again.
    answered = apis["comms"].call("GET", f"/api/events/{event['id']}/questions")[0]
    item = apis["comms"].call("GET", f"/api/items/{answered['answer_item_id']}")
    apis["comms"].call("POST", f"/api/items/{item['id']}/reject",
                       json={"version": item["version"], "note": "Say it is usually one or two days in ICU."})
    rejected = card.locator(".tb-pending.is-rejected")
    expect(rejected).to_contain_text("Comms did not approve the answer (Casey Comms)")
    expect(rejected).to_contain_text("Say it is usually one or two days in ICU.")
    expect(card.get_by_role("button", name="Send for approval")).to_be_visible()
    assert tablet.errors == []
