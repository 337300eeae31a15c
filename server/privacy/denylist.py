"""Per-event denylist of identifiers (patient name, MRN, ...) stored only as salted HMAC-SHA256 hashes.

Entries are entered once per event in plain text, normalised, hashed with the event's secret salt and
forgotten: no plaintext is kept, logged or shown by `repr`. Normalising casefolds, applies NFKC, strips
accents, and treats every non-alphanumeric character as a word break; an entry is then hashed as the
concatenation of its words, so "John Smith", "john  SMITH", "John-Smith", "JohnSmith" and "J O H N
S M I T H" all match. For entries with digits, the span from the first to the last digit-bearing word
is hashed too, so "MRN 12-345-678" also matches "12345678". Two- and three-word entries also match in
any word order ("Smith, John").

The salt is a secret (derive it from the server key and the event id) and is not part of `to_storage()`:
with the salt, short names could be guessed by brute force.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from server.privacy.phi_types import DENYLIST, Finding

STORAGE_VERSION = 1
MIN_SALT_BYTES = 16
MAX_MATCH_CHARS = 128  # longest normalised entry that can match
_HASH_PREFIX = b"livecue-denylist-v1\x00"
REASON = "matches an identifier on the event's denylist"


def _fold_char(ch: str) -> str:
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", ch).casefold())
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))


def _tokens(text: str) -> list[tuple[str, int, int]]:
    """Split text into normalised alphanumeric tokens, each with its span in the original text."""
    out: list[tuple[str, int, int]] = []
    buf: list[str] = []
    start = 0
    for i, ch in enumerate(text):
        folded = _fold_char(ch) if not unicodedata.combining(ch) else None
        if folded is None:  # a combining mark continues the current token
            continue
        if folded:
            if not buf:
                start = i
            buf.append(folded)
            continue
        if buf:
            out.append(("".join(buf), start, i))
            buf = []
    if buf:
        out.append(("".join(buf), start, len(text)))
    return out


def _variants(entry: str) -> set[str]:
    """Return the normalised forms of one entry that are hashed."""
    toks = [t for t, _, _ in _tokens(entry)]
    if not toks:
        return set()
    forms = {"".join(toks)}
    if 2 <= len(toks) <= 3:
        forms.update("".join(p) for p in itertools.permutations(toks))
    digit_idx = [i for i, t in enumerate(toks) if any(c.isdigit() for c in t)]
    if digit_idx:
        core = "".join(toks[digit_idx[0] : digit_idx[-1] + 1])
        if sum(c.isdigit() for c in core) >= 4:
            forms.add(core)
            forms.add("".join(toks[digit_idx[0] :]))
    return {f for f in forms if len(f) <= MAX_MATCH_CHARS}


def _digest(key: bytes, form: str) -> str:
    return hmac.new(key, _HASH_PREFIX + form.encode("utf-8"), hashlib.sha256).hexdigest()


class Denylist:
    """A set of salted hashes of identifiers; `find` returns where they occur in a text."""

    __slots__ = ("_hashes", "_key", "_max_ngram")

    def __init__(self, salt: bytes, hashes: Iterable[str], max_ngram: int) -> None:
        if not isinstance(salt, bytes) or len(salt) < MIN_SALT_BYTES:
            raise ValueError(f"the salt must be at least {MIN_SALT_BYTES} bytes")
        if max_ngram < 1:
            raise ValueError("max_ngram must be at least 1")
        self._key = salt
        self._hashes = frozenset(hashes)
        self._max_ngram = max_ngram

    @classmethod
    def build(cls, entries: Iterable[str], salt: bytes) -> Denylist:
        """Hash plaintext entries with the event's salt; the plaintext is not kept."""
        forms: set[str] = set()
        for entry in entries:
            forms.update(_variants(entry))
        longest = max((len(f) for f in forms), default=1)
        # Window in text tokens: an entry may be spelled one letter per token ("J O H N").
        max_ngram = min(MAX_MATCH_CHARS, -(-longest // 8) * 8)
        return cls(salt, {_digest(salt, f) for f in forms}, max_ngram)

    @classmethod
    def from_hashes(cls, salt: bytes, hashes: Iterable[str], max_ngram: int) -> Denylist:
        """Rebuild a denylist from stored hashes and the event's salt."""
        return cls(salt, hashes, max_ngram)

    @classmethod
    def from_storage(cls, salt: bytes, data: Mapping[str, Any]) -> Denylist:
        """Rebuild a denylist from the dict made by `to_storage`."""
        if data.get("version") != STORAGE_VERSION:
            raise ValueError("unsupported denylist storage version")
        return cls(salt, data["hashes"], int(data["max_ngram"]))

    def to_storage(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict of the hashes (no plaintext, no salt)."""
        return {
            "version": STORAGE_VERSION,
            "algorithm": "hmac-sha256",
            "max_ngram": self._max_ngram,
            "hashes": sorted(self._hashes),
        }

    def __len__(self) -> int:
        return len(self._hashes)

    def __repr__(self) -> str:
        return f"Denylist(<{len(self._hashes)} hashed forms>, max_ngram={self._max_ngram})"

    __str__ = __repr__

    def find(self, text: str) -> list[Finding]:
        """Return non-overlapping spans of `text` that match an entry, longest match first."""
        if not self._hashes:
            return []
        toks = _tokens(text)
        out: list[Finding] = []
        i = 0
        while i < len(toks):
            best = -1
            joined = ""
            for j in range(i, min(len(toks), i + self._max_ngram)):
                joined += toks[j][0]
                if len(joined) > MAX_MATCH_CHARS:
                    break
                if _digest(self._key, joined) in self._hashes:
                    best = j
            if best >= 0:
                out.append(Finding(DENYLIST, toks[i][1], toks[best][2], REASON))
                i = best + 1
            else:
                i += 1
        return out
