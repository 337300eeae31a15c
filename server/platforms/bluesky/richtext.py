"""Rich-text facets (links, #hashtags, @mentions) with UTF-8 byte offsets, as Bluesky expects.

Detection follows the rules of Bluesky's reference client (`@atproto/api` RichText.detectFacets),
restricted to links that carry an explicit `http://` or `https://` scheme: bare domains need a
TLD list to tell `example.org` from `e.g.` and are left as plain text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import regex

FacetKind = Literal["link", "tag", "mention"]

_INVISIBLE = "\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2"
_LINK_RE = regex.compile(r"(^|\s|\()(https?://\S+)", regex.IGNORECASE)
_MENTION_RE = regex.compile(r"(^|\s|\()@([a-zA-Z0-9.-]+)\b")
_TAG_RE = regex.compile(
    rf"(^|\s)[#\uff03]((?!\ufe0f)[^\s{_INVISIBLE}]*[^\d\s\p{{P}}{_INVISIBLE}]+[^\s{_INVISIBLE}]*)?"
)
_TRAILING_PUNCT_RE = regex.compile(r"\p{P}+$")
_HANDLE_RE = regex.compile(
    r"^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$"
)
TAG_MAX_CHARS = 64
TAG_MAX_BYTES = 640


@dataclass(frozen=True)
class FacetSpan:
    """One detected rich-text feature: its byte range in the UTF-8 text and its value.

    `value` is the full URI for a link, the tag without `#` for a hashtag, and the handle
    without `@` for a mention (to be resolved to a DID before it becomes a facet).
    """

    kind: FacetKind
    byte_start: int
    byte_end: int
    value: str


def utf8_offset(text: str, char_index: int) -> int:
    """Return the UTF-8 byte offset of the code point at `char_index` in `text`."""
    return len(text[:char_index].encode("utf-8"))


def is_valid_handle(handle: str) -> bool:
    """Tell whether `handle` has AT Protocol handle syntax (a domain name with at least two labels)."""
    return len(handle) <= 253 and _HANDLE_RE.match(handle) is not None


def _trim_link(uri: str) -> str:
    """Drop one trailing sentence mark and an unbalanced closing parenthesis, like the reference client."""
    if uri and uri[-1] in ".,;:!?":
        uri = uri[:-1]
    if uri.endswith(")") and "(" not in uri:
        uri = uri[:-1]
    return uri


def _links(text: str) -> list[FacetSpan]:
    spans = []
    for match in _LINK_RE.finditer(text):
        uri = _trim_link(match.group(2))
        if len(uri) <= len("https://"):
            continue
        start = match.start(2)
        spans.append(FacetSpan("link", utf8_offset(text, start), utf8_offset(text, start + len(uri)), uri))
    return spans


def _mentions(text: str) -> list[FacetSpan]:
    spans = []
    for match in _MENTION_RE.finditer(text):
        handle = match.group(2).rstrip(".")
        if not is_valid_handle(handle):
            continue
        start = match.start(2) - 1  # include the '@'
        end = match.start(2) + len(handle)
        spans.append(FacetSpan("mention", utf8_offset(text, start), utf8_offset(text, end), handle.lower()))
    return spans


def _tags(text: str) -> list[FacetSpan]:
    spans = []
    for match in _TAG_RE.finditer(text):
        raw = match.group(2)
        if not raw:
            continue
        tag = _TRAILING_PUNCT_RE.sub("", raw.strip())
        if not tag or len(tag) > TAG_MAX_CHARS or len(tag.encode("utf-8")) > TAG_MAX_BYTES:
            continue
        start = match.start(2) - 1  # include the '#'
        end = match.start(2) + len(tag)
        spans.append(FacetSpan("tag", utf8_offset(text, start), utf8_offset(text, end), tag))
    return spans


def detect_facets(text: str) -> list[FacetSpan]:
    """Find links, hashtags and mentions in `text`, sorted by position and never overlapping."""
    candidates = sorted(
        _links(text) + _mentions(text) + _tags(text), key=lambda s: (s.byte_start, -s.byte_end)
    )
    spans: list[FacetSpan] = []
    for span in candidates:
        if spans and span.byte_start < spans[-1].byte_end:
            continue
        spans.append(span)
    return spans


def build_facets(spans: list[FacetSpan], mention_dids: Mapping[str, str]) -> list[dict[str, object]]:
    """Turn spans into `app.bsky.richtext.facet` objects; mentions without a resolved DID are dropped."""
    facets: list[dict[str, object]] = []
    for span in spans:
        feature: dict[str, str]
        if span.kind == "link":
            feature = {"$type": "app.bsky.richtext.facet#link", "uri": span.value}
        elif span.kind == "tag":
            feature = {"$type": "app.bsky.richtext.facet#tag", "tag": span.value}
        else:
            did = mention_dids.get(span.value)
            if did is None:
                continue
            feature = {"$type": "app.bsky.richtext.facet#mention", "did": did}
        facets.append(
            {
                "$type": "app.bsky.richtext.facet",
                "index": {"byteStart": span.byte_start, "byteEnd": span.byte_end},
                "features": [feature],
            }
        )
    return facets
