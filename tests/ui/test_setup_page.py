"""The setup page: a change redraws only the section it changed, and never a form the user is typing in (the
identifiers typed while the consent's refresh is on its way stay); platform accounts offer a sandbox test post
and a reconnect."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.ui.conftest import screenshot
from tests.ui.harness import Api, create_event, expect

pytestmark = pytest.mark.slow


def test_typing_survives_another_sections_refresh(open_page: Callable[..., Any], apis: dict[str, Api]) -> None:
    event = create_event(apis["author"], title="Setup while typing")
    held: list[Any] = []
    holding = {"on": False}

    def hold_refresh(context: Any) -> None:
        # Once armed, the page's next read of the consents waits until the test lets it go: the refresh the
        # consent triggers lands while the identifiers are being typed (deterministic, no timing).
        def route(r: Any) -> None:
            if holding["on"] and r.request.method == "GET":
                holding["on"] = False
                held.append(r)
            else:
                r.continue_()

        context.route(re.compile(r".*/api/events/\d+/authorizations$"), route)

    setup = open_page(f"/setup?event={event['id']}", user="comms", before=hold_refresh)
    setup.get_by_label("Who signed").fill("Patient A, form 2026-114")
    setup.get_by_label("Short key").fill("patient-consent")
    setup.get_by_label("Signed on").fill(datetime.now(UTC).date().isoformat())
    holding["on"] = True
    setup.get_by_role("button", name="Record consent").click()
    expect(setup.locator("#su-status")).to_contain_text("Consent “patient-consent” recorded.")
    identifiers = setup.get_by_label(re.compile("identifiers \\(one per line\\)"))
    identifiers.fill("Jane Example\nMRN 4471")
    setup.wait_for_function("() => true")  # let the page run its handlers before the held read is released
    assert len(held) == 1
    held[0].continue_()
    expect(setup.locator("#consents tbody tr")).to_have_count(1)  # the consents section did redraw
    expect(identifiers).to_have_value("Jane Example\nMRN 4471")
    expect(identifiers).to_be_focused()
    setup.get_by_role("button", name="Set identifiers").click()
    expect(setup.locator("#denylist-state")).to_contain_text("2 identifier(s) set")
    expect(setup.locator("#dl-entries")).to_have_value("")
    assert setup.errors == []


def test_a_failed_change_keeps_what_was_typed(open_page: Callable[..., Any], apis: dict[str, Api]) -> None:
    event = create_event(apis["author"], title="Setup refusal")
    setup = open_page(f"/setup?event={event['id']}", user="comms")
    identifiers = setup.get_by_label(re.compile("identifiers \\(one per line\\)"))
    identifiers.fill("x" * 300)  # longer than an identifier may be: refused, naming the field
    setup.get_by_role("button", name="Set identifiers").click()
    expect(setup.locator("#su-status")).to_contain_text("Set the identifiers:")
    expect(identifiers).to_have_value("x" * 300)
    assert setup.errors == []


def test_platform_accounts_test_post_and_reconnect(open_page: Callable[..., Any], apis: dict[str, Api]) -> None:
    event = create_event(apis["author"], title="Setup platforms")
    setup = open_page(f"/setup?event={event['id']}", user="comms", height=900)
    account = setup.locator('#platforms [data-platform="sandbox"]')
    account.get_by_role("button", name="Test post for Sandbox").click()
    expect(account.locator('.tap-feedback[data-for="test-sandbox"]')).to_contain_text("on its way to the sandbox")
    expect(account).to_contain_text("Last test post reached the sandbox", timeout=20_000)
    deliveries = apis["comms"].call("GET", f"/api/events/{event['id']}/deliveries")
    assert [(d["purpose"], d["status"], d["item_id"]) for d in deliveries] == [("test", "posted", None)]
    account.get_by_role("button", name="Reconnect Sandbox").click()
    reconnected = account.locator('.tap-feedback[data-for="reconnect-sandbox"]')
    expect(reconnected).to_contain_text("The sandbox needs no account.")
    screenshot(setup, "setup-platform-accounts")
    kinds = [e["kind"] for e in apis["comms"].call("GET", f"/api/events/{event['id']}/journal")["entries"]]
    assert "platform.test_post" in kinds and "platform.reconnected" in kinds
    assert setup.errors == []


def test_withdraw_a_consent(open_page: Callable[..., Any], apis: dict[str, Api]) -> None:
    event = create_event(apis["author"], title="Setup withdrawal")
    apis["author"].call("POST", f"/api/events/{event['id']}/authorizations", json={
        "key": "patient-consent", "person": "Patient A (form on file)", "role": "patient",
        "covers": ["photos", "story"], "signed_on": datetime.now(UTC).date().isoformat()})
    setup = open_page(f"/setup?event={event['id']}", user="comms")
    row = setup.locator('#consents tr[data-key="patient-consent"]')
    expect(row).to_contain_text("photos, story")
    row.get_by_role("button", name="Withdraw…").click()
    dialog = setup.get_by_role("dialog")
    dialog.get_by_label("Reason (kept in the record)").fill("The family asked us to stop.")
    dialog.get_by_role("button", name="Record withdrawal").click()
    expect(row).to_contain_text("Withdrawn")
    expect(setup.locator('[data-check="consent"]')).to_contain_text("✗")
    assert setup.errors == []
