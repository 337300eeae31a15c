"""axe-core (vendored in tests/ui/vendor/, never served) reports no violation on any page state: login, the console
before, during and after the live run (with its composer, dialogs and shortcut help open, light and dark), the
tablet in both orientations with a question being answered (and dark), the console's item previews, the setup page
(after a test post, dark, and at the iPad's width) and the sandbox feed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.ui.conftest import screenshot
from tests.ui.harness import Api, LiveServer, create_item, expect
from tests.ui.questions_kit import audience_reply, live_event_with_post, wait_for

pytestmark = pytest.mark.slow

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
RUN_AXE = """async () => {
  const result = await window.axe.run(document, { resultTypes: ['violations'] });
  return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 4).map((n) => `${n.target.join(' ')} :: ${n.failureSummary}`) }));
}"""


def _with_axe(context: Any) -> None:
    context.add_init_script(path=str(AXE))  # injected by the browser, not subject to the page's CSP


def _clean(page: Any, state: str) -> None:
    page.wait_for_timeout(300)
    violations = page.evaluate(RUN_AXE)
    assert violations == [], f"{state}: {violations}"


def test_no_violations_on_any_page_state(open_page: Callable[..., Any], apis: dict[str, Api],
                                         server: LiveServer) -> None:
    login = open_page("/login", before=_with_axe)
    _clean(login, "login")
    event, anchor = live_event_with_post(apis, "Accessible drill", "Ask us anything below. #LiveOR", extra=[
        {"kind": "answer", "key": "bank-duration", "question": "How long does it take?",
         "caption": "Usually between three and six hours."}])
    create_item(apis["author"], event["id"], key="waiting-step", cue="Later", caption="A later step. #LiveOR")
    audience_reply(server.url, anchor["id"], "lee_w", "Lee W", "How long does it take usually?")
    wait_for(lambda: len(apis["comms"].call("GET", f"/api/events/{event['id']}/questions")) == 1)

    console = open_page(f"/console?event={event['id']}", user="comms", height=900, before=_with_axe)
    expect(console.locator("#event-state")).to_have_text("Live")
    _clean(console, "console live")
    console.locator("#controls").get_by_role("button", name="New post…").click()
    console.locator("#c-caption").fill("An ad-hoc update for the audience. #LiveOR")
    _clean(console, "console composer")
    console.locator("#help-btn").click()
    _clean(console, "console shortcuts help")
    console.keyboard.press("Escape")
    console.locator("#emergency-hold").click()
    _clean(console, "console emergency dialog")
    console.keyboard.press("Escape")
    console.locator("#theme-toggle").click()
    expect(console.locator("html")).to_have_attribute("data-theme", "dark")
    _clean(console, "console dark")
    screenshot(console, "a11y-console-dark")
    console.locator("#theme-toggle").click()
    later = console.locator("#timeline .tl-item", has_text="waiting-step")
    later.get_by_role("button", name="Show details of “waiting-step”").click()
    expect(later.locator(".tl-previews .preview").first).to_be_visible()
    _clean(console, "console item previews")
    screenshot(console, "a11y-console-previews")

    for width, height in ((1024, 768), (768, 1024)):
        tablet = open_page(f"/tablet?event={event['id']}", user="clinician", width=width, height=height,
                           before=_with_axe)
        expect(tablet.locator(".tb-question")).to_have_count(1)
        _clean(tablet, f"tablet {width}x{height}")
    tablet.locator(".tb-question").get_by_role("button", name="Claim to answer").click()
    expect(tablet.locator(".tb-answer")).to_be_visible()
    _clean(tablet, "tablet answering")
    _dark(tablet, "tablet dark 768x1024")

    setup = open_page(f"/setup?event={event['id']}", user="comms", before=_with_axe)
    _clean(setup, "setup")
    setup.get_by_role("button", name="Test post for Sandbox").click()
    expect(setup.locator(".tap-feedback").first).to_be_visible()
    _clean(setup, "setup after a test post")
    _dark(setup, "setup dark")
    small = open_page(f"/setup?event={event['id']}", user="comms", width=768, height=1024, before=_with_axe)
    _clean(small, "setup 768x1024")
    sandbox = open_page("/sandbox", before=_with_axe)
    _clean(sandbox, "sandbox")

    apis["comms"].call("POST", f"/api/events/{event['id']}/live/end")
    expect(console.locator("#event-state")).to_have_text("Ended")
    _clean(console, "console ended")
    expect(tablet.locator("#event-state")).to_have_text("Ended")
    _clean(tablet, "tablet ended")


def _dark(page: Any, state: str) -> None:
    """The same state in the dark theme (for a dim OR), checked and kept as a screenshot."""
    page.locator("#theme-toggle").click()
    if page.locator("html").get_attribute("data-theme") != "dark":
        page.locator("#theme-toggle").click()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    _clean(page, state)
    screenshot(page, f"a11y-{state.replace(' ', '-')}")


def test_api_docs_from_local_files(open_page: Callable[..., Any]) -> None:
    """/docs (Swagger UI) and /redoc (ReDoc) render with no request leaving this server."""
    outside: list[str] = []

    def watch(context: Any) -> None:
        def seen(request: Any) -> None:
            if not request.url.startswith(("http://127.0.0.1", "data:", "blob:")):
                outside.append(request.url)

        context.on("request", seen)

    for path, ready in (("/docs", ".swagger-ui .info .title"), ("/redoc", "h1")):
        page = _docs_page(open_page, path, watch)
        expect(page.locator(ready).first).to_contain_text("Livecue", timeout=30_000)
        screenshot(page, f"api{path.replace('/', '-')}")
        assert page.errors == []
    assert outside == []


def _docs_page(open_page: Callable[..., Any], path: str, watch: Callable[[Any], None]) -> Any:
    # The docs pages set no data-ready: open them through the fixture's context, then navigate.
    page = open_page("/login", before=watch)
    page.goto(path)
    return page
