"""Mastodon and Bluesky counting: graphemes, URLs, mentions, bytes."""

from __future__ import annotations

import pytest

from server.textrules.bluesky import (
    BLUESKY_MAX_BYTES,
    BLUESKY_MAX_GRAPHEMES,
    bluesky_is_valid,
    bluesky_length,
)
from server.textrules.graphemes import grapheme_count, utf8_length
from server.textrules.mastodon import mastodon_countable_text, mastodon_length

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # 7 code points, 25 bytes
FLAG = "\U0001f1eb\U0001f1f7"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hello", 5),
        (FAMILY, 1),
        (FLAG, 1),
        ("\U0001f44d\U0001f3fd", 1),
        ("中文字", 3),
        ("e\u0301", 1),  # combining accent
        ("\u1100\u1161\u11a8", 1),  # Hangul jamo
        ("\u0928\u093f", 1),  # Devanagari consonant + vowel sign
        ("a\r\nb", 3),
        ("", 0),
    ],
)
def test_grapheme_count(text: str, expected: int) -> None:
    assert grapheme_count(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hello", 5),
        ("see https://example.com/a/very/long/path?with=query", 4 + 23),
        ("see http://x.co", 4 + 23),
        ("example.com/no/protocol", 23),  # without a protocol it is plain text
        ("@alice@example.social hi", len("@alice hi")),
        ("@alice hi", 9),
        ("cc @bob@mastodon.example and @carol", len("cc @bob and @carol")),
        ("me@example.com", 14),  # an e-mail address is not a mention
        ("https://example.com/@alice@example.com", 23),  # the mention inside the URL is not counted twice
        (FAMILY + " " + FLAG, 3),
        ("中文" * 10, 20),
        ("   ", 0),  # blank text counts 0
    ],
)
def test_mastodon_length(text: str, expected: int) -> None:
    assert mastodon_length(text) == expected


def test_mastodon_url_length_and_spoiler() -> None:
    assert mastodon_length("https://example.com", url_length=30) == 30
    assert mastodon_length("abc", spoiler_text="cw") == 5
    assert mastodon_countable_text("hi @a@b.example https://example.com") == "hi @a " + "x" * 23


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hello", (5, 5)),
        ("中文", (2, 6)),
        (FAMILY, (1, 25)),
        (FLAG, (1, 8)),
        ("e\u0301", (1, 3)),
        ("https://example.com/path", (24, 24)),  # URLs count in full
        ("", (0, 0)),
    ],
)
def test_bluesky_length(text: str, expected: tuple[int, int]) -> None:
    assert bluesky_length(text) == expected


def test_bluesky_limits() -> None:
    assert (BLUESKY_MAX_GRAPHEMES, BLUESKY_MAX_BYTES) == (300, 3000)
    assert bluesky_is_valid("a" * 300)
    assert not bluesky_is_valid("a" * 301)
    assert bluesky_is_valid(FAMILY * 120)  # 120 graphemes, 3000 bytes
    assert not bluesky_is_valid(FAMILY * 121)  # 3025 bytes


def test_utf8_length_of_lone_surrogate() -> None:
    assert utf8_length("\ud800") == 3
