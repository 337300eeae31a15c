"""Unit tests for rules-based triage of audience messages."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.triage.triage import LABELS, TriageResult, triage


@pytest.mark.parametrize(
    ("text", "label"),
    [
        # question
        ("How long does the surgery usually take?", "question"),
        ("why is the surgeon wearing a vest", "question"),
        ("What are the warning signs of a heart attack people should know?", "question"),
        ("what happens if someone has a stroke during surgery", "question"),
        ("Is the patient unconscious the whole time?", "question"),
        # personal_medical
        ("my dad has 3 blocked arteries, should he get stents or a bypass?", "personal_medical"),
        ("I had a bypass last year and now my chest hurts when I climb the stairs, is that normal?",
         "personal_medical"),
        ("i have afib and take warfarin can i still have this surgery", "personal_medical"),
        ("is it safe for me to fly 6 weeks after open heart surgery?", "personal_medical"),
        # emergency: acute symptoms now, self-harm (direct and indirect), overdose, third party
        ("my chest hurts right now and my left arm is numb", "emergency"),
        ("i cant breathe", "emergency"),
        ("my wife's face is drooping and her speech is slurred", "emergency"),
        ("I want to die", "emergency"),
        ("took a whole bottle of pills", "emergency"),
        ("everyone would be better off without me", "emergency"),
        ("i wish i could go to sleep and never wake up", "emergency"),
        ("my dad just collapsed and isn't responding", "emergency"),
        ("I had my bypass 2 weeks ago and right now my chest is hurting really bad", "emergency"),
        # comment
        ("amazing work!", "comment"),
        ("praying for the patient", "comment"),
        ("my heart skipped a beat when the alarm went off haha", "comment"),
        ("I'm dying to know how this ends", "comment"),
        # spam
        ("follow me for daily health tips!! link in bio", "spam"),
        ("DM for deals on CBD oil", "spam"),
        ("🚀 $HEART token 100x, join t.me/heartcoin", "spam"),
        # abuse
        ("you people are butchers", "abuse"),
        ("I know where you work doc, watch your back", "abuse"),
        ("hope the patient dies", "abuse"),
    ],
)
def test_labels(text: str, label: str) -> None:
    """Each label is produced for typical messages."""
    assert triage(text).label == label


@pytest.mark.parametrize(
    "text",
    [
        "MY CHEST HURTS RIGHT NOW",
        "my chest hurts right now",
        "my chets hurts rn",
        "chest pain rn 😰",
        "cant brethe",
        "i want to dieeee",
        "i wanna die",
        "kms",
        "suicdal again",
    ],
)
def test_emergency_survives_case_typos_emoji_and_slang(text: str) -> None:
    """Lowercase, uppercase, no punctuation, typos and slang still reach emergency."""
    assert triage(text).label == "emergency"


def test_emergency_is_checked_before_spam_and_abuse() -> None:
    """A message that is also spammy or abusive is still an emergency if it carries an emergency cue."""
    assert triage("follow me, i want to kill myself tonight").label == "emergency"
    assert triage("you idiots, i'm going to end my life").label == "emergency"


def test_reason_names_the_cue() -> None:
    """Reasons name the cue that decided, and matched holds the phrases."""
    acute = triage("my chest hurts right now")
    assert "chest pain" in acute.reason and "right now" in acute.reason
    assert "chest hurts" in acute.matched
    relative = triage("my father has blocked arteries, should he have surgery?")
    assert relative.reason.startswith("asks about a relative's case: 'my father'")
    own = triage("should I stop my blood thinners before my surgery?")
    assert own.label == "personal_medical" and "own" in own.reason


def test_negation() -> None:
    """Negated symptoms do not raise an emergency."""
    assert triage("no chest pain right now, just curious how long the surgery takes").label == "question"
    assert triage("I don't have chest pain, but how long is recovery?").label == "question"
    assert triage("not dizzy at all, this is so cool").label == "comment"


def test_self_harm_is_not_negatable() -> None:
    """Self-harm language is never cancelled by a nearby 'not': recall comes first."""
    assert triage("I'm not suicidal but everyone would be better off without me").label == "emergency"


def test_stupid_question_is_not_abuse() -> None:
    """Self-deprecation is not abuse."""
    assert triage("sorry if this is a stupid question but how long is recovery?").label == "question"


def test_result_is_frozen_and_typed() -> None:
    """TriageResult is an immutable dataclass with a tuple of matches."""
    result = triage("amazing work!")
    assert isinstance(result, TriageResult)
    assert isinstance(result.matched, tuple)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.label = "spam"  # type: ignore[misc]


@pytest.mark.parametrize("text", ["", "   ", "🙏🙏🙏", "???", "\u200b\u200b"])
def test_degenerate_inputs(text: str) -> None:
    """Empty, whitespace, emoji-only and symbol-only messages get a label without error."""
    assert triage(text).label in LABELS


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_triage_never_raises_on_arbitrary_unicode(text: str) -> None:
    """Property: any Unicode string gets one of the six labels and a string reason."""
    result = triage(text)
    assert result.label in LABELS
    assert isinstance(result.reason, str)
    assert all(isinstance(m, str) for m in result.matched)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["my", "chest", "pain", "now", "not", "?", "!", "pills", "dad", "🙏", "http://x.io",
                                 "die", "follow", "idiot", "how", "long", "'", ".", "\n", "a.b.c"]), max_size=60))
def test_triage_never_raises_on_cue_word_soup(words: list[str]) -> None:
    """Property: dense mixtures of cue words never raise."""
    assert triage(" ".join(words)).label in LABELS
