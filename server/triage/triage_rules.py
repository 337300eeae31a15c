"""The rules layer of triage (English): question / personal_medical / emergency / comment / spam / abuse.

Emergency is checked first and tuned for recall: a false alarm costs a moderator a glance, a miss can
cost a life. Every result names the cue that decided it, so moderators can see why. `triage.triage`
combines this with the learned model and the multilingual risk cues; use that, not this, for a verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from server.triage.triage_cues import (
    ABUSE_CUES,
    ABUSE_SELF_DIRECTED,
    COMMENT_CUES,
    MEDICAL_CONTEXT,
    OWN_CASE_CUES,
    QUESTION_CUES,
    QUESTION_LIKE,
    RELATIVE_CUES,
    SPAM_CUES,
    Hit,
    find_hits,
    score,
    starts_question,
)
from server.triage.triage_emergency import check_emergency
from server.triage.triage_emergency_weak import fallback_risk
from server.triage.triage_text import Normalized, normalize

QUESTION: Final = "question"
PERSONAL_MEDICAL: Final = "personal_medical"
EMERGENCY: Final = "emergency"
COMMENT: Final = "comment"
SPAM: Final = "spam"
ABUSE: Final = "abuse"
LABELS: Final[tuple[str, ...]] = (EMERGENCY, PERSONAL_MEDICAL, QUESTION, COMMENT, SPAM, ABUSE)

SPAM_THRESHOLD: Final = 1.5
ABUSE_THRESHOLD: Final = 1.5
PERSONAL_THRESHOLD: Final = 1.0


@dataclass(frozen=True)
class RuleResult:
    """The rules' label for one message, a human-readable reason naming the cue, and the matched phrases."""

    label: str
    reason: str
    matched: tuple[str, ...]


def _top(hits: list[Hit]) -> Hit:
    """Return the heaviest hit (first on ties)."""
    return max(hits, key=lambda h: h.cue.weight)


def _surfaces(hits: list[Hit]) -> tuple[str, ...]:
    """Return the matched phrases of hits, heaviest first, without duplicates."""
    ordered = sorted(hits, key=lambda h: -h.cue.weight)
    return tuple(dict.fromkeys(h.surface for h in ordered))


def _is_question_like(norm: Normalized) -> bool:
    """Return True if the message reads as a question or a request for advice."""
    if norm.has_question_mark:
        return True
    if any(starts_question(clause.split()) for clause in norm.text.split(" . ")):
        return True
    return QUESTION_LIKE.search(norm.text) is not None


def _spam_or_abuse(text: str) -> RuleResult | None:
    """Return a spam or abuse result if their cues are strong enough."""
    spam_hits = find_hits(SPAM_CUES, text)
    abuse_hits = find_hits(ABUSE_CUES, text)
    if ABUSE_SELF_DIRECTED.search(text):
        abuse_hits = [h for h in abuse_hits if h.surface not in {"stupid", "dumb"}]
    spam_score, abuse_score = score(spam_hits), score(abuse_hits)
    content_abuse = [h for h in abuse_hits if h.cue.reason != "targets people"]
    if spam_score >= SPAM_THRESHOLD and spam_score >= abuse_score:
        top = _top(spam_hits)
        return RuleResult(SPAM, f"{top.cue.reason}: '{top.surface}'", _surfaces(spam_hits))
    if content_abuse and abuse_score >= ABUSE_THRESHOLD:
        top = _top(content_abuse)
        return RuleResult(ABUSE, f"{top.cue.reason}: '{top.surface}'", _surfaces(content_abuse))
    return None


def _personal(
    norm: Normalized, symptom_reason: str | None, symptom_matched: tuple[str, ...]
) -> RuleResult | None:
    """Return a personal_medical result if the writer asks about their own or a relative's case."""
    text = norm.text
    hits = find_hits(OWN_CASE_CUES, text)
    medical = MEDICAL_CONTEXT.search(text)
    if medical:
        hits += find_hits(RELATIVE_CUES, text)[:1]
    question_like = _is_question_like(norm)
    if symptom_reason is not None and (question_like or hits):
        return RuleResult(PERSONAL_MEDICAL, symptom_reason, symptom_matched)
    total = score(hits)
    if total < PERSONAL_THRESHOLD or not (question_like or total >= 2 * PERSONAL_THRESHOLD):
        return None
    top = _top(hits)
    subject = "a relative's" if top.cue in RELATIVE_CUES else "own"
    return RuleResult(PERSONAL_MEDICAL, f"asks about {subject} case: '{top.surface}'", _surfaces(hits))


def _question_or_comment(norm: Normalized) -> RuleResult:
    """Decide between a general question and a comment."""
    text = norm.text
    if not text:
        reason = "no words: emoji or symbols only" if norm.emoji_only else "empty message"
        return RuleResult(COMMENT, reason, ())
    tokens = text.split()
    q_hits = find_hits(QUESTION_CUES, text)
    c_hits = find_hits(COMMENT_CUES, text)
    q_score = score(q_hits) + (1.5 if norm.has_question_mark else 0.0)
    starts_interrogative = starts_question(tokens)
    if starts_interrogative:
        q_score += 1.5
    c_score = score(c_hits) + (0.5 if norm.has_exclamation else 0.0)
    if norm.has_question_mark and (starts_interrogative or c_score < 2.5):
        return RuleResult(QUESTION, "asks a general question: '?'", _surfaces(q_hits) + ("?",))
    if q_score > c_score and q_score >= 1.5:
        first = tokens[0] if starts_interrogative else (q_hits[0].surface if q_hits else "")
        return RuleResult(QUESTION, f"asks a general question: '{first}'", _surfaces(q_hits))
    if c_hits:
        top = c_hits[0]
        return RuleResult(COMMENT, f"{top.cue.reason}: '{top.surface}'", _surfaces(c_hits))
    risky = fallback_risk(text)
    if risky is not None:
        return RuleResult(EMERGENCY, risky[0], risky[1])
    return RuleResult(COMMENT, "statement without a question", ())


def rule_triage(text: str) -> RuleResult:
    """Classify one audience message; emergency first, then spam/abuse, personal case, question/comment."""
    return rule_triage_normalized(normalize(text))


def rule_triage_normalized(norm: Normalized) -> RuleResult:
    """`rule_triage` on an already normalised message."""
    emergency, symptom = check_emergency(norm.text)
    if emergency is not None:
        return RuleResult(EMERGENCY, emergency.reason, emergency.matched)
    decided = _spam_or_abuse(norm.text)
    if decided is not None:
        return decided
    personal = _personal(
        norm, symptom.reason if symptom else None, symptom.matched if symptom else ()
    )
    if personal is not None:
        return personal
    return _question_or_comment(norm)
