"""Per-platform text-length and media rules.

How each platform counts a post's text (the number `text_length` returns, shown on counters):

- X: twitter-text v3 weighting (`twitter.py`). The text is NFC-normalised; each URL counts 23 (with or
  without `https://`, if its domain ends in a known TLD), each emoji counts 2 (including ZWJ sequences,
  flags, keycaps and skin tones), code points U+0000-U+10FF and some punctuation (U+2000-U+200D,
  U+2010-U+201F, U+2032-U+2037) count 1, everything else (CJK, most symbols) counts 2. Limit 280.
- Mastodon: grapheme clusters, after rewriting each `http(s)://` URL as 23 characters and each
  `@user@domain` as `@user` (`mastodon.py`). Limit 500 by default; instances may change both numbers.
- Bluesky: grapheme clusters (limit 300) and, separately, UTF-8 bytes (limit 3000). URLs count in full.
- Sandbox: grapheme clusters, limit 500.

`check_text` and `check_media` return human-readable problems; an empty list means the post is fine.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import replace

from server.platforms.base import Capabilities
from server.platforms.capabilities import CAPABILITIES, PLATFORM_NAMES, get_capabilities
from server.textrules.bluesky import bluesky_length
from server.textrules.graphemes import grapheme_count, utf8_length
from server.textrules.mastodon import mastodon_length
from server.textrules.media import DISPLAY_NAMES, MediaSpec, media_problems
from server.textrules.twitter import CONFIG_V3, parse_tweet, x_is_valid, x_weighted_length

__all__ = [
    "CAPABILITIES",
    "PLATFORMS",
    "MediaSpec",
    "bluesky_length",
    "check_media",
    "check_text",
    "get_capabilities",
    "grapheme_count",
    "mastodon_length",
    "text_length",
    "x_is_valid",
    "x_weighted_length",
]

PLATFORMS = PLATFORM_NAMES  # the capability table's keys

_X_INVALID = ("\ufffe", "\ufeff", "\uffff")


def _x_length(text: str, cap: Capabilities) -> int:
    if cap.url_length is None or cap.url_length == CONFIG_V3.transformed_url_length:
        return x_weighted_length(text)
    return parse_tweet(text, replace(CONFIG_V3, transformed_url_length=cap.url_length)).weighted_length


def text_length(platform: str, text: str, capabilities: Capabilities | None = None) -> int:
    """Return the number a counter shows for `text` on `platform`: weighted for X, graphemes otherwise."""
    cap = capabilities or get_capabilities(platform)
    if platform == "x":
        return _x_length(text, cap)
    if platform == "mastodon":
        return mastodon_length(text, cap.url_length if cap.url_length is not None else 23)
    get_capabilities(platform)  # unknown platforms raise ValueError
    return grapheme_count(text)


def check_text(platform: str, text: str, capabilities: Capabilities | None = None) -> list[str]:
    """Return the problems of `text` on `platform` (e.g. "text is 291/280 weighted characters on X")."""
    cap = capabilities or get_capabilities(platform)
    name = DISPLAY_NAMES.get(platform, platform)
    if not text.strip():
        return ["text is empty"]
    length = text_length(platform, text, cap)
    unit = {"x": "weighted characters", "bluesky": "graphemes"}.get(platform, "characters")
    problems = []
    if length > cap.text_limit:
        problems.append(f"text is {length}/{cap.text_limit} {unit} on {name}")
    if cap.byte_limit is not None:
        size = utf8_length(text)
        if size > cap.byte_limit:
            problems.append(f"text is {size}/{cap.byte_limit} UTF-8 bytes on {name}")
    if platform == "x":
        bad = sorted({f"U+{ord(c):04X}" for c in unicodedata.normalize("NFC", text) if c in _X_INVALID})
        if bad:
            problems.append(f"text contains {', '.join(bad)}, which X does not accept")
    return problems


def check_media(
    platform: str, media: Sequence[MediaSpec], capabilities: Capabilities | None = None
) -> list[str]:
    """Return the problems of a post's `media` on `platform`: count, mix, type, size, pixels, alt text."""
    cap = capabilities or get_capabilities(platform)
    return media_problems(DISPLAY_NAMES.get(platform, platform), cap, media)
