"""Triage of audience messages: a label, and an alert that no label can take away.

Three layers look at every message, and any one of them can raise the alert ("defence in depth"):
- the English rules (`triage_rules`), which label a message and recognise emergencies by their cues;
- the multilingual risk cues (`triage_risk`: English, French, Spanish), which only ask "could someone be in
  danger now?" and ignore kind words, jokes, shopping words and past operations around the danger;
- the learned model (`triage_model`), a small linear classifier trained on the corpus in the repository,
  which alerts when its emergency probability reaches the threshold set for recall at training time.
A message with any alert reason gets `alert: True` and a place in the clinicians' queue, whatever its label.

The label fuses the rules and the model: the model's probabilities plus a vote for the rules' label (worth
more in English, where the rules were written, than in French or Spanish, where they see little). A danger
cue makes the label `emergency`. A message in a language nobody screens (`triage_language`) is marked
`screened: False`, and the queue shows it to clinicians with the reason "language not screened".
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from typing import Final

from server.triage.triage_language import detect, preload
from server.triage.triage_model import model
from server.triage.triage_prefilter import PREFILTER
from server.triage.triage_risk import HUMOUR_DISCOUNT, assess, literal
from server.triage.triage_rules import (
    ABUSE,
    COMMENT,
    EMERGENCY,
    LABELS,
    PERSONAL_MEDICAL,
    QUESTION,
    SPAM,
    rule_triage_normalized,
)
from server.triage.triage_text import normalize

__all__ = ["ABUSE", "COMMENT", "EMERGENCY", "LABELS", "PERSONAL_MEDICAL", "QUESTION", "SPAM", "TriageResult",
           "triage", "warm_up"]

RULE_VOTE: Final = {"en": 0.55, "other": 0.2}
WARM_UP_DELAY: Final = 2.0  # seconds after start before `warm_up` compiles the patterns
NOT_SCREENED: Final = "language not screened"
# The model alerts on its own only when it has something to read: a figure of speech cut out of "I'd faint
# in five minutes" leaves one word, and on one word the model's guess is its prior.
MODEL_MIN_WORDS: Final = 3


@dataclass(frozen=True)
class TriageResult:
    """The verdict on one message.

    `label` and `reason` (naming the cue or the model) classify it; `alert` and `reasons` say whether a
    clinician must see it now and why (empty when no alert); `score` orders alerts (higher first; humour
    lowers it); `language` is the detected language and `screened` whether risk cues exist for it.
    """

    label: str
    reason: str
    matched: tuple[str, ...]
    alert: bool = False
    reasons: tuple[str, ...] = ()
    score: float = 0.0
    language: str = "en"
    screened: bool = True
    probabilities: dict[str, float] = field(default_factory=dict, compare=False, repr=False)


def _fused_label(rule_label: str, probabilities: dict[str, float], language: str) -> str:
    """The label with the highest model probability plus the rules' vote, never `emergency`: that label is
    given only with an alert (see `triage`), so a label and an alert never disagree."""
    vote = RULE_VOTE["en" if language == "en" else "other"]
    return max((lb for lb in LABELS if lb != EMERGENCY),
               key=lambda lb: probabilities[lb] + (vote if lb == rule_label else 0.0))


def triage(text: str) -> TriageResult:
    """Label one message and decide whether it raises an alert."""
    norm = normalize(text)
    language, screened = detect(text)
    literal_text = literal(norm.text)  # figures of speech cut out: rules and model read what is meant
    rules = rule_triage_normalized(replace(norm, text=literal_text))
    risk = assess(norm.text)
    verdict = model().predict(literal_text)
    reasons: list[str] = []
    score = 0.0
    if rules.label == EMERGENCY:
        reasons.append(rules.reason)
        score = 3.0
    reasons += [r for r in risk.reasons if r not in reasons]
    score = max(score, risk.score / HUMOUR_DISCOUNT if risk.humour else risk.score)
    readable = len(literal_text.split()) >= MODEL_MIN_WORDS
    if verdict.emergency >= model().alert_threshold and readable:
        reasons.append(f"learned model: emergency probability {verdict.emergency:.2f}")
        score = max(score, 1.0 + verdict.emergency)
    if risk.humour:  # a joke lowers the alert's place in the queue, never the alert
        score *= HUMOUR_DISCOUNT
    label = _fused_label(rules.label, verdict.probabilities, language) if readable else rules.label
    if risk.reasons or rules.label == EMERGENCY or any(r.startswith("learned model") for r in reasons):
        label = EMERGENCY
    if label == rules.label:
        reason, matched = rules.reason, rules.matched
    elif label == EMERGENCY and reasons:
        reason, matched = reasons[0], ()
    else:
        reason, matched = f"learned model: {label} ({verdict.probabilities[label]:.2f})", ()
    if not screened:
        reason = f"{NOT_SCREENED} ({language}); {reason}"
    return TriageResult(label=label, reason=reason, matched=matched, alert=bool(reasons), reasons=tuple(reasons),
                        score=round(score, 2), language=language, screened=screened,
                        probabilities=verdict.probabilities)


async def warm_up() -> None:
    """Triage's start-up work, done once the server is serving (the app starts it after the workers).

    Compiling and analysing the rules' patterns (~0.8 s of CPU) and building the language identifier (~1.5 s)
    used to happen at import or on the first message; a restart serves and posts sooner without them (issue
    19). It waits WARM_UP_DELAY first, so the restart's own work (serving, reconciling and posting) is not
    slowed by it, then goes in small steps on the event loop, so requests and deliveries interleave; a message
    triaged before it is done does the rest of the work itself, with the same result.
    """
    await asyncio.sleep(WARM_UP_DELAY)
    for _ in PREFILTER.warm_steps():
        await asyncio.sleep(0)
    await asyncio.to_thread(preload)
    await asyncio.to_thread(model)  # numpy and the weights (~0.1 s), off the first message's path
