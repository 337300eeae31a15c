"""Second-tier emergency detection: combinations of weak signals for phrasings the strong cues miss.

Strong cues (`triage_emergency`) catch explicit language. Real messages are often indirect ("tonight is
the night", "dad is on the floor and won't answer"), so this tier fires on *combinations*: death or
farewell language from the writer, means or places plus intent, danger signs, symptoms plus urgency.
It deliberately accepts false alarms.
"""

from __future__ import annotations

import re

from server.triage.triage_cues import FIRST_PERSON, INTERROGATIVES, SELF_REF, is_negated
from server.triage.triage_prefilter import Guarded, guarded

INDIRECT_SELF_HARM = "possible indirect self-harm language"
ACUTE_PROBLEM = "possible acute medical problem"

DEATH_WEAK = guarded(
    r"\b(die|dying(?! to)|dead|death|disappear\w*|goodbye|farewell|letting go|let go of (it all|everything|"
    r"life)|ready to (go|leave)|had enough|no future|no hope|hopeless|at peace with (it|everything|this)|"
    r"affairs in order|my will|tonight is the night|the end for me|over for me|gone forever|not be here|"
    r"wont be here|cant anymore|end of the road|see you on the other side|no longer be a|not worth it|"
    r"worthless|numb inside|empty inside|unbearable|pointless|(once|when|after) im gone|permanently|for good|"
    r"(dont|do not|never) have to (deal with|face|wake up|live)|(deal with|face) (life|it all|"
    r"anything) anymore|"
    r"(not|never) (going to|gonna) be (here|around|alive)|miss me)\b"
)
MEANS = guarded(
    r"\b(bridge|balcony|roof|rooftop|ledge|cliff|train tracks|railway|tracks|river|lake|overpass|gun|rope|"
    r"noose|razor|blades?|pills|tablets|meds|sleeping pills|train|station|platform|building|garage|engine "
    r"running|exhaust|car)\b"
)
INTENT = guarded(
    r"\b(thinking about|thinking of|going to|gonna|plan|planning|about to|tonight|want to|ready to|"
    r"decided|jump|letting go|no one will|nobody will|enough|saving|saved|stockpil\w*|collecting|make sure|"
    r"to be sure|guarantee|plan on|how high|how far|how deep|engine running|sitting in)\b"
)
DANGER = guarded(
    r"\b(blood(?! (pressure|test|tests|thinners?|sugar|work|type|flow|vessels?|cells?|supply|donor|bank))|"
    r"bleeding|fluid (\w+ )?(coming|leaking|pouring|oozing)|pus|popped|burst|came apart|opened up|"
    r"on the floor|on the ground|wont (answer|respond|wake)|not answering|out of it|turning (blue|grey|gray|"
    r"purple)|seizure|fit|fell|unconscious|limp|monitor (\w+ ){0,2}(going crazy|alarming|beeping|going off)|"
    r"cant (talk|speak|move|swallow|make a sound|stand|answer|respond|feel (my|his|her) \w+)|"
    r"not making sense|"
    r"gray|grey|blue|purple|lying (in|on) the \w+|keeps shocking|shocking (him|her|me)|shocked (\w+ )?(times|"
    r"again)|"
    r"cpr|heart stopped|defibrillator|aed|stares|staring blankly|tearing)\b"
)
SYMPTOM = guarded(
    r"\b(pain|hurts?|hurting|agony|numb|tingling|pins and needles|elephant|vice|squeez\w*|crushing|heavy|"
    r"tight|faint|dizzy|sweaty|clammy|nauseous|vomit\w*|throwing up|racing|pounding|swelling|swollen|"
    r"short of breath|breathless|somersaults|flipping|fluttering|cant breathe|weak|confused)\b"
)
STRONG_URGENCY = guarded(
    r"\b(help|urgent|emergency|hurry|quick|asap|what do i do|what should i do|what do we do|scared|"
    r"terrified|panicking|alone|home alone|nobody (is )?(here|coming)|(arent|isnt|not) coming|right now|"
    r"getting worse|since (dinner|lunch|breakfast|this morning|an hour)|out of nowhere|suddenly|(no one|"
    r"nobody|"
    r"noone) (is )?(helping|coming|here|around|answering))\b"
)
WEAK_URGENCY = guarded(r"\b(now|tonight|today|just|minutes?|min|mins|hours?)\b")
HISTORY = guarded(
    r"\b(when (i|he|she|they|we)|whenever|every ?time|sometimes|used to|(weeks?|months?|years?) ago|"
    r"last (week|month|year)|for (weeks|months|years)|in (19|20)\d\d|usually|normally|at night)\b"
)
GENERAL = guarded(
    r"\b(if (someone|somebody|a person|you|people|patients?|a patient)|someone|somebody|people|a person|"
    r"in general|typically|usually|common|signs of|symptoms of|what causes|patients?|surgeons?|the heart|"
    r"the patient|during (the )?(surgery|operation|bypass|procedure))\b"
)


