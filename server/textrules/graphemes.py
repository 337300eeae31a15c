"""Grapheme clusters (what a reader sees as one character) and UTF-8 length."""

from __future__ import annotations

import regex

_GRAPHEME = regex.compile(r"\X")


def grapheme_count(text: str) -> int:
    """Return the number of extended grapheme clusters in `text` (Unicode UAX #29)."""
    return sum(1 for _ in _GRAPHEME.finditer(text))


def utf8_length(text: str) -> int:
    """Return the UTF-8 byte length of `text` (a lone surrogate counts 3, as U+FFFD would)."""
    return len(text.encode("utf-8", "surrogatepass"))
