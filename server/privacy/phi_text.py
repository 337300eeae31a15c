"""Text helpers for the PHI screen: folding, word tokens with offsets, sentence context."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from server.privacy.phi_lexicon import word_set

# A word: letters, with inner apostrophes or hyphens ("O'Brien", "Gonzalez-Ruiz", "brother-in-law").
_WORD_RE = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_SENTENCE_END_RE = re.compile(r"[.!?]+[\"'”’)]*(?:\s|$)|\n|\s[-–—]\s|;")


# re.IGNORECASE matches an ASCII letter also to these four characters; mapping them before lower() makes
# every ASCII word that a case-insensitive pattern matched in a text a substring of caseless(text).
_IGNORECASE_EXTRAS = str.maketrans({"İ": "i", "ı": "i", "ſ": "s", "K": "k"})


def caseless(text: str) -> str:
    """Return text lower-cased for cheap "could a case-insensitive pattern match?" checks."""
    return text.lower() if text.isascii() else text.translate(_IGNORECASE_EXTRAS).lower()


def fold(text: str) -> str:
    """Return text NFKC-normalised, casefolded and stripped of accents."""
    if text.isascii():  # all three are no-ops on ASCII except case folding
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@dataclass(slots=True)  # not frozen: a frozen dataclass is 4x slower to build, and there is one per word
class Word:
    """One word of the text: its span (possessive "'s" excluded), surface text and folded key."""

    start: int
    end: int
    text: str
    key: str
    possessive: bool

    @property
    def is_cap(self) -> bool:
        """True when the word starts with a capital and is not an all-caps acronym."""
        first = self.text[0]
        if not first.isupper():
            return False
        return len(self.text) == 1 or not self.text.isupper() or len(self.text) > 4


def words(text: str) -> list[Word]:
    """Split text into words with offsets; a trailing possessive is dropped from the span."""
    out: list[Word] = []
    for m in _WORD_RE.finditer(text):
        start, end = m.start(), m.end()
        surface = m.group()
        possessive = False
        if len(surface) > 2 and surface[-2] in "'’" and surface[-1] in "sS":
            surface, end, possessive = surface[:-2], end - 2, True
        elif end < len(text) and text[end] in "'’" and surface[-1] in "sS" and surface[0].isupper():
            possessive = end + 1 >= len(text) or not text[end + 1].isalnum()
        out.append(Word(start, end, surface, fold(surface), possessive))
    return out


def sentence_bounds(text: str, start: int, end: int, window: int = 200) -> tuple[int, int]:
    """Return the bounds of the sentence (or clause) holding text[start:end], looking `window` chars out."""
    lo = max(0, start - window)
    left = lo
    for m in _SENTENCE_END_RE.finditer(text, lo, start):
        if not _is_abbreviation_end(text, m.start()):
            left = m.end()
    hi = min(len(text), end + window)
    right = hi
    for m in _SENTENCE_END_RE.finditer(text, end, hi):
        if not _is_abbreviation_end(text, m.start()):
            right = m.start()
            break
    return left, right


_ABBREVIATIONS = word_set(
    "dr drs mr mrs ms mx prof st jr sr no vs etc approx dept ext apt jan feb mar apr jun jul aug sep sept "
    "oct nov dec mon tue wed thu fri sat sun e.g i.e"
)


def _is_abbreviation_end(text: str, dot: int) -> bool:
    """True when the '.' at `dot` ends a known abbreviation or an initial rather than a sentence."""
    if dot >= len(text) or text[dot] != ".":
        return False
    i = dot
    while i > 0 and (text[i - 1].isalpha() or text[i - 1] == "."):
        i -= 1
    token = fold(text[i:dot])
    return token in _ABBREVIATIONS or len(token) == 1


def context_before(text: str, start: int, limit: int) -> str:
    """Return up to `limit` folded characters before `start`, within the same sentence."""
    left, _ = sentence_bounds(text, start, start, limit)
    return fold(text[max(left, start - limit) : start])


def context_after(text: str, end: int, limit: int) -> str:
    """Return up to `limit` folded characters after `end`, within the same sentence."""
    _, right = sentence_bounds(text, end, end, limit)
    return fold(text[end : min(right, end + limit)])


def overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """True when [start, end) overlaps any of `spans`."""
    return any(start < s_end and s_start < end for s_start, s_end in spans)
