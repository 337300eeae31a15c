"""Helpers for the question-queue browser tests: a live event with a post on the sandbox, audience replies."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from typing import Any

import httpx

from tests.ui.harness import PASSWORD, Api, add_consent, approve, create_event, create_item

EMERGENCY_REPLY = ("If you need urgent help, call 911 or go to the nearest emergency department now. "
                   "We cannot give medical help here.")
REDIRECT_REPLY = "We can't discuss anyone's own care in public. Please contact our patient relations office."
_accounts = itertools.count(1)


def wait_for(check: Callable[[], Any], timeout: float = 30.0) -> Any:
    """Poll `check` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.25)


def approved_item(apis: dict[str, Api], event_id: int, **body: Any) -> dict[str, Any]:
    item = create_item(apis["author"], event_id, **body)
    approve(apis["comms"], item)
    approve(apis["clinician"], item)
    return item


def live_event_with_post(apis: dict[str, Api], title: str, caption: str,
                         extra: list[dict[str, Any]] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """A live event whose first post is on the sandbox (with approved extra items, e.g. template replies).

    Each event posts from a sandbox account of its own: a live event takes in every audience reply to its
    account's posts, so events sharing an account would see each other's questions.
    """
    author, comms = apis["author"], apis["comms"]
    account = f"ward{next(_accounts)}"
    event = create_event(author, title=title, platforms=[{"platform": "sandbox", "account": account}])
    add_consent(author, event["id"])
    first = approved_item(apis, event["id"], key="opening", cue="Go", caption=caption)
    for body in extra or []:
        approved_item(apis, event["id"], **body)
    comms.call("POST", f"/api/events/{event['id']}/live/go", json={})
    comms.call("POST", f"/api/items/{first['id']}/post-now", json={})

    def on_sandbox() -> dict[str, Any] | None:
        posts = comms.call("GET", "/api/sandbox/feed")["posts"]
        return next((p for p in posts if p["text"] == caption and p["author"]["handle"] == account), None)

    return event, wait_for(on_sandbox)


def audience_reply(server_url: str, post_id: int, handle: str, name: str, text: str) -> dict[str, Any]:
    """An audience member replies on the sandbox (no account, like the real thing)."""
    response = httpx.post(f"{server_url}/api/sandbox/replies", json={
        "in_reply_to": post_id, "handle": handle, "display_name": name, "text": text})
    assert response.status_code == 201, response.text
    reply: dict[str, Any] = response.json()
    return reply


def sandbox_replies(api: Api, post_id: int) -> list[dict[str, Any]]:
    post = next(p for p in api.call("GET", "/api/sandbox/feed")["posts"] if p["id"] == post_id)
    replies: list[dict[str, Any]] = post["replies"]
    return replies


def new_user(admin: Api, username: str, display_name: str, roles: list[str]) -> dict[str, Any]:
    """An account made through the admin API (so it has not read the sharing policy yet)."""
    user: dict[str, Any] = admin.call("POST", "/api/users", json={
        "username": username, "display_name": display_name, "password": PASSWORD, "roles": roles})
    return user
