"""Emoji sequence finder used by X's weighting (twitter-text v3 `emojiParsingEnabled`).

twitter-text finds emoji with twemoji-parser's generated regular expression. This module follows the same
rules, expressed with Unicode emoji properties instead of a generated list:

- keycaps `[#*0-9]` + optional U+FE0F + U+20E3;
- U+00A9, U+00AE, U+2122 and U+265F are emoji only when followed by U+FE0F;
- other pictographs, optionally followed by U+FE0F or (on modifier bases) a skin-tone modifier;
- ZWJ sequences of those, flag pairs of regional indicators, and tag sequences (subdivision flags);
- a lone regional indicator, a lone skin-tone modifier and a lone U+FE0F.

Difference from twemoji-parser: any well-formed ZWJ sequence or flag pair counts as one emoji here, while
twemoji only joins the sequences it has artwork for (RGI). The weight only differs for sequences no
platform renders as a single picture.
"""

from __future__ import annotations

import regex

_TEXT_ONLY = "\u00a9\u00ae\u2122\u265f"

_ELEMENT = (
    rf"(?:[{_TEXT_ONLY}]\uFE0F"
    r"|\p{Emoji_Modifier_Base}(?:\p{Emoji_Modifier}|\uFE0F)?"
    rf"|(?![{_TEXT_ONLY}])\p{{Extended_Pictographic}}\uFE0F?"
    r"|\p{Emoji_Modifier})"
)

EMOJI_PATTERN = regex.compile(
    r"\U0001F3F4[\U000E0020-\U000E007E]+\U000E007F"  # subdivision flags
    rf"|{_ELEMENT}(?:\u200D{_ELEMENT})+"  # ZWJ sequences
    r"|[#*0-9]\uFE0F?\u20E3"  # keycaps
    r"|\p{Regional_Indicator}{1,2}"  # flags, or a lone regional indicator
    rf"|{_ELEMENT}"
    r"|\uFE0F",
    regex.VERSION0,
)


def find_emoji(text: str) -> list[tuple[int, int]]:
    """Return (start, end) code-point spans of the emoji in `text`, left to right."""
    return [m.span() for m in EMOJI_PATTERN.finditer(text)]
