"""Approval and rejection are announced to the item's author wherever they work: the operator who wrote a post
on the console, and the clinician who wrote a new answer on the tablet (clinicians author too)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.ui.conftest import screenshot
from tests.ui.harness import Api, LiveServer, approve, create_event, create_item, expect
from tests.ui.questions_kit import audience_reply, live_event_with_post, wait_for

pytestmark = pytest.mark.slow


def test_console_author_told_of_approval_and_rejection(open_page: Callable[..., Any], apis: dict[str, Api]) -> None:
    event = create_event(apis["author"], title="Author drill")
    kept = create_item(apis["author"], event["id"], key="team-photo", cue="Team photo", caption="The team. #LiveOR")
    dropped = create_item(apis["author"], event["id"], key="too-early", offset="T+00:10",
                          caption="Too early to say. #LiveOR")
    console = open_page(f"/console?event={event['id']}", user="author", height=900)
    approve(apis["comms"], kept)
    approve(apis["clinician"], kept)
    expect(console.locator("#toasts .toast", has_text="“Team photo” is approved")).to_contain_text("Dr. Dana Ortiz")
    apis["comms"].call("POST", f"/api/items/{dropped['id']}/reject",
                       json={"version": dropped["version"], "note": "Wait until the first incision."})
    rejected = console.locator('#toasts .toast[data-tone="danger"]')
    expect(rejected).to_contain_text("Casey Comms rejected “Too early”: “Wait until the first incision.”")
    screenshot(console, "author-told-console")
    assert console.errors == []


def test_tablet_author_told_when_their_answer_is_rejected(open_page: Callable[..., Any], apis: dict[str, Api],
                                                         server: LiveServer) -> None:
    event, anchor = live_event_with_post(apis, "Answer author drill", "Ask us anything below. #LiveOR")
    asked = "Why is the room kept so cold?"
    audience_reply(server.url, anchor["id"], "ida_q", "Ida Q", asked)
    group = wait_for(lambda: apis["comms"].call("GET", f"/api/events/{event['id']}/questions"))[0]
    tablet = open_page(f"/tablet?event={event['id']}", user="clinician", width=1024, height=768, touch=True)
    drafted = apis["clinician"].call("POST", f"/api/question-groups/{group['id']}/answer",
                                     json={"caption": "It keeps the risk of infection low.", "mode": "reply_each"})
    item_id = drafted.get("item_id") or drafted.get("answer_item_id") or group["id"]
    item = next(i for i in apis["comms"].call("GET", f"/api/events/{event['id']}/items")
                if i["kind"] == "reply" and (i["id"] == item_id or i.get("question") == asked))
    apis["comms"].call("POST", f"/api/items/{item['id']}/reject",
                       json={"version": item["version"], "note": "Say it more simply, please."})
    toast = tablet.locator('#toasts .toast[data-tone="danger"]')
    expect(toast).to_contain_text(f"Casey Comms rejected Your answer to “{asked}”: “Say it more simply, please.”")
    screenshot(tablet, "author-told-tablet-1024x768")
    assert tablet.errors == []
