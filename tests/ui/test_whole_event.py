"""A whole event run only through the pages, on a server that requires the pre-flight checklist: after start-up
(users, and a run of show imported by the author) the test calls no API. Go live is refused with the checklist;
the setup page records the consent, sets the denylist, rehearses and resets; the console and the tablet approve;
the console goes live and cues; an audience member asks on the sandbox; the clinician answers with a bank
answer from the tablet; an ad-hoc post goes in as next; End makes everything read-only, with the reason.
Operator at 1440×900, clinician on an iPad in landscape and portrait; screenshots in test-artifacts/."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.ui.conftest import screenshot
from tests.ui.harness import Api, LiveServer, create_event, create_item, expect

pytestmark = pytest.mark.slow

BANK_QUESTION = "How long does the operation take?"
BANK_ANSWER = "A bypass operation usually takes between three and six hours."
ASKED = "How long does the operation take, roughly?"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """This module's server requires the pre-flight checklist (LIVECUE_PREFLIGHT_REQUIRED on)."""
    live = LiveServer(data_dir=tmp_path_factory.mktemp("ui-whole-event"), preflight=True).start()
    yield live
    live.stop()


def _start_up(apis: dict[str, Api]) -> dict[str, Any]:
    author = apis["author"]
    event = create_event(author, title="Bypass, start to finish", safety_delay_seconds=0,
                         platforms=[{"platform": "sandbox", "account": "wholeday"}])
    create_item(author, event["id"], key="welcome", cue="Doors open",
                caption="Good morning from OR 3. Ask us below! #LiveOR")
    create_item(author, event["id"], key="first-incision", offset="T+00:30",
                caption="The first incision is made. #LiveOR")
    create_item(author, event["id"], key="closing", cue="Wrap up", caption="That is all for today. Thank you! #LiveOR")
    create_item(author, event["id"], kind="holding", key="holding", caption="We are pausing our updates for now.")
    create_item(author, event["id"], kind="answer", key="bank-duration", question=BANK_QUESTION, caption=BANK_ANSWER)
    return event


def _approve_all(page: Any, where: str, count: int) -> None:
    """Approve every item listed, one at a time (each leaves the list once approved)."""
    buttons = page.locator(f"{where} .btn-good")
    for remaining in range(count, 0, -1):
        expect(buttons).to_have_count(remaining)
        buttons.first.click()
    expect(buttons).to_have_count(0)


