"""Replies address their asker and are never more public than the question (server/publishing/audience.py)."""

from __future__ import annotations

import pytest

from server.models import Message
from server.publishing.audience import addressed, plan_reply


def _message(platform: str, *, handle: str = "ann@social.example", visibility: str | None = None,
             label: str = "question") -> Message:
    return Message(platform=platform, author_handle=handle, visibility=visibility, label=label, text="?")


@pytest.mark.parametrize("platform", ["mastodon", "x", "bluesky", "sandbox"])
def test_every_reply_starts_with_its_askers_handle(platform: str) -> None:
    assert addressed("Call 911 now.", _message(platform, handle="ann")) == "@ann Call 911 now."
    assert addressed("@ann Call 911 now.", _message(platform, handle="ann")) == "@ann Call 911 now."


@pytest.mark.parametrize(("incoming", "reply"), [("public", None), ("unlisted", None), ("private", "direct"),
                                                 ("direct", "direct"), (None, None)])
def test_a_mastodon_reply_is_never_more_public_than_the_question(incoming: str | None, reply: str | None) -> None:
    plan = plan_reply(_message("mastodon", visibility=incoming, label="personal_medical"), "Please call us.", "answer")
    assert plan.text == "@ann@social.example Please call us." and plan.visibility == reply


@pytest.mark.parametrize("platform", ["bluesky", "x"])
def test_a_personal_question_on_a_public_only_platform_gets_only_the_redirect(platform: str) -> None:
    message = _message(platform, handle="ann", label="personal_medical")
    withheld = plan_reply(message, "Your dose depends on your kidneys.", "answer")
    assert withheld.text is None and withheld.withheld and "redirect" in withheld.withheld
    redirect = plan_reply(message, "We can't advise on personal care here: please call your doctor.", "redirect")
    assert redirect.text == "@ann We can't advise on personal care here: please call your doctor."
    assert plan_reply(message, "Call 911 now.", "emergency_reply").text == "@ann Call 911 now."
