"""Logging in lands each role on its page; pages without a session send the browser to the login page."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.ui.harness import PASSWORD, Api, create_event, expect

pytestmark = pytest.mark.slow


def _log_in(page: Any, username: str, password: str = PASSWORD) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


@pytest.mark.parametrize(("username", "landing"), [("comms", "/console"), ("clinician", "/tablet"),
                                                   ("admin", "/console")])
def test_login_lands_by_role(open_page: Callable[..., Any], apis: dict[str, Api], username: str,
                             landing: str) -> None:
    create_event(apis["author"])
    page = open_page("/")
    expect(page).to_have_url(re.compile(r".*/login$"))
    _log_in(page, username)
    page.wait_for_url(f"**{landing}*")
    page.wait_for_selector("body[data-ready]")
    if username == "admin":
        expect(page.locator("#nav-links").get_by_role("link", name="Tablet")).to_be_visible()
    assert page.errors == []


def test_wrong_password_is_explained(open_page: Callable[..., Any]) -> None:
    page = open_page("/login")
    _log_in(page, "comms", "not-the-password")
    expect(page.get_by_role("alert")).to_contain_text("do not match")
    expect(page).to_have_url(re.compile(r".*/login$"))


def test_pages_without_a_session_go_to_login(open_page: Callable[..., Any]) -> None:
    page = open_page("/login")
    page.goto("/console")
    page.wait_for_url("**/login?next=%2Fconsole*")
    _log_in(page, "comms")
    page.wait_for_url("**/console*")
