"""Without the questions service (404), both staff pages say so calmly and everything else still works."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.ui.harness import Api, create_event, create_item, expect

pytestmark = pytest.mark.slow


def _no_questions(context: Any) -> None:
    context.route("**/api/events/*/questions**", lambda route: route.fulfill(
        status=404, content_type="application/json", body='{"error": "NotFound", "detail": "Not Found"}'))


def test_question_panels_degrade_gracefully(open_page: Callable[..., Any], apis: dict[str, Api]) -> None:
    event = create_event(apis["author"], title="No questions here")
    item = create_item(apis["author"], event["id"], key="hello", cue="Start", caption="Hello from the OR.")
    console = open_page(f"/console?event={event['id']}", user="comms", before=_no_questions)
    tablet = open_page(f"/tablet?event={event['id']}", user="clinician", before=_no_questions)
    expect(console.locator("#questions-unavailable")).to_have_text(
        "Incoming questions are not available yet on this server.")
    expect(tablet.locator("#questions-unavailable")).to_contain_text("not available yet")
    expect(console.locator(f'#timeline [data-item-id="{item["id"]}"]')).to_be_visible()
    expect(tablet.locator(f'#review [data-item-id="{item["id"]}"]')).to_be_visible()
    assert console.errors == [] and tablet.errors == []
