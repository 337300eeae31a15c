"""Language of an audience message: English, French and Spanish are screened; any other language is flagged.

Risk cues for all three screened languages run on every message anyway (a misdetected language must not
cost an alert), so detection only decides one thing: whether a message is in a language nobody screens, in
which case it goes to the clinicians' queue marked "language not screened".

`py3langid` (a small naive-Bayes identifier; its model is numpy arrays in the package, loaded without
pickle, nothing downloaded) is restricted to `CANDIDATES`: on one-line messages a free choice among 97
languages picks exotic ones for "ok lol". A message counts as another language only when the identifier is
sure (`MIN_CONFIDENCE`), the message has a few words, and it has none of the screened languages' common
words; short or mixed messages count as screened.
"""

from __future__ import annotations

import functools
import re
import threading
from typing import Any, Final

SCREENED: Final = frozenset({"en", "fr", "es"})
CANDIDATES: Final = (
    "en", "fr", "es", "de", "it", "pt", "nl", "pl", "ro", "sv", "da", "no", "fi", "tr", "ru", "uk", "el", "ar",
    "he", "fa", "hi", "ur", "bn", "zh", "ja", "ko", "vi", "id", "ms", "tl", "sw", "cs", "hu",
)
MIN_CONFIDENCE: Final = 0.9
MIN_WORDS: Final = 3
_WORD = re.compile(r"[^\W\d_]+")
# Common words of the screened languages that other languages rarely use ("que" and "la" are Portuguese and
# Italian too): any of these and the message is read as screened, in the language with the most of them.
_COMMON_WORDS: Final = {
    "en": frozenset("the and is are you my it this that what how why i im to of in with for was have not".split()),
    "fr": frozenset("je est les des vous pas avec dans sur mon ce qui une et j ai suis mais tres".split()),
    "es": frozenset("el los las yo pero muy tengo esta estoy por mi se del y".split()),
}
_SCREENED_WORDS: Final = _COMMON_WORDS["en"] | _COMMON_WORDS["fr"] | _COMMON_WORDS["es"]
_lock = threading.Lock()


@functools.cache
def _identifier() -> Any:
    """py3langid's identifier limited to CANDIDATES, built once (about 1.5 s, on first use)."""
    with _lock:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        identifier.set_languages(list(CANDIDATES))
        return identifier


def preload() -> None:
    """Load the identifier now (the server calls this at start so no message waits for it)."""
    _identifier()


def detect(raw: str) -> tuple[str, bool]:
    """(language code, screened?) of a raw message; ("en", True) when unsure."""
    words = [w.casefold() for w in _WORD.findall(raw)]
    if len(words) < MIN_WORDS or any(w in _SCREENED_WORDS for w in words):
        return _best_screened(words), True
    language, confidence = _identifier().classify(raw)
    if language in SCREENED:
        return str(language), True
    if confidence < MIN_CONFIDENCE:
        return _best_screened(words), True
    return str(language), False


def _best_screened(words: list[str]) -> str:
    """English, French or Spanish by their common words (English on a tie; screening covers all three)."""
    counts = {lang: sum(w in common for w in words) for lang, common in _COMMON_WORDS.items()}
    best = max(counts, key=lambda lang: counts[lang])
    return best if counts[best] > counts["en"] else "en"