def test_whole_event_through_the_pages(open_page: Callable[..., Any], apis: dict[str, Api]) -> None:
    event = _start_up(apis)
    eid = event["id"]
    console = open_page(f"/console?event={eid}", user="comms", height=900)
    tablet = open_page(f"/tablet?event={eid}", user="clinician", width=768, height=1024, touch=True)

    # Going live is refused with the checklist, which points to the setup page.
    console.locator("#controls").get_by_role("button", name="Go live").click()
    dialog = console.get_by_role("dialog")
    expect(dialog).to_contain_text("Not ready to go live")
    expect(dialog.locator('[data-check="consent"]')).to_contain_text("✗")
    screenshot(console, "whole-1-refused")
    dialog.get_by_role("button", name="Close").click()

    setup = open_page(f"/setup?event={eid}", user="comms", height=900)
    setup.get_by_label("Who signed").fill("Patient A, form 2026-114")
    setup.get_by_label("Short key").fill("patient-consent")
    setup.get_by_label("Signed on").fill(datetime.now(UTC).date().isoformat())
    setup.get_by_role("button", name="Record consent").click()
    expect(setup.locator("#su-status")).to_contain_text("Consent “patient-consent” recorded.")
    setup.get_by_label(re.compile("identifiers \\(one per line\\)")).fill("Jane Example\nMRN 4471")
    setup.get_by_role("button", name="Set identifiers").click()
    expect(setup.locator("#denylist-state")).to_contain_text("2 identifier(s) set")
    setup.get_by_role("button", name="Start rehearsal").click()
    expect(setup.locator("#rehearsal-state")).to_contain_text("A rehearsal is running")
    setup.get_by_role("button", name="Reset rehearsal…").click()
    setup.get_by_role("dialog").get_by_role("button", name="Reset").click()
    expect(setup.locator("#su-status")).to_contain_text("Rehearsal reset")
    expect(setup.locator('[data-check="rehearsal"]')).to_contain_text("A rehearsal ran")
    expect(setup.locator('[data-check="holding"]')).to_contain_text("not approved")

    # Approvals: the operator on the console, the clinician on the tablet.
    _approve_all(console, "#waiting", 5)
    _approve_all(tablet, "#review", 5)
    screenshot(tablet, "whole-2-tablet-approved-768x1024")
    setup.reload()
    expect(setup.locator("#preflight-verdict")).to_have_text("Ready to go live: every check is done.")
    screenshot(setup, "whole-3-setup-ready")

    console.locator("#controls").get_by_role("button", name="Go live").click()
    expect(dialog.locator(".preflight-list li")).to_have_count(6)
    dialog.get_by_role("button", name="Go live").click()
    expect(console.locator("#event-state")).to_have_text("Live")
    console.get_by_role("button", name="Cue next: “welcome”").click()
    welcome = console.locator('#timeline [data-status="posted"]', has_text="welcome")
    expect(welcome).to_have_count(1, timeout=20_000)
    screenshot(console, "whole-4-console-live")

    # The audience asks on the sandbox; the clinician answers with the bank answer, confirmed.
    sandbox = open_page("/sandbox", height=900)
    post = sandbox.locator(".sb-post", has_text="Good morning from OR 3")
    post.get_by_role("button", name=re.compile("^Reply")).click()
    sandbox.get_by_label("Display name").fill("Rosa Viewer")
    sandbox.get_by_label("Handle").fill("rosa_v")
    sandbox.get_by_label("Reply", exact=True).fill(ASKED)
    sandbox.get_by_role("button", name="Post reply").click()
    expect(sandbox.locator("#r-status")).to_have_text("Your reply is posted.")
    ipad = open_page(f"/tablet?event={eid}", user="clinician", width=1024, height=768, touch=True)
    card = ipad.locator(".tb-question", has_text=ASKED)
    expect(card).to_be_visible(timeout=30_000)
    card.get_by_role("button", name="Claim to answer").tap()
    card.get_by_role("button", name="Use this answer…").first.tap()
    ipad.get_by_role("dialog").get_by_role("button", name="Send answer").tap()
    expect(ipad.locator("#q-status")).to_contain_text("going out")
    screenshot(ipad, "whole-5-tablet-answered-1024x768")
    expect(post.locator(".sb-reply", has_text=BANK_ANSWER)).to_be_visible(timeout=30_000)

    # An ad-hoc post, inserted as next; the clinician and a second operator approve it; it is posted.
    console.locator("#controls").get_by_role("button", name="New post…").click()
    console.locator("#c-caption").fill("A quick thank-you to the nurses on shift today. #LiveOR")
    console.get_by_role("button", name="Save for approval").click()
    expect(console.locator("#c-status")).to_contain_text("next in the run of show")
    ipad.locator("#review .btn-good").first.tap()
    second = open_page(f"/console?event={eid}", user="author", height=900)
    second.locator("#waiting .btn-good").first.click()
    adhoc = console.locator("#timeline .tl-item.is-next")
    expect(adhoc).to_contain_text("quick-thank-you-nurses")
    expect(adhoc).to_have_attribute("data-status", "approved")
    adhoc.get_by_role("button", name="Post now").click()
    expect(console.locator('#timeline [data-status="posted"]', has_text="quick-thank")).to_have_count(1, timeout=20_000)

    # A question left open when the event ends: after End nothing can be written or answered, and the pages say why.
    sandbox.get_by_role("button", name=re.compile("^Reply")).first.click()
    sandbox.get_by_label("Display name").fill("Sam K")
    sandbox.get_by_label("Handle").fill("sam_k")
    sandbox.get_by_label("Reply", exact=True).fill("Is the surgeon standing the whole time?")
    sandbox.get_by_role("button", name="Post reply").click()
    expect(ipad.locator(".tb-question", has_text="standing")).to_be_visible(timeout=30_000)
    console.locator("#controls").get_by_role("button", name="End event").click()
    dialog.get_by_role("button", name="End event").click()
    expect(console.locator("#event-state")).to_have_text("Ended")
    expect(console.locator("#c-closed")).to_contain_text("The event has ended")
    expect(console.locator("#c-caption")).to_be_disabled()
    expect(ipad.locator("#event-state")).to_have_text("Ended")
    expect(ipad.locator(".tb-question", has_text="standing")).to_contain_text("can no longer be answered")
    expect(ipad.locator(".tb-question", has_text="standing").get_by_role("button")).to_have_count(0)
    screenshot(console, "whole-6-console-ended")
    screenshot(ipad, "whole-7-tablet-ended-1024x768")
    for page in (console, tablet, setup, sandbox, ipad, second):
        assert page.errors == []