# Vocabulary that, in an otherwise unexplained first-person statement, is enough to escalate.
RISK_WORDS = guarded(
    r"\b(pain|hurts?|hurting|bleeding|pills|meds|prescriptions?|dose|rope|gun|knife|bridge|building|"
    r"roof|train|garage|engine|alone|anymore|gone|goodbye|forever|permanently|for good|its over|over for me|"
    r"nothing left|nobody cares|no one cares|sorry|exhausted|hopeless|worthless|burden|enough|"
    r"(dont|do not) deserve|miss me|numb|breathe|breathing|chest|faint|dizzy|fell|on the floor|ambulance|cpr|"
    r"die|dead|death|kill\w*|the end|cutting|deeper|scared|afraid|panic\w*|sick of (it|everything|life|"
    r"living)|"
    r"vomit\w*|collapse\w*|cant (take|do|go))\b"
)


I_SUBJECT = guarded(r"\b(i|im|ive|id|ill|me|myself)\b")


def fallback_risk(text: str) -> tuple[str, tuple[str, ...]] | None:
    """For a message nothing else explained: escalate if it has risk words and isn't a general remark."""
    if GENERAL.search(text) is not None and FIRST_PERSON.search(text) is None:
        return None
    risk = RISK_WORDS.search(text)
    if risk is None or SELF_REF.search(text) is None:
        return None
    return f"unexplained personal message with risk words: '{risk.group(0)}'", (risk.group(0),)


def _unnegated(pattern: Guarded, text: str) -> set[str]:
    """Return the matches of pattern that no nearby negator cancels ("no chest pain")."""
    return {m.group(0) for m in pattern.finditer(text) if not is_negated(text, m.start(), m.end(), False)}


def _has_subject_context(text: str) -> bool:
    """True if the message is about the writer or someone they know (or has an elided subject)."""
    if SELF_REF.search(text):
        return True
    tokens = text.split()
    return bool(tokens) and tokens[0] not in INTERROGATIVES and GENERAL.search(text) is None


def check_weak_emergency(text: str) -> tuple[str, tuple[str, ...]] | None:
    """Return (reason, matched) if combined weak signals suggest an emergency, else None."""
    general_only = GENERAL.search(text) is not None and FIRST_PERSON.search(text) is None
    death = DEATH_WEAK.search(text)
    if death and not general_only and not re.search(r"\b(lol|lmao|haha\w*|rofl|jk)\b", text):
        for clause in text.split(" . "):
            in_clause = DEATH_WEAK.search(clause)
            if in_clause and I_SUBJECT.search(clause):
                return f"{INDIRECT_SELF_HARM}: '{in_clause.group(0)}'", (in_clause.group(0),)
    means = MEANS.search(text)
    intent = INTENT.search(text)
    if means and intent and FIRST_PERSON.search(text) and not general_only and (
        death or means.group(0) not in {"pills", "tablets", "meds"} or intent.group(0) in {
            "saving", "saved", "collecting", "enough", "tonight", "decided", "no one will", "nobody will",
        } or re.match(r"stockpil", intent.group(0))
    ):
        pair = (means.group(0), intent.group(0))
        return f"{INDIRECT_SELF_HARM}: '{pair[0]}' + '{pair[1]}'", pair
    if general_only or not _has_subject_context(text):
        return None
    dangers = _unnegated(DANGER, text)
    symptoms = _unnegated(SYMPTOM, text)
    history = HISTORY.search(text)
    urgency = STRONG_URGENCY.search(text) or (None if history else WEAK_URGENCY.search(text))
    found = tuple(sorted(dangers)) + tuple(sorted(symptoms))
    if dangers and (urgency or len(dangers) + len(symptoms) >= 2):
        extra = (urgency.group(0),) if urgency else ()
        return f"{ACUTE_PROBLEM}: '{sorted(dangers)[0]}'", found + extra
    if symptoms and not history and (len(symptoms) >= 2 or STRONG_URGENCY.search(text)):
        return f"{ACUTE_PROBLEM}: '{sorted(symptoms)[0]}'", found
    return None
