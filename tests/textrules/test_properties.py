"""Properties over arbitrary Unicode text: the counters never raise and agree with simple bounds."""

from __future__ import annotations

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from server.textrules import PLATFORMS, check_text, text_length
from server.textrules.bluesky import bluesky_length
from server.textrules.graphemes import grapheme_count
from server.textrules.mastodon import mastodon_length
from server.textrules.twitter import CONFIG_V2, CONFIG_V3, parse_tweet
from server.textrules.urls import utf16_units

# Plain text plus the characters the rules care about, so URL-, emoji- and mention-like runs are common.
_TEXT = st.lists(
    st.one_of(
        st.characters(),
        st.sampled_from(list(".:/@#-_ ©\u20e3\ufe0f\u200d\U0001f468\U0001f3fd\U0001f1eb\U0001f1f7中é")),
        st.sampled_from(["https://", "www.", ".com", ".co", "example", "t.co/", "@user@host.example"]),
    ),
    max_size=60,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_counters_never_raise_and_are_non_negative(text: str) -> None:
    for platform in PLATFORMS:
        assert text_length(platform, text) >= 0
        problems = check_text(platform, text)
        assert all(isinstance(p, str) and p for p in problems)
    graphemes, size = bluesky_length(text)
    if any("\ud800" <= c <= "\udfff" for c in text):  # lone surrogates: not UTF-8, counted as U+FFFD would be
        assert size == len(text.encode("utf-8", "surrogatepass"))
    else:
        assert size == len(text.encode())
    assert 0 <= graphemes <= len(text)
    assert (graphemes == 0) == (text == "")


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_x_parse_is_consistent(text: str) -> None:
    v3 = parse_tweet(text, CONFIG_V3)
    v2 = parse_tweet(text, CONFIG_V2)
    assert 0 <= v3.weighted_length <= v2.weighted_length  # an emoji never weighs more than its code points
    units = len(utf16_units(text))
    assert v3.display_range_end == max(units - 1, 0)
    assert v3.valid == (0 < v3.weighted_length <= 280 and not any(c in text for c in "\ufffe\ufeff\uffff"))
    assert v3.valid_range_end <= max(units - 1, 0) + len(text)  # NFC may lengthen or shorten text


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(blacklist_characters="@:"), max_size=80))
def test_mastodon_without_links_or_mentions_counts_graphemes(text: str) -> None:
    expected = 0 if regex.fullmatch(r"\s*", text) else grapheme_count(text)
    assert mastodon_length(text) == expected
