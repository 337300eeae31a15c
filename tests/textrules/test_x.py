"""X weighting beyond the conformance vectors: emoji forms, URL forms, configs, and pathological input."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.textrules.emoji import find_emoji
from server.textrules.twitter import CONFIG_V2, CONFIG_V3, parse_tweet, x_is_valid, x_weighted_length
from server.textrules.urls import _matches, _patterns, extract_urls, utf16_units


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hello", 5),
        ("A\u0301", 1),  # NFC composes to one code point
        ("中文", 4),
        ("\u00a9", 1),  # copyright sign is text unless followed by VS16
        ("\u00a9\ufe0f", 2),
        ("#\ufe0f\u20e3", 2),  # keycap
        ("1\u20e3", 2),
        ("\U0001f1eb\U0001f1f7", 2),  # flag
        ("\u2764\ufe0f", 2),
        ("\u2764\ufe0e", 4),  # text presentation: heart (2) + VS15 (2)
        ("\U0001f44d\U0001f3fd", 2),  # skin tone
        ("\U0001f3f3\ufe0f\u200d\U0001f308", 2),  # rainbow flag (ZWJ)
        ("\U0001f469\u200d\u2764\ufe0f\u200d\U0001f48b\u200d\U0001f468", 2),  # kiss (ZWJ)
        ("\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f", 2),  # Scotland
        ("a\u200db", 3),  # ZWJ between letters is an ordinary character of weight 1
        ("\u2019\u201c\u201d", 3),  # quotes are in the weight-1 ranges
    ],
)
def test_weights(text: str, expected: int) -> None:
    assert x_weighted_length(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://example.com/" + "a" * 500, 23),
        ("see example.com", 27),
        ("see example.de", 14),  # bare two-letter country domain without a path is not a link
        ("see example.de/x", 27),
        ("t.co", 23),
        ("HTTPS://WWW.EXAMPLE.COM/X", 23),
        ("mail me@example.com", 19),  # "@" before a domain: not a link
        ("ftp://example.com", 17),  # a domain right after "/" is not a link
        ("https://t.co/abc123/extra", 23 + 6),  # t.co links end after the slug
        ("http://example.com, http://example.org.", 23 + 2 + 23 + 1),
        ("(https://en.wikipedia.org/wiki/Primer_(film))", 1 + 23 + 1),
        ("example.notatld", 15),
        ("\U0001f600example.com", 2 + 23),
    ],
)
def test_urls(text: str, expected: int) -> None:
    assert x_weighted_length(text) == expected


def test_limits_and_validity() -> None:
    assert x_is_valid("a" * 280)
    assert not x_is_valid("a" * 281)
    assert not x_is_valid("")
    assert x_is_valid("中" * 140)
    assert not x_is_valid("中" * 141)
    assert not x_is_valid("ok\ufeff")
    assert parse_tweet("a" * 281).valid_range_end == 279


def test_v2_weighs_emoji_by_code_point() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"
    assert parse_tweet(family, CONFIG_V2).weighted_length == 11
    assert parse_tweet(family, CONFIG_V3).weighted_length == 2


def test_custom_url_length() -> None:
    config = replace(CONFIG_V3, transformed_url_length=30)
    assert parse_tweet("https://example.com", config).weighted_length == 30


def test_utf16_units_split_astral_characters() -> None:
    assert utf16_units("a\U0001f600") == "a\ud83d\ude00"
    assert utf16_units("abc") == "abc"
    assert find_emoji("a\U0001f600b") == [(1, 2)]


def test_url_entities() -> None:
    [url] = extract_urls("go to www.example.com/x?y=1 now")
    assert (url.start, url.end, url.length) == (6, 27, 21)
    assert extract_urls("example.com", without_protocol=False) == []
    assert extract_urls("no dots here") == []


@pytest.mark.parametrize(
    "text",
    [
        "x-" * 20000 + ".",
        "中" * 20000,
        "a_" * 10000 + "a.com",
        "a." * 10000 + "-",
        "-a_" * 7000 + "a.com",
        "https://" + "a" * 30000 + ".com",
    ],
)
def test_pathological_text_is_fast(text: str) -> None:
    started = time.perf_counter()
    parse_tweet(text)
    assert time.perf_counter() - started < 5


_URLISH = st.lists(
    st.sampled_from(
        [
            "a",
            "x",
            "-",
            "_",
            ".",
            "com",
            "co",
            "de",
            "tv",
            "t.co",
            "/",
            "?",
            "=",
            ":",
            "8",
            " ",
            "http://",
            "HTTPS://",
            "www.",
            "é",
            "中",
            "\u3002",
            "@",
            "#",
            "(",
            ")",
            "xn--",
            "\U0001f600",
            "\u202a",
            ".com",
            ".net",
            "\u067e\u0627\u06a9\u0633\u062a\u0627\u0646",
            "onion",
            "..",
            "~",
            ",",
        ]
    ),
    max_size=30,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(_URLISH)
def test_fast_matcher_equals_plain_search(text: str) -> None:
    """The linear pre-filter never changes what the URL pattern finds."""
    for candidate in (text, utf16_units(text)):
        expected = [m.span() for m in _patterns().extract.finditer(candidate)]
        assert [m.span() for m in _matches(candidate)] == expected
