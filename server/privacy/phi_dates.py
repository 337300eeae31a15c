"""Dates tied to a person (birth, admission, discharge, death, diagnosis, ...) and ages over 89.

A calendar date is flagged when its sentence has a strong cue (born, DOB, admitted, discharged, died,
diagnosed, clinic, ...), or a weak cue (his, her, patient, a kinship word) and no publication cue (today,
live, update, posted, join us, ...), or when the sentence before has a strong cue and its own has no
publication cue ("She was first seen in clinic last spring. On April 14 ..."). Times ("10:15", "T+00:45")
and years alone ("since 2014") are not dates.
A birth year alone is flagged only when it shows an age of 90 or more.
"""

from __future__ import annotations

import re
from datetime import date

from server.clock import wall_now
from server.privacy.phi_ages import find_ages_in_words
from server.privacy.phi_lexicon import KIN_WORDS
from server.privacy.phi_text import caseless, context_after, context_before, fold, sentence_bounds
from server.privacy.phi_types import AGE_OVER_89, DATE, Hit, hit

P_DATE = 45
P_AGE = 46

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"JANUARY|FEBRUARY|MARCH|APRIL|MAY|JUNE|JULY|AUGUST|SEPTEMBER|OCTOBER|NOVEMBER|DECEMBER|"
    r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b\.?)"
)
_HOLIDAY = (
    r"\b(?:Christmas(?: Eve| Day)?|New Year's(?: Eve| Day)?|New Year’s(?: Eve| Day)?|Thanksgiving(?: Day)?|"
    r"Easter(?: Sunday| Monday)?|Good Friday|Canada Day|Independence Day|Valentine's Day|Valentine’s Day|"
    r"Boxing Day|Labou?r Day|Memorial Day|Remembrance Day|Victoria Day|Family Day|Halloween|Mother's Day|"
    r"Father's Day)\b"
)
_DAY = r"(?:[12][0-9]|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:1[89][0-9]{2}|20[0-9]{2})"
_DATE_PATTERNS = (
    re.compile(rf"\b{_MONTH}\s+{_DAY}\b(?:,?\s+{_YEAR}\b)?"),
    re.compile(rf"\b(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR}\b)?"),
    re.compile(rf"\b{_MONTH},?\s+{_YEAR}\b"),
    re.compile(_HOLIDAY),
    re.compile(
        r"(?<![\w/.\-])(?:0?[1-9]|[12][0-9]|3[01])([/\-])(?:0?[1-9]|[12][0-9]|3[01])\1(?:[0-9]{4}|[0-9]{2})(?![\w/\-]|\.[0-9])"
    ),
    re.compile(r"(?<![\w/.\-])(?:0?[1-9]|[12][0-9]|3[01])\.(?:0?[1-9]|1[0-2])\.[0-9]{4}(?![\w/.\-])"),
    re.compile(
        r"(?<![\w/.\-])(?:1[89]|20)[0-9]{2}([\-/.])(?:0?[1-9]|1[0-2])\1(?:0?[1-9]|[12][0-9]|3[01])(?![\w/\-]|\.[0-9])"
    ),
)
# Every month name or abbreviation, in either case style, holds one of these.
_MONTH_WORD = re.compile(
    r"Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC"
)
_HOLIDAY_WORDS = ("Day", "Christmas", "New Year", "Thanksgiving", "Easter", "Good Friday", "Halloween")
_SHORT_NUMERIC = re.compile(
    r"(?<![\w/.\-:])(?:0?[1-9]|[12][0-9]|3[01])/(?:0?[1-9]|[12][0-9]|3[01])(?![\w/.\-:])"
)
_STRONG = re.compile(
    r"\b(?:born|birth|birthday|birthdate|dob|d\.o\.b|admit|admitted|admission|readmitted|discharged?|died|"
    r"death|dod|passed away|deceased|diagnosed|diagnosis|hospitali[sz]ed|transferred|arrived|"
    r"came in|collapsed|heart attack|operated on|date of (?:surgery|service|visit|procedure)|"
    r"surgery date|procedure date|visit|appointment|seen in clinic|follow-up|funeral|buried|wedding|"
    r"married|injured|accident|clinic|consult|consultation|referred|seen|check-up|checkup)\b"
)
_WEAK = re.compile(
    r"\b(?:he|she|his|her|him|patient|patient's|pt|husband|wife|son|daughter|mother|mom|mum|father|dad|"
    r"brother|sister|grandmother|grandfather|grandma|grandpa|family|baby|child)\b"
)
_PUBLICATION = re.compile(
    r"\b(?:today|tonight|tomorrow|live|livestream(?:ed|ing)?|stream(?:ed|ing)?|broadcast|webcast|tweet(?:ed|ing)?|"
    r"posted|published|update|updates|join|tune|event|session|webinar|q&a|next|replay|recap|watch|follow)\b"
)
_BIRTH_YEAR = re.compile(
    r"\b(?:born|birth year|year of birth|date of birth|dob)\s*(?:is|was|in|:)?\s*(?:in\s+)?"
    rf"(?P<year>{_YEAR})\b",
    re.IGNORECASE,
)

