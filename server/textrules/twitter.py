"""X post length: a port of twitter-text's `parseTweet` (js/src/parseTweet.js, config v3).

The text is NFC-normalised; then, walking it in UTF-16 code units as JavaScript does, every URL adds
`transformedURLLength` (23), every emoji adds `defaultWeight` (2, when `emojiParsingEnabled`), and every other
character adds the weight of the range its code unit falls in (1 for U+0000-U+10FF and a few punctuation
ranges, 2 otherwise, so CJK counts 2). All weights are in hundredths (`scale` 100). A post is valid when
its weighted length is in 1..280 and it has no U+FFFE, U+FEFF or U+FFFF.
"""

from __future__ import annotations

import json
import math
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from typing import Any

from server.textrules.emoji import find_emoji
from server.textrules.urls import extract_urls, utf16_units

_INVALID_UNITS = frozenset("\ufffe\ufeff\uffff")


@dataclass(frozen=True)
class WeightRange:
    """Code points `start..end` (inclusive) weigh `weight` (in `scale` units)."""

    start: int
    end: int
    weight: int


@dataclass(frozen=True)
class TwitterTextConfig:
    """One twitter-text configuration file (`config/v2.json`, `config/v3.json`)."""

    version: int
    max_weighted_tweet_length: int
    scale: int
    default_weight: int
    transformed_url_length: int
    ranges: tuple[WeightRange, ...]
    emoji_parsing_enabled: bool = False

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TwitterTextConfig:
        """Build a configuration from the JSON object twitter-text ships."""
        return cls(
            version=int(data["version"]),
            max_weighted_tweet_length=int(data["maxWeightedTweetLength"]),
            scale=int(data["scale"]),
            default_weight=int(data["defaultWeight"]),
            transformed_url_length=int(data["transformedURLLength"]),
            ranges=tuple(
                WeightRange(int(r["start"]), int(r["end"]), int(r["weight"])) for r in data["ranges"]
            ),
            emoji_parsing_enabled=bool(data.get("emojiParsingEnabled", False)),
        )


@lru_cache(maxsize=1)
def _load_v3() -> TwitterTextConfig:
    raw = resources.files("server.textrules.data").joinpath("config-v3.json").read_text("utf-8")
    return TwitterTextConfig.from_json(json.loads(raw))


CONFIG_V3: TwitterTextConfig = _load_v3()
"""The configuration X uses today (280 weighted, URL 23, emoji 2)."""

CONFIG_V2: TwitterTextConfig = replace(CONFIG_V3, version=2, emoji_parsing_enabled=False)
"""twitter-text's previous default: the same weights, but emoji are weighed code point by code point."""


@dataclass(frozen=True)
class ParsedTweet:
    """twitter-text's `parseTweet` result; ranges are inclusive UTF-16 indices into the original text."""

    weighted_length: int
    valid: bool
    permillage: int
    display_range_start: int
    display_range_end: int
    valid_range_start: int
    valid_range_end: int


def _char_weight(unit: int, config: TwitterTextConfig) -> int:
    for r in config.ranges:
        if r.start <= unit <= r.end:
            return r.weight
    return config.default_weight


def _emoji_starts(text: str) -> dict[int, int]:
    """Map UTF-16 start index -> UTF-16 length for each emoji of `text` (a code-point string)."""
    spans = find_emoji(text)
    if not spans:
        return {}
    offsets = [0]
    for ch in text:
        offsets.append(offsets[-1] + (2 if ord(ch) > 0xFFFF else 1))
    return {offsets[s]: offsets[e] - offsets[s] for s, e in spans}


def parse_tweet(text: str, config: TwitterTextConfig = CONFIG_V3) -> ParsedTweet:
    """Weigh `text` as X does; never raises."""
    normalized = unicodedata.normalize("NFC", text)
    units = utf16_units(normalized)
    urls = {u.start: u.length for u in extract_urls(units)}
    emoji = _emoji_starts(normalized) if config.emoji_parsing_enabled else {}
    limit = config.max_weighted_tweet_length * config.scale

    weighted = 0
    valid = True
    valid_display_index = 0
    i = 0
    n = len(units)
    while i < n:
        if i in urls:
            weighted += config.transformed_url_length * config.scale
            i += urls[i] - 1
        elif i in emoji:
            weighted += config.default_weight
            i += emoji[i] - 1
        else:
            if i < n - 1 and "\ud800" <= units[i] <= "\udbff" and "\udc00" <= units[i + 1] <= "\udfff":
                i += 1  # twitter-text weighs a surrogate pair by its second code unit
            weighted += _char_weight(ord(units[i]), config)
        if valid:
            valid = units[i] not in _INVALID_UNITS
        if valid and weighted <= limit:
            valid_display_index = i
        i += 1

    length = weighted / config.scale
    valid = valid and 0 < length <= config.max_weighted_tweet_length
    original_units = len(utf16_units(text))
    return ParsedTweet(
        weighted_length=weighted // config.scale,
        valid=valid,
        permillage=math.floor(length / config.max_weighted_tweet_length * 1000),
        display_range_start=0,
        display_range_end=original_units - 1 if original_units > 0 else 0,
        valid_range_start=0,
        valid_range_end=valid_display_index + (original_units - n),
    )


def x_weighted_length(text: str) -> int:
    """Return the length X counts for `text` (twitter-text v3: URL 23, emoji 2, CJK 2)."""
    return parse_tweet(text).weighted_length


def x_is_valid(text: str) -> bool:
    """Return True when X accepts `text`: 1..280 weighted characters and no U+FFFE/U+FEFF/U+FFFF."""
    return parse_tweet(text).valid
