"""Per-platform previews of run-of-show items (not only the composer): each enabled platform's card shows the
image (blurred where that platform hides sensitive media), the time line, the content warning the way that
platform carries it, and the item's place in the thread; the platform's own text override is the one shown."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.ui.conftest import screenshot
from tests.ui.harness import Api, create_event, create_item, expect, upload_image

pytestmark = pytest.mark.slow


def test_timeline_item_previews_per_platform(open_page: Callable[..., Any], apis: dict[str, Api]) -> None:
    author = apis["author"]
    event = create_event(author, title="Preview drill", date_everything=True, content_warning_text="Surgical images",
                         platforms=[{"platform": "sandbox", "account": "previewer"},
                                    {"platform": "mastodon", "account": "stmarys"},
                                    {"platform": "bluesky", "account": "stmarys.example"}])
    create_item(author, event["id"], key="welcome", cue="Doors open", caption="Good morning from OR 3. #LiveOR")
    image = upload_image(author)
    create_item(author, event["id"], key="first-cut", offset="T+00:30", content_warning=True,
                caption="The first incision. #LiveOR", platform_text={"mastodon": "The first incision, on Mastodon."},
                media=[{"sha256": image["sha256"], "alt_text": "The surgeon's hands at the table.",
                        "mime_type": image["mime_type"], "size_bytes": image["size_bytes"],
                        "width": image["width"], "height": image["height"]}])
    console = open_page(f"/console?event={event['id']}", user="comms", height=900)
    row = console.locator("#timeline .tl-item", has_text="first-cut")
    row.get_by_role("button", name="Show details of “first-cut”").click()
    cards = row.locator(".tl-previews .preview")
    expect(cards).to_have_count(3)
    mastodon = row.locator('.preview[data-platform="mastodon"]')
    expect(mastodon).to_contain_text("CW: Surgical images")
    expect(mastodon.locator(".preview-text")).to_contain_text("The first incision, on Mastodon.")
    expect(mastodon.locator(".pv-media.is-sensitive img")).to_have_attribute("alt", "The surgeon's hands at the table.")
    bluesky = row.locator('.preview[data-platform="bluesky"]')
    expect(bluesky.locator(".preview-text")).to_contain_text("Content warning: Surgical images")
    expect(bluesky.locator(".preview-text")).to_contain_text("The first incision. #LiveOR")
    sandbox = row.locator('.preview[data-platform="sandbox"]')
    expect(sandbox).to_contain_text("readers click to see the post")
    for card in (mastodon, bluesky, sandbox):
        expect(card.locator(".pv-thread")).to_have_text("In the event thread, replying to “Doors open”")
        expect(card.locator(".preview-text")).to_contain_text(re.compile(r"\d{1,2}:\d{2}"))  # the time line
    first = console.locator("#timeline .tl-item", has_text="welcome")
    first.get_by_role("button", name="Show details of “welcome”").click()
    expect(first.locator(".pv-thread").first).to_have_text("The first post of the event thread")
    screenshot(console, "previews-timeline-items")
    assert console.errors == []
