"""The sharing policy on first login: a modal with the policy for the user's role on the console and the tablet,
closed only by "I have read this" (recorded once), never shown again after that, and reachable from "Policy"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.ui.conftest import screenshot
from tests.ui.harness import Api, LiveServer, create_event, expect
from tests.ui.questions_kit import new_user

pytestmark = pytest.mark.slow


def test_policy_modal_on_first_login_only(open_page: Callable[..., Any], apis: dict[str, Api],
                                          server: LiveServer) -> None:
    event = create_event(apis["author"], title="Policy drill")
    new_user(apis["admin"], "nurse.new", "Nurse New", ["clinical"])
    tablet = open_page(f"/tablet?event={event['id']}", user="nurse.new", width=1024, height=1366)

    dialog = tablet.get_by_role("dialog", name="What you may share: Policy drill")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Before you start")
    expect(dialog.get_by_role("heading", name="You must never")).to_be_visible()
    expect(dialog.get_by_role("heading", name="Answering from the tablet")).to_be_visible()  # the clinical page
    expect(dialog.get_by_role("button", name="Close")).to_have_count(0)
    screenshot(tablet, "tablet-policy")
    tablet.keyboard.press("Escape")  # not dismissed without reading
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="I have read this").click()
    expect(dialog).to_have_count(0)
    me = Api(server, "nurse.new")
    assert me.call("GET", "/api/auth/me")["policy_ack_at"] is not None
    me.close()

    # Not shown again, on this page or the other; still reachable from the header.
    tablet.reload()
    tablet.wait_for_selector("body[data-ready]")
    tablet.wait_for_timeout(500)
    expect(tablet.get_by_role("dialog")).to_have_count(0)
    tablet.get_by_role("button", name="Policy").click()
    again = tablet.get_by_role("dialog", name="What you may share: Policy drill")
    expect(again.get_by_role("button", name="I have read this")).to_have_count(0)
    again.get_by_role("button", name="Close").click()
    expect(again).to_have_count(0)
    assert tablet.errors == []


def test_console_shows_the_comms_policy(open_page: Callable[..., Any], apis: dict[str, Api]) -> None:
    event = create_event(apis["author"], title="Policy for comms")
    new_user(apis["admin"], "comms.new", "Comms New", ["comms"])
    console = open_page(f"/console?event={event['id']}", user="comms.new")
    dialog = console.get_by_role("dialog", name="What you may share: Policy for comms")
    expect(dialog.get_by_role("heading", name="Running the console")).to_be_visible()
    expect(dialog).to_contain_text("The patient denylist is NOT set")
    screenshot(console, "console-policy")
    dialog.get_by_role("button", name="I have read this").click()
    expect(dialog).to_have_count(0)
    console.reload()
    console.wait_for_selector("body[data-ready]")
    console.wait_for_timeout(500)
    expect(console.get_by_role("dialog")).to_have_count(0)

    # Someone who has read it already (every seeded user) never sees the modal.
    seasoned = open_page(f"/console?event={event['id']}", user="comms")
    seasoned.wait_for_timeout(500)
    expect(seasoned.get_by_role("dialog")).to_have_count(0)
    assert console.errors == [] and seasoned.errors == []
