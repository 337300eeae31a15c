"""Mastodon status length, as its `StatusLengthValidator` counts it.

The text is rewritten before counting: every URL with an explicit `http://` or `https://` becomes 23
characters (the instance's `characters_reserved_per_url`), every mention `@user@domain` becomes `@user`;
then grapheme clusters are counted. A content warning (`spoiler_text`) counts too, as written. A blank text
counts 0. URLs are found with twitter-text's rules (Mastodon uses twitter-text's extractor).
"""

from __future__ import annotations

import regex

from server.textrules.graphemes import grapheme_count
from server.textrules.urls import extract_urls

MASTODON_DEFAULT_LIMIT = 500
MASTODON_URL_LENGTH = 23

_USERNAME = r"[a-z0-9_]+(?:[.\-]+[a-z0-9_]+)*"
_MENTION = regex.compile(rf"(?<![=/\w])@({_USERNAME})(?:@\w+(?:[.\-]+\w+)*)?", regex.IGNORECASE)
# twitter-text's end_mention_match: a mention directly followed by these is not a mention.
_MENTION_END = regex.compile(r"[@\uff20\xc0-\xd6\xd8-\xf6\xf8-\xff\u0100-\u024f]|://")
_BLANK = regex.compile(r"\s*")


def _entities(text: str, url_length: int) -> list[tuple[int, int, str]]:
    """Return (start, end, replacement) for each URL and mention, without overlaps, in order."""
    found = [(u.start, u.end, "x" * url_length) for u in extract_urls(text, without_protocol=False)]
    for m in _MENTION.finditer(text):
        if not _MENTION_END.match(text, m.end()):
            found.append((m.start(), m.end(), "@" + m.group(1)))
    found.sort(key=lambda e: e[0])
    kept: list[tuple[int, int, str]] = []
    for entity in found:
        if not kept or entity[0] >= kept[-1][1]:
            kept.append(entity)
    return kept


def mastodon_countable_text(text: str, url_length: int = MASTODON_URL_LENGTH) -> str:
    """Return `text` as Mastodon counts it: URLs as `url_length` x's and mentions without their domain."""
    if _BLANK.fullmatch(text):
        return ""
    parts: list[str] = []
    last = 0
    for start, end, replacement in _entities(text, url_length):
        parts.append(text[last:start])
        parts.append(replacement)
        last = end
    parts.append(text[last:])
    return "".join(parts)


def mastodon_length(text: str, url_length: int = MASTODON_URL_LENGTH, *, spoiler_text: str = "") -> int:
    """Return the length Mastodon counts: graphemes, each URL as `url_length`, `@user@domain` as `@user`."""
    return grapheme_count(spoiler_text + mastodon_countable_text(text, max(0, url_length)))
