"""Features of the learned triage model, shared by training (`triage_train`) and prediction (`triage_model`).

The model reads the same normalised text the rules read (`triage_text.normalize`: casefolded, accents
stripped, emoji as words, links/handles/money as placeholder tokens), so both layers see one message the
same way. Features are word unigrams, word bigrams and character 3-5-grams inside words: the character
n-grams are what lets one small model carry French and Spanish ("respire", "respira", "respirar" share
"resp"), typos and inflections that a word list misses.

Each feature is hashed into `BUCKETS` slots with CRC-32, not Python's `hash` (salted per process, so a
model trained in one process would be read wrongly in the next). A value is the feature's count divided by
the square root of the number of features in the message: close to unit length, and it lets the model add
up one cached weight vector per word instead of hashing every character n-gram of every message.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter
from typing import Final

BUCKETS: Final = 1 << 15
CHAR_NGRAMS: Final = (3, 4, 5)
TOKEN_CACHE_SIZE: Final = 50_000
_token_slots_cache: dict[str, tuple[int, ...]] = {}


def token_features(tok: str) -> list[str]:
    """The features one word gives on its own: the word and its character n-grams (padded with spaces)."""
    names = [f"w:{tok}"]
    padded = f" {tok} "
    for n in CHAR_NGRAMS:
        names += [f"c:{padded[i:i + n]}" for i in range(len(padded) - n + 1)]
    return names


def feature_names(text: str) -> list[str]:
    """The features of one normalised text (clause marks dropped), with repeats."""
    tokens = [t for t in text.split() if t != "."]
    names = [name for tok in tokens for name in token_features(tok)]
    names += [f"b:{a}_{b}" for a, b in zip(tokens, tokens[1:], strict=False)]
    return names


def bucket(name: str) -> int:
    """The slot of one feature name: stable across processes and machines."""
    return zlib.crc32(name.encode("utf-8")) & (BUCKETS - 1)


def tokens_of(text: str) -> list[str]:
    """The words of a normalised text (clause marks dropped)."""
    return [t for t in text.split() if t != "."]


def bigram_slots(tokens: list[str]) -> list[int]:
    """The slots of the word bigrams of a message."""
    return [bucket(f"b:{a}_{b}") for a, b in zip(tokens, tokens[1:], strict=False)]


def token_slots(tok: str) -> tuple[int, ...]:
    """The slots of one word's own features, memoised: most words of a live chat repeat."""
    slots = _token_slots_cache.get(tok)
    if slots is None:
        slots = tuple(bucket(name) for name in token_features(tok))
        if len(_token_slots_cache) >= TOKEN_CACHE_SIZE:
            _token_slots_cache.clear()
        _token_slots_cache[tok] = slots
    return slots


def vectorize(text: str) -> tuple[list[int], list[float]]:
    """Sparse vector of a normalised text: slot indices and their values (empty for no words).

    Equal to hashing every name of `feature_names(text)` (a test checks it); each word's slots come from a
    cache, so only the bigrams are hashed per message.
    """
    tokens = tokens_of(text)
    slots: list[int] = []
    for tok in tokens:
        slots += token_slots(tok)
    slots += bigram_slots(tokens)
    if not slots:
        return [], []
    scale = 1.0 / math.sqrt(len(slots))
    counts = Counter(slots)
    return list(counts), [c * scale for c in counts.values()]
