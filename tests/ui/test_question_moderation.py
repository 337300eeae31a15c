"""Moderating audience messages in real browsers: a clinician relabels a missed emergency on the tablet and the
console's emergency banner follows over the feed; comms relabels a wrongly flagged question, hides spam and
mutes an author after confirming (their next message stays out of the queue), and assigns questions to any
active clinician from the staff directory, then unassigns them; controls follow the roles, API errors are shown
in the server's words, touch targets stay large, and markup in audience text stays inert in every new control
and dialog."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.ui.conftest import screenshot
from tests.ui.harness import Api, LiveServer, expect, laid_out_box
from tests.ui.questions_kit import EMERGENCY_REPLY, audience_reply, live_event_with_post, new_user, wait_for

pytestmark = pytest.mark.slow

CAPTION = "The team is scrubbing in for today's bypass. Ask us anything below. #LiveOR"
MACHINE = "What does the heart-lung machine do during the operation?"
MISSED = "Is it normal that my uncle looks a bit blue around the lips while he naps?"  # triaged as a question
SPAM = "FREE crypto giveaway, DM me to claim your prize"
FLAGGED = "Is the recording free to watch later, click here for the link?"  # a real question, triaged as spam
IMG = "<img src=x onerror=window.__pwned=1>"
SCRIPT = "<script>window.__pwned=1</script>"
NOT_INJECTED = """() => window.__pwned === undefined
  && document.querySelectorAll('img[src="x"], img[src$="/x"]').length === 0
  && [...document.scripts].every((s) => s.src.includes('/ui/js/'))"""


def _summary(api: Api, event_id: int) -> dict[str, Any]:
    summary: dict[str, Any] = api.call("GET", f"/api/events/{event_id}/questions/summary")
    return summary


def _queued_texts(api: Api, event_id: int) -> list[str]:
    groups = api.call("GET", f"/api/events/{event_id}/questions")
    return [m["text"] for g in groups for m in g["messages"]]


def _heights(locator: Any) -> list[float]:
    return [box["height"] for box in (locator.nth(i).bounding_box() for i in range(locator.count())) if box]


def test_relabel_a_missed_emergency_from_the_tablet(open_page: Callable[..., Any], apis: dict[str, Api],
                                                    server: LiveServer) -> None:
    event, anchor = live_event_with_post(apis, "Relabel drill", CAPTION, extra=[
        {"kind": "reply_emergency", "key": "emergency-reply", "caption": EMERGENCY_REPLY}])
    audience_reply(server.url, anchor["id"], "cal_m", "Cal M", MACHINE)
    audience_reply(server.url, anchor["id"], "uma_r", "Uma R", MISSED)
    wait_for(lambda: len(_queued_texts(apis["comms"], event["id"])) == 2)
    tablet = open_page(f"/tablet?event={event['id']}", user="clinician", width=1024, height=1366)
    console = open_page(f"/console?event={event['id']}", user="comms")

    # The clinician may relabel; hiding and muting are for comms, so they are not offered here.
    card = tablet.locator(".tb-question", has_text=MISSED)
    expect(card).to_have_attribute("data-label", "question")
    expect(tablet.locator(".tb-question").first).to_contain_text(MACHINE)
    expect(tablet.get_by_role("button", name="Hide…")).to_have_count(0)
    expect(tablet.get_by_role("button", name="Mute author…")).to_have_count(0)
    picker = card.get_by_label("Label of Uma R’s message")
    expect(picker).to_have_value("question")
    assert min(_heights(tablet.locator("#questions .mod-picker"))) >= 44
    expect(console.locator("#audience-emergency")).to_be_hidden()

    picker.select_option("emergency")
    status = tablet.locator("#q-status")
    expect(status).to_have_text("Uma R’s message is now labelled “Possible emergency”. Send the emergency reply now.")
    expect(status).to_have_attribute("data-tone", "good")
    first = tablet.locator(".tb-question").first
    expect(first).to_have_attribute("data-label", "emergency")
    expect(first).to_contain_text(MISSED)
    expect(first.get_by_role("button", name="Send emergency reply")).to_be_visible()

    # The console learns it over the live feed: the red banner with the message, the counts, the log.
    banner = console.locator("#audience-emergency")
    expect(banner).to_contain_text("POSSIBLE EMERGENCY FROM THE AUDIENCE (1)")
    expect(banner).to_contain_text(MISSED)
    expect(console.locator('#questions .qc.is-alert[data-label="emergency"] dd')).to_have_text("1")
    expect(console.locator('#moderation .mod-message[data-label="emergency"]')).to_contain_text(MISSED)
    expect(console.locator("#activity")).to_contain_text(
        "Dr. Dana Ortiz relabelled an audience message as emergency (was question)")
    screenshot(tablet, "tablet-relabelled-emergency")

    # Journaled with the text, for the evaluation sets.
    entries = apis["comms"].call("GET", f"/api/events/{event['id']}/journal?after=0&limit=1000")["entries"]
    relabel = [e for e in entries if e["kind"] == "message.relabeled"]
    assert len(relabel) == 1 and relabel[0]["actor_id"] == apis["clinician"].user["id"]
    assert {k: relabel[0]["payload"][k] for k in ("from", "to", "text")} == {
        "from": "question", "to": "emergency", "text": MISSED}

    # The one-tap reply clears it everywhere.
    first.get_by_role("button", name="Send emergency reply").click()
    expect(status).to_have_text("The emergency reply is on its way to 1 asker.")
    expect(banner).to_be_hidden()
    for page in (tablet, console):
        assert page.errors == []


def test_console_relabels_a_flagged_question_and_hides_spam(open_page: Callable[..., Any], apis: dict[str, Api],
                                                           server: LiveServer) -> None:
    event, anchor = live_event_with_post(apis, "Spam drill", CAPTION)
    audience_reply(server.url, anchor["id"], "promo_bot", "Promo Bot", SPAM)
    audience_reply(server.url, anchor["id"], "kai_l", "Kai L", FLAGGED)
    wait_for(lambda: _summary(apis["comms"], event["id"])["by_label"].get("spam") == 2)
    console = open_page(f"/console?event={event['id']}", user="comms")
    tablet = open_page(f"/tablet?event={event['id']}", user="clinician", width=1024, height=1366)
    panel = console.locator("#moderation")
    expect(panel.locator(".empty")).to_have_text("No questions are waiting for the clinicians.")
    panel.get_by_role("button", name=re.compile("^Spam")).click()
    expect(panel.get_by_role("button", name=re.compile("^Spam"))).to_have_attribute("aria-pressed", "true")
    spam = panel.locator(".mod-message", has_text=SPAM)
    flagged = panel.locator(".mod-message", has_text=FLAGGED)
    expect(flagged.locator(".mod-why")).to_contain_text("click bait")
    expect(spam).to_contain_text("@promo_bot · Sandbox")

    # A refusal is shown in the server's own words, and the picker goes back to the label the message has.
    def refuse(route: Any) -> None:
        route.fulfill(status=409, content_type="application/json", body=json.dumps(
            {"error": "Conflict", "detail": "this message was changed meanwhile", "field": "label"}))

    console.route("**/api/messages/*/relabel", refuse)
    picker = flagged.get_by_label("Label of Kai L’s message")
    picker.select_option("question")
    status = console.locator("#q-status")
    expect(status).to_have_text("Could not change the label: this message was changed meanwhile (field “label”).")
    expect(status).to_have_attribute("data-tone", "error")
    expect(picker).to_have_value("spam")
    console.unroute("**/api/messages/*/relabel")

    # Relabelled as a question, it joins the clinicians' queue on the tablet.
    picker.select_option("question")
    expect(status).to_have_text("Kai L’s message is now labelled “Question”. It joins the clinicians’ queue.")
    expect(flagged).to_have_count(0)
    expect(tablet.locator(".tb-question", has_text=FLAGGED)).to_be_visible(timeout=30_000)

    # Hiding asks first; cancelling leaves the message alone.
    spam.get_by_role("button", name="Hide…").click()
    dialog = console.get_by_role("dialog", name="Hide this message?")
    expect(dialog).to_contain_text(SPAM)
    expect(dialog).to_contain_text("Promo Bot (@promo_bot) · Sandbox")
    screenshot(console, "console-hide-confirm")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    expect(spam).to_be_visible()
    assert _summary(apis["comms"], event["id"])["by_label"].get("spam") == 1
    spam.get_by_role("button", name="Hide…").click()
    dialog.get_by_role("button", name="Hide message").click()
    expect(status).to_have_text("Hidden: Promo Bot’s message left the queue.")
    expect(spam).to_have_count(0)
    expect(panel.locator(".empty")).to_have_text("Nothing was sorted as spam.")
    expect(console.locator('#questions .qc[data-label="spam"] dd')).to_have_text("0")
    expect(console.locator("#activity")).to_contain_text("Casey Comms hid an audience message")
    assert _summary(apis["comms"], event["id"])["by_label"].get("spam", 0) == 0
    for page in (console, tablet):
        assert page.errors == []


def test_muted_author_stays_out_of_the_queue(open_page: Callable[..., Any], apis: dict[str, Api],
                                             server: LiveServer) -> None:
    event, anchor = live_event_with_post(apis, "Mute drill", CAPTION)
    audience_reply(server.url, anchor["id"], "troll_99", "Tro Ll", "You are all idiots and frauds")
    audience_reply(server.url, anchor["id"], "troll_99", "Tro Ll", "Who pays for this whole show anyway?")
    wait_for(lambda: _summary(apis["comms"], event["id"])["by_label"].get("abuse") == 1
             and _summary(apis["comms"], event["id"])["open_groups"] == 1)
    console = open_page(f"/console?event={event['id']}", user="comms")
    tablet = open_page(f"/tablet?event={event['id']}", user="comms", width=1024, height=1366)
    expect(tablet.locator(".tb-question", has_text="Who pays")).to_be_visible()
    # Comms on the tablet gets Hide and Mute, as large touch targets.
    assert min(_heights(tablet.locator("#questions .mod-row .btn, #questions .mod-picker"))) >= 44

    panel = console.locator("#moderation")
    panel.get_by_role("button", name=re.compile("^Abuse")).click()
    message = panel.locator(".mod-message", has_text="idiots")
    message.get_by_role("button", name="Mute author…").click()
    dialog = console.get_by_role("dialog", name="Mute @troll_99 on Sandbox?")
    expect(dialog).to_contain_text("Everything @troll_99 sends on Sandbox during this event is kept for the record")
    expect(dialog).to_contain_text("Their messages waiting now leave the queue too (2 on this page).")
    screenshot(console, "console-mute-confirm")
    dialog.get_by_role("button", name="Mute author").click()
    expect(console.locator("#q-status")).to_have_text(
        "Muted @troll_99 on Sandbox: 2 messages left the queue; their next messages stay out of it.")
    expect(message).to_have_count(0)
    expect(tablet.locator(".tb-question", has_text="Who pays")).to_have_count(0)
    expect(console.locator("#activity")).to_contain_text("Casey Comms muted @troll_99 on Sandbox")

    # Their next message is stored but never queued; someone else's, sent after it, is.
    audience_reply(server.url, anchor["id"], "troll_99", "Tro Ll", "How much is the surgeon paid for this?")
    audience_reply(server.url, anchor["id"], "nia_o", "Nia O", MACHINE)
    expect(tablet.locator(".tb-question", has_text=MACHINE)).to_be_visible(timeout=30_000)
    panel.get_by_role("button", name=re.compile("^Queue")).click()
    expect(panel.locator(".mod-message", has_text=MACHINE)).to_be_visible()
    expect(panel.locator(".mod-message", has_text="surgeon paid")).to_have_count(0)
    expect(tablet.locator(".tb-question", has_text="surgeon paid")).to_have_count(0)
    assert _queued_texts(apis["comms"], event["id"]) == [MACHINE]
    for page in (console, tablet):
        assert page.errors == []


def test_assign_a_question(open_page: Callable[..., Any], apis: dict[str, Api], server: LiveServer) -> None:
    event, anchor = live_event_with_post(apis, "Assign drill", CAPTION)
    audience_reply(server.url, anchor["id"], "ola_f", "Ola F", MACHINE)
    group = wait_for(lambda: apis["comms"].call("GET", f"/api/events/{event['id']}/questions"))[0]
    nurse = new_user(apis["admin"], "charge.nurse", "Charge Nurse Ivy", ["comms", "clinical"])
    nurse_api = Api(server, "charge.nurse")
    nurse_api.call("POST", "/api/auth/policy-ack")
    nurse_api.close()
    # A clinician who has done nothing in this event yet: the directory lists them all the same.
    newcomer = new_user(apis["admin"], "dr.sam.lee", "Dr. Sam Lee", ["clinical"])
    console = open_page(f"/console?event={event['id']}", user="comms")
    tablet = open_page(f"/tablet?event={event['id']}", user="clinician", width=1024, height=1366)

    # Comms (no admin) picks from every active clinician, by display name; "Unassigned" comes first.
    row = console.locator(f'#moderation .mod-group[data-group-id="{group["id"]}"]')
    picker = row.get_by_label("Assigned to")
    expect(picker).to_be_enabled()
    expect(picker).to_have_value("")
    options = picker.locator("option")
    expect(options.first).to_have_text("Unassigned")
    for name in ("Dr. Dana Ortiz", "Charge Nurse Ivy", "Dr. Sam Lee"):
        expect(picker.locator("option", has_text=name)).to_have_count(1)
    texts = options.all_text_contents()
    assert not {"clinician", "charge.nurse", "dr.sam.lee", "Casey Comms", "Avery Admin"} & set(texts), texts
    expect(console.locator("#moderation .hint")).to_have_count(0)
    picker.select_option(label="Dr. Dana Ortiz")
    status = console.locator("#q-status")
    expect(status).to_have_text("Assigned to Dr. Dana Ortiz: it is marked for them on their tablet.")
    expect(console.locator("#activity")).to_contain_text("Casey Comms assigned a question to Dr. Dana Ortiz")

    # The clinician sees it is theirs; assigning is not theirs to do.
    card = tablet.locator(f'.tb-question[data-group-id="{group["id"]}"]')
    expect(card.locator(".pill-assigned")).to_have_text("Assigned to you")
    expect(card).to_have_class(re.compile("is-assigned"))
    expect(card.get_by_role("button", name="Assign to me")).to_have_count(0)
    expect(card.get_by_label("Assigned to")).to_have_count(0)

    # A charge nurse with both roles takes it over from the tablet; everyone sees her name, never a login.
    nurse_tablet = open_page(f"/tablet?event={event['id']}", user="charge.nurse", width=1024, height=1366)
    nurse_card = nurse_tablet.locator(f'.tb-question[data-group-id="{group["id"]}"]')
    expect(nurse_card.locator(".pill-assigned")).to_have_text("Assigned to Dr. Dana Ortiz")
    nurse_picker = nurse_card.get_by_label("Assigned to")
    expect(nurse_picker).to_have_value(str(apis["clinician"].user["id"]))
    expect(nurse_picker.locator("option", has_text="Dr. Sam Lee")).to_have_count(1)
    take = nurse_card.get_by_role("button", name="Assign to me")
    for control in (take, nurse_picker):
        expect(control).to_be_visible()  # the queue may be re-rendering just now
        assert laid_out_box(control)["height"] >= 44
    take.click()
    expect(nurse_tablet.locator("#q-status")).to_have_text("Assigned to you.")
    expect(nurse_card.locator(".pill-assigned")).to_have_text("Assigned to you")
    expect(card.locator(".pill-assigned")).to_have_text("Assigned to Charge Nurse Ivy")
    expect(picker).to_have_value(str(nurse["id"]))
    listed = apis["comms"].call("GET", f"/api/events/{event['id']}/questions")[0]
    assert (listed["assigned_to"], listed["assigned_to_name"]) == (nurse["id"], "Charge Nurse Ivy")

    # Comms unassigns it from the console: nobody is marked for it any more, and the log says so.
    picker.select_option(label="Unassigned")
    expect(status).to_have_text("Unassigned: the question is no longer marked for Charge Nurse Ivy.")
    expect(status).to_have_attribute("data-tone", "good")
    expect(picker).to_have_value("")
    expect(console.locator("#activity")).to_contain_text("Casey Comms unassigned a question (was Charge Nurse Ivy)")
    for page_card in (card, nurse_card):
        expect(page_card.locator(".pill-assigned")).to_have_count(0)
    expect(nurse_picker).to_have_value("")
    screenshot(console, "console-unassigned")
    listed = apis["comms"].call("GET", f"/api/events/{event['id']}/questions")[0]
    assert (listed["assigned_to"], listed["assigned_to_name"]) == (None, None)
    entries = apis["comms"].call("GET", f"/api/events/{event['id']}/journal?after=0&limit=1000")["entries"]
    assert [e["payload"] for e in entries if e["kind"] == "question.unassigned"] == [
        {"from": "charge.nurse", "from_name": "Charge Nurse Ivy"}]

    # From the tablet, comms can assign to anyone on the list, a newcomer included.
    nurse_picker.select_option(label="Dr. Sam Lee")
    expect(nurse_tablet.locator("#q-status")).to_have_text(
        "Assigned to Dr. Sam Lee: it is marked for them on their tablet.")
    expect(card.locator(".pill-assigned")).to_have_text("Assigned to Dr. Sam Lee")
    expect(picker).to_have_value(str(newcomer["id"]))
    screenshot(nurse_tablet, "tablet-assign-picker")
    for page in (console, tablet, nurse_tablet):
        assert page.errors == []


def test_markup_stays_inert_in_moderation_controls(open_page: Callable[..., Any], apis: dict[str, Api],
                                                   server: LiveServer) -> None:
    event, anchor = live_event_with_post(apis, "Inert moderation", CAPTION)
    question = f"How long does the operation take? {IMG} {SCRIPT}"
    audience_reply(server.url, anchor["id"], "mallory", IMG, question)
    wait_for(lambda: _queued_texts(apis["comms"], event["id"]) == [question])
    console = open_page(f"/console?event={event['id']}", user="comms")
    tablet = open_page(f"/tablet?event={event['id']}", user="comms", width=1024, height=1366)

    message = console.locator("#moderation .mod-message", has_text=question)
    expect(message.locator(".mod-who strong")).to_have_text(IMG)
    expect(message.get_by_label(f"Label of {IMG}’s message")).to_have_value("question")
    expect(tablet.get_by_label(f"Label of {IMG}’s message")).to_have_value("question")
    message.get_by_role("button", name="Hide…").click()
    dialog = console.get_by_role("dialog", name="Hide this message?")
    expect(dialog.locator(".mod-quote-text")).to_have_text(question)
    expect(dialog.locator(".mod-quote-who")).to_contain_text(f"{IMG} (@mallory)")
    dialog.get_by_role("button", name="Cancel").click()
    tablet.locator(".tb-question", has_text="How long does the operation take").get_by_role(
        "button", name="Mute author…").click()
    muting = tablet.get_by_role("dialog", name="Mute @mallory on Sandbox?")
    expect(muting.locator(".mod-quote-text")).to_have_text(question)
    expect(muting.locator(".mod-quote-who")).to_contain_text(IMG)
    muting.get_by_role("button", name="Cancel").click()
    expect(muting).to_have_count(0)
    for page in (console, tablet):
        page.wait_for_timeout(300)  # let any injected handler fire, were there one
        assert page.evaluate(NOT_INJECTED), page.url
        assert page.errors == []
