"""Bluesky post length: the lexicon limits `maxGraphemes: 300` and `maxLength: 3000` (UTF-8 bytes).

URLs count at their full length: Bluesky has no link shortening.
"""

from __future__ import annotations

from server.textrules.graphemes import grapheme_count, utf8_length

BLUESKY_MAX_GRAPHEMES = 300
BLUESKY_MAX_BYTES = 3000


def bluesky_length(text: str) -> tuple[int, int]:
    """Return (grapheme clusters, UTF-8 bytes) of `text`, the two numbers Bluesky limits."""
    return grapheme_count(text), utf8_length(text)


def bluesky_is_valid(text: str) -> bool:
    """Return True when `text` fits both Bluesky limits (300 graphemes and 3000 bytes)."""
    graphemes, size = bluesky_length(text)
    return graphemes <= BLUESKY_MAX_GRAPHEMES and size <= BLUESKY_MAX_BYTES
