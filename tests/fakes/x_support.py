"""Helpers for FakeX: an independent OAuth 1.0a HMAC-SHA1 verifier, X text rendering and counting.

The verifier is written from RFC 5849 section 3.4 (not with authlib), so it cross-checks the
adapter's authlib-based signing instead of mirroring it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import re
import unicodedata
from collections.abc import Sequence
from urllib.parse import parse_qsl, quote, unquote

import regex

URL_RE = re.compile(r"https?://[^\s<>\"]+")
_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))


def _enc(value: str) -> str:
    return quote(value, safe="~-._")


def parse_oauth_header(header: str) -> dict[str, str]:
    """Parse `OAuth k="v", ...` into a dict of percent-decoded values."""
    _, _, rest = header.partition(" ")
    params: dict[str, str] = {}
    for part in re.findall(r'([\w.~-]+)="([^"]*)"', rest):
        params[unquote(part[0])] = unquote(part[1])
    return params


def signature_base_string(
    method: str, scheme: str, host: str, path: str, params: Sequence[tuple[str, str]]
) -> str:
    """Build the RFC 5849 3.4.1 signature base string."""
    host = host.lower()
    if (scheme == "http" and host.endswith(":80")) or (scheme == "https" and host.endswith(":443")):
        host = host.rsplit(":", 1)[0]
    pairs = sorted((_enc(k), _enc(v)) for k, v in params if k not in ("oauth_signature", "realm"))
    normalized = "&".join(f"{k}={v}" for k, v in pairs)
    return "&".join((method.upper(), _enc(f"{scheme}://{host}{path}"), _enc(normalized)))


def verify_hmac_sha1(
    *,
    method: str,
    scheme: str,
    host: str,
    path: str,
    query: Sequence[tuple[str, str]],
    form_body: bytes | None,
    oauth: dict[str, str],
    consumer_secret: str,
    token_secret: str,
) -> bool:
    """Check an OAuth 1.0a HMAC-SHA1 signature (query + url-encoded body + oauth_* header params)."""
    if oauth.get("oauth_signature_method") != "HMAC-SHA1":
        return False
    params = list(query)
    if form_body:
        params.extend(parse_qsl(form_body.decode("utf-8", "replace"), keep_blank_values=True))
    params.extend((k, v) for k, v in oauth.items() if k.startswith("oauth_"))
    base = signature_base_string(method, scheme, host, path, params)
    key = f"{_enc(consumer_secret)}&{_enc(token_secret)}".encode()
    expected = base64.b64encode(hmac.new(key, base.encode(), hashlib.sha1).digest()).decode()
    return hmac.compare_digest(expected, oauth.get("oauth_signature", ""))


def weighted_length(text: str) -> int:
    """Approximate twitter-text v3 weighted length (URL = 23, light ranges = 1, others = 2)."""
    text = unicodedata.normalize("NFC", text)
    total = 0
    pos = 0
    for match in URL_RE.finditer(text):
        total += _weigh(text[pos : match.start()]) + 23
        pos = match.end()
    return total + _weigh(text[pos:])


def _weigh(chunk: str) -> int:
    total = 0
    for grapheme in regex.findall(r"\X", chunk):
        cp = ord(grapheme[0])
        total += 1 if any(lo <= cp <= hi for lo, hi in _LIGHT_RANGES) and not _is_emoji(grapheme) else 2
    return total


def _is_emoji(grapheme: str) -> bool:
    return bool(regex.match(r"\p{Extended_Pictographic}", grapheme))


def tco(url: str) -> str:
    """Return a deterministic t.co-style short link for `url`."""
    digest = hashlib.sha256(url.encode()).hexdigest()
    return "https://t.co/" + base64.b32encode(bytes.fromhex(digest[:16])).decode().rstrip("=")[:10]


def render_text(raw: str, media_ids: Sequence[str]) -> str:
    """Render text the way X returns it: URLs wrapped in t.co, &<> escaped, a media link appended."""
    out = URL_RE.sub(lambda m: tco(m.group(0)), raw)
    out = html.escape(out, quote=False)
    if media_ids:
        out = f"{out} {tco('media:' + ','.join(media_ids))}"
    return out
