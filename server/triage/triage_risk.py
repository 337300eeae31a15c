"""Risk assessment: could the writer, or someone near them, be in danger now? (English, French, Spanish.)

This layer never decides a label: it only says whether a message must alert a clinician, and why. It runs on
every message whatever its language or label, so a kind word, a joke, a shopping word or a past operation in
the same message cannot take the alert away (each of those once made a real emergency a `comment`):
- a figure of speech is cut out first (`FIGURES`): "dying to see", "me muero de risa" are not risk cues;
- a danger cue (self-harm, overdose, not breathing, not responding, stroke, bleeding, seizure) alerts;
- a symptom alerts when an acute marker is present, or when it is told in the present by the writer
  (not only as a habit, not only long ago, not as a general question); a weak symptom (dizzy, nauseous,
  fever) needs an acute marker or a second symptom;
- laughter lowers the score, which orders the queue, and never clears the alert.
"""

from __future__ import annotations

from dataclasses import dataclass
from re import Match

from server.triage.triage_risk_cues import (
    ACUTE,
    BLEEDING,
    BREATHING,
    DANGER,
    FIGURES,
    FIRST_PERSON,
    GENERAL,
    HABIT,
    LAUGHTER,
    NEGATED_SYMPTOM,
    ON_SCREEN,
    PAST_ONLY,
    SEIZURE,
    STROKE,
    SYMPTOM,
    SYMPTOMS,
    UNRESPONSIVE,
    WEAK_ACUTE,
    WEAK_SYMPTOMS,
)

HUMOUR_DISCOUNT = 0.5
ON_SCREEN_FAMILIES = frozenset({BREATHING, UNRESPONSIVE, BLEEDING, STROKE, SEIZURE})


@dataclass(frozen=True)
class Risk:
    """Reasons found (empty: no risk cue) and a score for ordering (higher is more urgent)."""

    reasons: tuple[str, ...]
    score: float
    humour: bool


NO_RISK = Risk((), 0.0, False)


def _symptoms(text: str) -> list[str]:
    """Surfaces of the strong symptoms in text that no nearby negator cancels ("no chest pain", "sin dolor")."""
    found: list[str] = []
    for pattern in SYMPTOMS:
        for m in pattern.finditer(text):
            if NEGATED_SYMPTOM.search(text[max(0, m.start() - 30):m.start()]) is None:
                found.append(m.group(0))
                break
    return found


def _acute(text: str) -> Match[str] | None:
    """The first acute marker; with a habit ("when I climb"), only a marker other than "now", "help"..."""
    if HABIT.search(text) is None:
        return ACUTE.search(text)
    return next((m for m in ACUTE.finditer(text) if WEAK_ACUTE.pattern.fullmatch(m.group(0)) is None), None)


def literal(text: str) -> str:
    """Normalised text without its figures of speech ("dying to see", "me muero de risa" are cut out)."""
    if FIGURES.search(text) is None:
        return text
    return " ".join(FIGURES.sub(" ", text).split())


def assess(text: str) -> Risk:
    """Assess one normalised text (`triage_text.normalize(...).text`)."""
    if not text:
        return NO_RISK
    literal_text = literal(text)
    humour = LAUGHTER.search(text) is not None
    reasons: list[str] = []
    score = 0.0
    on_screen = ON_SCREEN.search(literal_text) is not None and FIRST_PERSON.search(literal_text) is None
    for pattern, family, weight in DANGER:
        if on_screen and family in ON_SCREEN_FAMILIES:
            continue
        m = pattern.search(literal_text)
        if m is not None:
            reasons.append(f"{family}: '{m.group(0)}'")
            score = max(score, weight)
    strong = _symptoms(literal_text)
    weak = [m.group(0) for m in WEAK_SYMPTOMS.finditer(literal_text)]
    if strong or weak:
        acute = _acute(literal_text)
        told_now = (
            FIRST_PERSON.search(literal_text) is not None and HABIT.search(literal_text) is None
            and PAST_ONLY.search(literal_text) is None and GENERAL.search(literal_text) is None
        )
        shown = strong or weak
        general_only = GENERAL.search(literal_text) is not None and FIRST_PERSON.search(literal_text) is None
        if acute is not None and not general_only:
            reasons.append(f"{SYMPTOM}: '{shown[0]}' + '{acute.group(0)}'")
            score = max(score, 2.5)
        elif strong and (told_now or len(strong) + len(weak) >= 2):
            reasons.append(f"{SYMPTOM}: '{strong[0]}' told in the present")
            score = max(score, 2.0)
        elif len(weak) >= 2 and told_now:
            reasons.append(f"{SYMPTOM}: '{weak[0]}' + '{weak[1]}'")
            score = max(score, 1.5)
    if not reasons:
        return NO_RISK
    if humour:
        score *= HUMOUR_DISCOUNT
    return Risk(tuple(reasons), score, humour)
