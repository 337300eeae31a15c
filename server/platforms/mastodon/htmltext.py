"""Turn Mastodon's status HTML into plain text, and normalise text for matching posts."""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

_SKIP = frozenset({"script", "style", "template", "head", "title"})
_BLOCK = frozenset({"p", "div", "blockquote", "pre", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6"})
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_MENTION_DOMAIN = re.compile(r"(?<![\w/])@([A-Za-z0-9_]+)@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0
        self._seen_block = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip_depth += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK:
            if self._seen_block:
                self.parts.append("\n\n")
            self._seen_block = True
        elif tag == "li":
            self.parts.append("\n- ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP and self._skip_depth:
            self._skip_depth -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self.parts.append(data)


def html_to_text(content: str) -> str:
    """Convert status HTML to plain text: tags dropped, entities decoded, <br>/<p> as newlines.

    The result is plain text, never markup: whoever shows it must escape it for their medium.
    Script/style contents and invisible control or bidi-override characters are removed.
    """
    parser = _TextExtractor()
    parser.feed(content)
    parser.close()
    text = _CONTROL.sub("", "".join(parser.parts)).replace("\xa0", " ")
    return "\n".join(line.rstrip() for line in text.strip().split("\n"))


def normalise_for_match(text: str) -> str:
    """Normalise text to compare what we sent with what the server rendered.

    NFC, `@user@domain` mentions reduced to `@user` (Mastodon renders only the username),
    whitespace runs collapsed.
    """
    text = unicodedata.normalize("NFC", text)
    text = _MENTION_DOMAIN.sub(r"@\1", text)
    return " ".join(text.split())
