"""Text helpers for X: undo the API's rendering (t.co links, HTML escapes) to match posts."""

from __future__ import annotations

import html
import re
import unicodedata

_URL = re.compile(r"https?://\S+")
_URL_TOKEN = "\u2060URL\u2060"


def plain_text(api_text: str) -> str:
    """Return the text of an API post as plain text (X escapes `&`, `<`, `>` in `text`)."""
    return html.unescape(api_text)


def normalise_for_match(text: str) -> str:
    """Normalise post text so what we sent compares equal to what X returns.

    X rewrites every URL to a t.co link and appends a t.co link per attached media, and escapes
    `&<>`: entities are decoded, each URL becomes one placeholder, trailing placeholders (the
    media links) are dropped, NFC is applied and whitespace runs collapse.
    """
    text = unicodedata.normalize("NFC", html.unescape(text))
    words = _URL.sub(_URL_TOKEN, text).split()
    while words and words[-1] == _URL_TOKEN:
        words.pop()
    return " ".join(words)
