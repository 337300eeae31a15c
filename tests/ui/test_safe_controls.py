"""Controls that cannot misfire: every dangerous dialog has "Cancel" focused and Enter cancels it; resuming asks
first and says what resumes; a post under the emergency hold is refused on the page; a failed control stays on
screen with Retry (loud for the emergency hold), apart from the "could not refresh" line; status lines go once
they are no longer true; ending the event names every item that will never be posted."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.ui.conftest import screenshot
from tests.ui.harness import Api, add_consent, approve, create_event, create_item, expect

pytestmark = pytest.mark.slow


def _approved(apis: dict[str, Api], event_id: int, **body: Any) -> dict[str, Any]:
    item = create_item(apis["author"], event_id, **body)
    approve(apis["comms"], item)
    approve(apis["clinician"], item)
    return item


def _event(apis: dict[str, Api], title: str, **overrides: Any) -> dict[str, Any]:
    overrides.setdefault("safety_delay_seconds", 0)
    event = create_event(apis["author"], title=title, **overrides)
    add_consent(apis["author"], event["id"])
    return event


def _status(apis: dict[str, Api], event: dict[str, Any]) -> tuple[str, str | None]:
    live = apis["comms"].call("GET", f"/api/events/{event['id']}/live")
    return live["status"], live["hold_kind"]


def _item_status(apis: dict[str, Api], item: dict[str, Any]) -> str:
    status: str = apis["comms"].call("GET", f"/api/items/{item['id']}")["status"]
    return status


def _enter_cancels(page: Any) -> None:
    """The open dialog has "Cancel" focused, and Enter closes it without confirming."""
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    page.keyboard.press("Enter")
    expect(dialog).to_have_count(0)


def test_resume_asks_first_and_enter_cancels(open_page: Callable[..., Any], apis: dict[str, Api]) -> None:
    # Started two hours ago by the plan: the first step fell due long ago and waits; the second is automatic.
    event = _event(apis, "Resume drill", planned_start=(datetime.now(UTC) - timedelta(hours=2)).isoformat())
    _approved(apis, event["id"], key="fell-due", offset="T+00:30", caption="Step one is done. #LiveOR")
    _approved(apis, event["id"], key="later", offset="T+05:00", caption="Step two, much later. #LiveOR")
    comms = apis["comms"]
    comms.call("POST", f"/api/events/{event['id']}/live/go", json={"clock": "planned"})
    comms.call("POST", f"/api/events/{event['id']}/live/emergency-hold", json={"post_holding_message": False})
    console = open_page(f"/console?event={event['id']}", user="comms")
    expect(console.locator("#event-state")).to_have_text("Emergency hold")

    resume = console.locator("#controls").get_by_role("button", name="Resume live posting")
    resume.click()
    dialog = console.get_by_role("dialog")
    expect(dialog).to_contain_text("End the emergency hold and resume live posting?")
    preview = comms.call("GET", f"/api/events/{event['id']}/live")["resume_preview"]
    if preview:  # the server's own lines, verbatim
        expect(dialog.locator(".resume-preview li")).to_have_text(preview)
    else:
        expect(dialog).to_contain_text("Automatic posting of the run of show resumes")
        expect(dialog.locator(".resume-waiting li")).to_have_count(1)
    expect(dialog).to_contain_text("fell-due")
    expect(dialog.locator(".resume-next")).to_contain_text("“later”")
    screenshot(console, "console-resume-dialog")
    _enter_cancels(console)
    console.wait_for_timeout(500)
    assert _status(apis, event) == ("held", "emergency")  # Enter did not resume

    resume.click()
    console.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    assert _status(apis, event) == ("held", "emergency")

    resume.click()
    dialog.get_by_role("button", name="Resume live posting").click()
    expect(console.locator("#event-state")).to_have_text("Live")
    assert _status(apis, event) == ("live", None)

    # The page's own account when the server gives no preview lines: hold again, answer without them.
    def no_preview(route: Any) -> None:
        response = route.fetch()
        body = response.json()
        body["resume_preview"] = []
        route.fulfill(response=response, json=body)

    console.route(f"**/api/events/{event['id']}/live", no_preview)
    comms.call("POST", f"/api/events/{event['id']}/live/hold")
    expect(console.locator("#event-state")).to_have_text("On hold")
    resume.click()
    expect(dialog).to_contain_text("Resume live posting?")
    expect(dialog).to_contain_text("Automatic posting of the run of show resumes")
    expect(dialog.locator(".resume-waiting li")).to_have_count(1)
    expect(dialog.locator(".resume-waiting li")).to_contain_text("fell-due")
    _enter_cancels(console)
    assert _status(apis, event) == ("held", "hold")
    assert console.errors == []


def test_dangerous_dialogs_focus_cancel(open_page: Callable[..., Any], apis: dict[str, Api]) -> None:
    event = _event(apis, "Dialog drill")
    first = _approved(apis, event["id"], key="first", cue="Start", caption="We are starting. #LiveOR")
    second = _approved(apis, event["id"], key="second", cue="Next", caption="The next step. #LiveOR")
    _approved(apis, event["id"], kind="holding", key="holding", caption="We are pausing our updates.")
    console = open_page(f"/console?event={event['id']}", user="comms")

    console.locator("#controls").get_by_role("button", name="Go live").click()
    _enter_cancels(console)
    assert _status(apis, event)[0] == "draft"
    console.locator("#controls").get_by_role("button", name="Go live").click()
    console.get_by_role("dialog").get_by_role("button", name="Go live").click()
    expect(console.locator("#event-state")).to_have_text("Live")

    card = console.locator(f'#timeline [data-item-id="{second["id"]}"]')
    card.get_by_role("button", name="Skip").click()
    _enter_cancels(console)
    assert _item_status(apis, second) == "approved"

    # Emergency hold: Cancel focused; Enter on the checkbox does not submit either.
    console.locator("#emergency-hold").click()
    dialog = console.get_by_role("dialog")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    dialog.get_by_role("checkbox").focus()
    console.keyboard.press("Enter")
    console.wait_for_timeout(300)
    expect(dialog).to_be_visible()
    console.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    assert _status(apis, event) == ("live", None)

    # During an ordinary hold "Post now" still asks "Post anyway", with Cancel focused.
    console.locator("#controls").get_by_role("button", name="Hold", exact=True).click()
    expect(console.locator("#event-state")).to_have_text("On hold")
    card = console.locator(f'#timeline [data-item-id="{first["id"]}"]')
    card.get_by_role("button", name="Post now").click()
    expect(dialog).to_contain_text("Post anyway")
    _enter_cancels(console)
    console.get_by_role("button", name="Cue next: “first”").click()
    _enter_cancels(console)
    assert _item_status(apis, first) == "approved"

    console.locator("#controls").get_by_role("button", name="End event").click()
    _enter_cancels(console)
    assert _status(apis, event)[0] == "held"
    assert console.errors == []


def test_no_post_now_under_the_emergency_hold(open_page: Callable[..., Any], apis: dict[str, Api]) -> None:
    event = _event(apis, "Emergency posts drill")
    item = _approved(apis, event["id"], key="waiting", cue="Go", caption="Not while the hold is on. #LiveOR")
    comms = apis["comms"]
    comms.call("POST", f"/api/events/{event['id']}/live/go", json={})
    comms.call("POST", f"/api/events/{event['id']}/live/emergency-hold", json={"post_holding_message": False})
    console = open_page(f"/console?event={event['id']}", user="comms")
    card = console.locator(f'#timeline [data-item-id="{item["id"]}"]')
    post = card.get_by_role("button", name="Post now")
    expect(post).to_be_disabled()
    expect(post).to_have_attribute("title", "Nothing can be posted during the emergency hold except the holding "
                                            "message and emergency replies. Resume live posting first.")
    expect(card.locator(".tl-blocked")).to_have_text("Not until you resume")
    expect(console.get_by_role("button", name="Cue next: “waiting”")).to_be_disabled()
    expect(console.locator("#cue-blocked")).to_contain_text("wait until you resume")
    assert not console.get_by_text("Post anyway").count()

    # An ordinary hold: the button is back, behind the "Post anyway" confirmation.
    comms.call("POST", f"/api/events/{event['id']}/live/resume")
    comms.call("POST", f"/api/events/{event['id']}/live/hold")
    expect(console.locator("#event-state")).to_have_text("On hold")
    expect(post).to_be_enabled()
    expect(card.locator(".tl-blocked")).to_have_count(0)
    post.click()
    console.get_by_role("dialog").get_by_role("button", name="Post anyway").click()
    expect(card).to_have_attribute("data-status", "posted", timeout=20_000)
    assert console.errors == []


def test_failed_emergency_hold_stays_with_retry(open_page: Callable[..., Any], apis: dict[str, Api]) -> None:
    event = _event(apis, "Unreachable drill")
    item = _approved(apis, event["id"], key="opening", cue="Go", caption="Good morning. #LiveOR")
    apis["comms"].call("POST", f"/api/events/{event['id']}/live/go", json={})
    console = open_page(f"/console?event={event['id']}", user="comms")
    expect(console.locator("#event-state")).to_have_text("Live")

    console.route("**/api/**", lambda route: route.abort())  # the server cannot be reached
    console.locator("#emergency-hold").click()
    console.get_by_role("dialog").get_by_role("button", name="Stop everything now").click()
    failure = console.locator('#action-failures .failure[data-action="emergency"]')
    expect(failure).to_be_visible()
    expect(failure).to_have_class("failure is-loud")
    expect(failure).to_contain_text("EMERGENCY HOLD FAILED — nothing was stopped.")
    expect(failure).to_contain_text("The server cannot be reached")
    # Refreshes keep failing meanwhile (a journal entry asks for one): said on their own line, the failure stays.
    create_item(apis["author"], event["id"], key="meanwhile", cue="Later", caption="Written meanwhile.")
    expect(console.locator("#refresh-status")).to_contain_text("Could not refresh")
    console.wait_for_timeout(1500)
    expect(failure).to_be_visible()
    expect(failure).to_contain_text("EMERGENCY HOLD FAILED — nothing was stopped.")
    expect(console.locator("#event-state")).to_have_text("Live")
    assert _status(apis, event) == ("live", None)
    screenshot(console, "console-emergency-hold-failed")

    # A failed retry says so and stays; once the server is back, Retry does it.
    failure.get_by_role("button", name="Retry").click()
    expect(failure).to_contain_text("tried 2 times")
    console.unroute("**/api/**")
    failure.get_by_role("button", name="Retry").click()
    expect(failure).to_have_count(0)
    expect(console.locator("#event-state")).to_have_text("Emergency hold")
    expect(console.locator("#action-status")).to_have_text("Emergency hold is on. Everything automatic has stopped.")
    expect(console.locator("#refresh-status")).to_be_empty()
    assert _status(apis, event) == ("held", "emergency")

    # A quieter failure (post now) also stays until dismissed.
    apis["comms"].call("POST", f"/api/events/{event['id']}/live/resume")
    console.route("**/api/items/*/post-now", lambda route: route.abort())
    card = console.locator(f'#timeline [data-item-id="{item["id"]}"]')
    expect(card.get_by_role("button", name="Post now")).to_be_enabled()
    card.get_by_role("button", name="Post now").click()
    quiet = console.locator(f'#action-failures .failure[data-action="post-{item["id"]}"]')
    expect(quiet).to_contain_text("Post now failed — “opening” was not posted.")
    expect(quiet).not_to_have_class("failure is-loud")
    console.wait_for_timeout(800)
    expect(quiet).to_be_visible()
    quiet.get_by_role("button", name="Dismiss").click()
    expect(console.locator("#action-failures")).to_be_hidden()
    assert console.errors == []


def test_status_lines_expire_and_the_end_dialog_names_what_never_posts(open_page: Callable[..., Any],
                                                                      apis: dict[str, Api]) -> None:
    event = _event(apis, "End drill", safety_delay_seconds=3)
    welcome = _approved(apis, event["id"], key="welcome", cue="Doors open", caption="Welcome, everyone. #LiveOR")
    dropped = _approved(apis, event["id"], key="dropped", cue="Maybe", caption="This one is dropped.")
    closing = _approved(apis, event["id"], key="closing", cue="Wrap up", caption="That is all for today.")
    unapproved = create_item(apis["author"], event["id"], key="unapproved", offset="T+02:00", caption="Not ready.")
    apis["comms"].call("POST", f"/api/events/{event['id']}/live/go", json={})
    console = open_page(f"/console?event={event['id']}", user="comms")
    status = console.locator("#action-status")

    console.get_by_role("button", name="Cue next: “welcome”").click()
    expect(status).to_have_text("“welcome” is being posted.")
    card = console.locator(f'#timeline [data-item-id="{welcome["id"]}"]')
    expect(card).to_have_attribute("data-status", "posted", timeout=20_000)
    expect(status).to_be_empty()  # no longer true: it is posted

    skipped = console.locator(f'#timeline [data-item-id="{dropped["id"]}"]')
    skipped.get_by_role("button", name="Skip").click()
    console.get_by_role("dialog").get_by_role("button", name="Skip it").click()
    expect(skipped).to_have_attribute("data-status", "skipped")

    console.locator("#controls").get_by_role("button", name="End event").click()
    dialog = console.get_by_role("dialog")
    never = dialog.locator(".end-never li")
    expect(never).to_have_count(2)
    expect(never.nth(0)).to_contain_text("“closing” — on cue “Wrap up”")
    expect(never.nth(1)).to_contain_text("“unapproved”")
    expect(never.nth(1)).to_contain_text("not approved yet")
    expect(dialog).not_to_contain_text("welcome")
    expect(dialog).not_to_contain_text("dropped")
    screenshot(console, "console-end-dialog")
    _enter_cancels(console)
    assert _status(apis, event)[0] == "live"
    console.locator("#controls").get_by_role("button", name="End event").click()
    dialog.get_by_role("button", name="End event").click()
    expect(console.locator("#event-state")).to_have_text("Ended")
    assert _item_status(apis, closing) == "approved" and _item_status(apis, unapproved) == "draft"
    assert console.errors == []


def test_tablet_refresh_line_goes_after_a_good_refresh(open_page: Callable[..., Any], apis: dict[str, Api]) -> None:
    event = _event(apis, "Tablet refresh drill")
    tablet = open_page(f"/tablet?event={event['id']}", user="clinician")
    expect(tablet.locator("body")).to_have_attribute("data-feed", "live")
    tablet.route("**/api/**", lambda route: route.abort())
    create_item(apis["author"], event["id"], key="first", cue="One", caption="Written while unreachable.")
    status = tablet.locator("#tb-status")
    expect(status).to_contain_text("Could not refresh")
    tablet.unroute("**/api/**")
    late = create_item(apis["author"], event["id"], key="second", cue="Two", caption="Written once back.")
    expect(tablet.locator(f'#review [data-item-id="{late["id"]}"]')).to_be_visible()
    expect(status).to_be_empty()
    assert tablet.errors == []