_KIN = "|".join(sorted(KIN_WORDS - {"family", "kids", "kid", "children", "child"}))
_UNITS = (
    r"bpm|beats|mm|mmhg|kg|lbs?|min|mins|minutes|seconds|hours?|hrs?|days?|weeks?|months?|cm|ml|°|degrees|"
    r"am|pm|patients|people|cases|grafts"
)
_AGE_PATTERNS = (
    re.compile(r"\b(?P<n>[0-9]{2,3})[\s\-]*(?:years?|yrs?)[\s\-]*old\b", re.IGNORECASE),
    re.compile(r"\b(?P<n>[0-9]{2,3})\s*(?:yo|y/o|y\.o\.)(?![\w])", re.IGNORECASE),
    re.compile(
        r"\b(?:aged?|age:)\s*(?P<n>[0-9]{2,3})\b"
        r"(?!\s*(?:%|percent|and (?:over|older|above|up)|or (?:older|over|more)|\+|to|-|–))",
        re.IGNORECASE,
    ),
    re.compile(
        rf"\b(?:he|she|who|they|i|i'm|i’m|patient|{_KIN})"
        r"(?:'s|’s|\s+is|\s+was|\s+am|\s+turned|\s+turns|\s+just turned|\s+will be|\s+is now)"
        r"\s+(?P<n>[0-9]{2,3})\b"
        rf"(?!\s*(?:%|percent|{_UNITS}|years? ago|times))",
        re.IGNORECASE,
    ),
    re.compile(
        rf"(?:^|[.!?]\s+|\n)(?:[Aa]t|[Aa]ged)\s+(?P<n>[0-9]{{2,3}})\b(?!\s*(?:%|percent|:|\.[0-9]|{_UNITS}))"
    ),
    re.compile(r"\b(?P<n>[0-9]{2,3})(?:st|nd|rd|th)\s+birthday\b", re.IGNORECASE),
    re.compile(r"(?<=[A-Za-z.]),\s+(?P<n>[0-9]{2,3}),"),
    re.compile(r"(?<=[A-Za-z])\s+\((?P<n>[0-9]{2,3})\)"),
)
_AGE_WORDS = re.compile(
    r"\b(?:(?:in\s+)?(?:his|her|their|the patient's)\s+(?:early\s+|mid[\s\-]?|late\s+)?(?:90s|90's|nineties)"
    r"|(?:super)?centenarian|nonagenarian"
    r"|(?<=his |her )(?:9[0-9]|1[0-2][0-9])(?:st|nd|rd|th)"
    r"|(?<=their )(?:9[0-9]|1[0-2][0-9])(?:st|nd|rd|th))\b",
    re.IGNORECASE,
)
# An age of 90 to 130 (two or three digits, maybe a leading zero) has "9" and a digit or "1" and two digits.
_AGE_NUMBER = re.compile(r"9[0-9]|1[0-9]{2}")
_ASCII_DIGIT = re.compile(r"[0-9]")
_GROUP_BEFORE = re.compile(
    r"\b(?:patients|adults|people|those|individuals|men|women|seniors|cases)\s*$", re.IGNORECASE
)


def find_dates(text: str, today: date | None = None) -> list[Hit]:
    """Return findings for dates tied to a person and for ages over 89."""
    return [*_dates(text, today), *_ages(text), *find_ages_in_words(text)]


