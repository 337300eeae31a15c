"""Ages over 89 written out or framed in words: "ninety-one-year-old", "she is ninety-three", "at the age of 93".

`phi_dates` finds ages written in digits after the usual cues ("93-year-old", "aged 93"); these are the
phrasings it missed: a spelled-out number (ninety to one hundred and thirty, "ninetieth birthday"), and
"at the age of N" in digits or words. Ages up to 89 are not identifiers under Safe Harbor and pass.
"""

from __future__ import annotations

import re
from typing import Final

from server.privacy.phi_lexicon import KIN_WORDS
from server.privacy.phi_types import AGE_OVER_89, Hit, hit

P_AGE: Final = 46
_UNITS: Final = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
_TEENS: Final = {"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
                 "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30}
_UNIT = r"(?:one|two|three|four|five|six|seven|eight|nine)"
_NUMBER = (rf"(?:ninety(?:[\s\-]{_UNIT})?|(?:a|one)[\s\-]hundred(?:[\s\-](?:and[\s\-])?(?:{_UNIT}|ten|eleven|twelve|"
           rf"thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty))?|\d{{2,3}})")
_SUBJECT = rf"(?:he|she|who|they|i|patient|{'|'.join(sorted(k for k in KIN_WORDS if '-' not in k))})"
_PATTERNS: Final = (
    re.compile(rf"\bat\s+the\s+(?:ripe\s+(?:old\s+)?)?age\s+of\s+(?P<n>{_NUMBER})\b", re.IGNORECASE),
    re.compile(rf"\b(?P<n>{_NUMBER})[\s\-]+(?:years?|yrs?)[\s\-]+old\b", re.IGNORECASE),
    re.compile(rf"\b(?:aged?|age:)\s+(?P<n>{_NUMBER})\b(?!\s*(?:and (?:over|older|up)|or (?:older|over)|\+))",
               re.IGNORECASE),
    re.compile(rf"\b{_SUBJECT}(?:'s|’s|\s+is|\s+was|\s+turned|\s+turns|\s+just\s+turned|\s+will\s+be|\s+is\s+now)"
               rf"\s+(?P<n>{_NUMBER})\b(?!\s*(?:%|percent|times|minutes|hours|days|weeks|kg|lbs?|bpm))", re.IGNORECASE),
    re.compile(r"\b(?P<n>ninetieth|ninety[\s\-](?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)|"
               r"(?:one\s+)?hundredth)\s+birthday\b", re.IGNORECASE),
)
_CHEAP = re.compile(r"ninet|hundred|age|[0-9]{2}", re.IGNORECASE)


def _value(words: str) -> int:
    """The number a matched phrase names (ordinals of birthdays count as their number)."""
    text = words.lower().replace("-", " ")
    if text.strip().isdigit():
        return int(text)
    if "ninet" in text:
        base = 90
        rest = text.split()[1:] if text.split()[0].startswith("ninet") else []
        ordinals = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
                    "eighth": 8, "ninth": 9}
        return base + sum(_UNITS.get(w, ordinals.get(w, 0)) for w in rest)
    if "hundred" in text:
        tail = text.split("hundred", 1)[1].split()
        return 100 + sum(_UNITS.get(w, _TEENS.get(w, 0)) for w in tail if w != "and")
    return 0


def find_ages_in_words(text: str) -> list[Hit]:
    """Age-over-89 findings for spelled-out ages and "at the age of N"."""
    if _CHEAP.search(text) is None:
        return []
    out: list[Hit] = []
    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if 90 <= _value(m.group("n")) <= 130:
                out.append(hit(AGE_OVER_89, m.start("n"), m.end("n"), "age over 89", P_AGE))
    return out
