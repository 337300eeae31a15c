"""When the live feed drops, both staff pages say so at once, and after reconnecting they catch up on
everything that happened meanwhile (the feed resumes from the last sequence number seen)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.ui.harness import Api, LiveServer, create_event, create_item, expect

pytestmark = pytest.mark.slow


def test_disconnect_banner_and_catch_up(open_page: Callable[..., Any], apis: dict[str, Api],
                                        server: LiveServer) -> None:
    event = create_event(apis["author"], title="Reconnect drill")
    create_item(apis["author"], event["id"], key="opening", cue="Start", caption="Good morning from the OR.")
    console = open_page(f"/console?event={event['id']}", user="comms")
    tablet = open_page(f"/tablet?event={event['id']}", user="clinician")
    sockets: list[str] = []
    console.on("websocket", lambda ws: sockets.append(ws.url))
    for page in (console, tablet):
        expect(page.locator("body")).to_have_attribute("data-feed", "live")
        expect(page.locator("#offline-banner")).to_be_hidden()

    server.stop()
    for page in (console, tablet):
        expect(page.locator("#offline-banner")).to_be_visible()
        expect(page.locator("#offline-banner")).to_contain_text("Live updates disconnected")
        expect(page.locator("#conn")).to_have_text("Reconnecting…")

    server.start()  # same port, same database
    late = create_item(apis["author"], event["id"], key="while-away", cue="Later",
                       caption="Written while the pages were reconnecting.")
    expect(console.locator(f'#timeline [data-item-id="{late["id"]}"]')).to_be_visible(timeout=30_000)
    expect(tablet.locator(f'#review [data-item-id="{late["id"]}"]')).to_be_visible(timeout=30_000)
    for page in (console, tablet):
        expect(page.locator("#offline-banner")).to_be_hidden()
        expect(page.locator("body")).to_have_attribute("data-feed", "live")
    resumed = [int(m.group(1)) for url in sockets if (m := re.search(r"[?&]after=(\d+)", url))]
    assert resumed and min(resumed) > 0, sockets
    assert console.errors == [] and tablet.errors == []


@pytest.mark.parametrize(("code", "state", "says"), [
    (4403, "refused", "may not receive live changes"),
    (4401, "signed-out", "Your session has ended"),
])
def test_a_refused_or_signed_out_feed_stops_retrying(open_page: Callable[..., Any], apis: dict[str, Api],
                                                    code: int, state: str, says: str) -> None:
    event = create_event(apis["author"], title=f"Refused feed {code}")
    attempts: list[str] = []

    def refuse(context: Any) -> None:
        def close(ws: Any) -> None:
            attempts.append(ws.url)
            ws.close(code=code, reason="refused")

        context.route_web_socket(re.compile(r"/api/ws\?"), close)

    console = open_page(f"/console?event={event['id']}", user="comms", before=refuse)
    expect(console.locator("body")).to_have_attribute("data-feed", state)
    expect(console.locator("#offline-banner")).to_contain_text(says)
    expect(console.locator("#offline-banner a")).to_have_attribute("href", "/login")
    console.wait_for_timeout(2500)  # longer than the first reconnect back-off
    assert len(attempts) == 1, attempts
    assert console.errors == []