def _possible_date_patterns(text: str, digit: bool) -> list[re.Pattern[str]]:
    """Return, in order, the date patterns whose required characters or words occur in `text`."""
    month = digit and _MONTH_WORD.search(text) is not None  # "March 3", "3 March", "March 2024"
    holiday = any(word in text for word in _HOLIDAY_WORDS)
    slash_or_dash = digit and ("/" in text or "-" in text)  # 03/12/2024, 3-12-24
    dotted = digit and "." in text  # 3.12.2024
    separated = slash_or_dash or dotted  # 2024-12-03, 2024/12/03, 2024.12.03
    possible = (month, month, month, holiday, slash_or_dash, dotted, separated)
    return [pattern for pattern, ok in zip(_DATE_PATTERNS, possible, strict=True) if ok]


def _dates(text: str, today: date | None) -> list[Hit]:
    out: list[Hit] = []
    seen: list[tuple[int, int]] = []
    digit = _ASCII_DIGIT.search(text) is not None
    for pattern in _possible_date_patterns(text, digit):
        for m in pattern.finditer(text):
            if any(s <= m.start() and m.end() <= e for s, e in seen):
                continue
            reason = _tie_reason(text, m.start(), m.end())
            if reason is not None:
                seen.append((m.start(), m.end()))
                out.append(hit(DATE, m.start(), m.end(), reason, P_DATE))
    for m in _SHORT_NUMERIC.finditer(text) if digit and "/" in text else ():
        cue = _STRONG.search(context_before(text, m.start(), 25))
        if cue is not None:
            out.append(hit(DATE, m.start(), m.end(), f"date tied to the patient: '{cue.group()}'", P_DATE))
    birth = digit and any(word in caseless(text) for word in ("born", "birth", "dob"))
    for m in _BIRTH_YEAR.finditer(text) if birth else ():
        if (today or wall_now().date()).year - int(m.group("year")) >= 90:
            reason = "birth year showing an age of 90 or more"
            out.append(hit(AGE_OVER_89, m.start("year"), m.end("year"), reason, P_AGE))
    return out


def _tie_reason(text: str, start: int, end: int) -> str | None:
    """Return why a date is tied to a person, or None if it is not."""
    before = context_before(text, start, 60)
    after = context_after(text, end, 30)
    strong = [m.group() for m in _STRONG.finditer(before)] or [m.group() for m in _STRONG.finditer(after)]
    if strong:
        return f"date tied to the patient: '{strong[-1] if _STRONG.search(before) else strong[0]}'"
    published = _PUBLICATION.search(before) or _PUBLICATION.search(after)
    weak = _WEAK.search(before) or _WEAK.search(after)
    if weak is not None and not published:
        return f"date tied to a person: '{weak.group()}'"
    previous = _previous_sentence(text, start)
    cue = _STRONG.search(previous) if previous and not published else None
    if cue is not None:  # "She was seen in clinic in May. On June 3 the scan showed..."
        return f"date tied to the patient (previous sentence: '{cue.group()}')"
    return None


def _previous_sentence(text: str, start: int) -> str:
    """The folded sentence before the one holding `start` (empty at the start of the text)."""
    left, _ = sentence_bounds(text, start, start, 200)
    if left <= 0:
        return ""
    prev_left, _ = sentence_bounds(text, max(0, left - 2), max(0, left - 2), 200)
    return fold(text[prev_left:left])


def _ages(text: str) -> list[Hit]:
    out: list[Hit] = []
    number = _AGE_NUMBER.search(text) is not None
    for pattern in _AGE_PATTERNS if number else ():
        for m in pattern.finditer(text):
            n = int(m.group("n"))
            if not 90 <= n <= 130:
                continue
            if _GROUP_BEFORE.search(text[max(0, m.start() - 20) : m.start()]):
                continue
            end = len(m.group().rstrip(",) ")) + m.start()
            out.append(hit(AGE_OVER_89, m.start("n"), end, "age over 89", P_AGE))
    if not number and not any(word in caseless(text) for word in ("nineties", "enarian")):
        return out  # _AGE_WORDS needs a number, "nineties" or "(super)centenarian"/"nonagenarian"
    for m in _AGE_WORDS.finditer(text):
        out.append(hit(AGE_OVER_89, m.start(), m.end(), "age over 89", P_AGE))
    return out
