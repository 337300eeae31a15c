"""URL finder following twitter-text's `extractUrlsWithIndices` (the rules X uses to count a URL as 23).

A URL is `[protocol] domain [:port] [/path] [?query]`. The domain must end in a known top-level domain
(`data/tlds.json`, the list twitter-text ships) or a punycode label; each label must punycode-encode to
1..63 characters; the whole URL must stay within 4096 characters. Without `http://` or `https://` only the
ASCII part of the domain counts, and a bare two-letter country domain (`example.de`) needs a path, unless it
is `.co` or `.tv`. Twitter-text's JavaScript works on UTF-16 code units: pass `utf16_units(text)` to get the
same indices.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import regex

_MAX_URL_LENGTH = 4096
_MAX_LABEL_LENGTH = 63
_MAX_TCO_SLUG_LENGTH = 40
_DEFAULT_PROTOCOL = "https://"

# Character-class bodies (already escaped for use inside [...]).
_DIRECTIONAL = "\u202a-\u202e\u061c\u200e\u200f\u2066\u2067\u2068\u2069"
_INVALID = "\ufffe\ufeff\uffff"
_SPACES = "\x09-\x0d\x20\x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_PUNCT = "!'#%&()*+,\\\\\\-./:;<=>?@\\[\\]\\^_{|}~$"
_LATIN_ACCENTS = (
    "\xc0-\xd6\xd8-\xf6\xf8-\xff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259\u025b\u0263\u0268"
    "\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)
_CYRILLIC = "\u0400-\u04ff"
_LABEL_SEPARATORS = regex.compile("[.\u3002\uff0e\uff61]")


@dataclass
class UrlEntity:
    """One URL found in a text: where it starts and ends, and how many characters the counter skips."""

    start: int
    end: int
    length: int


def utf16_units(text: str) -> str:
    """Return `text` with every astral character split into its two UTF-16 surrogates (JavaScript's view)."""
    if all(ord(ch) < 0x10000 for ch in text):
        return text
    out: list[str] = []
    for ch in text:
        cp = ord(ch)
        if cp < 0x10000:
            out.append(ch)
        else:
            cp -= 0x10000
            out.append(chr(0xD800 + (cp >> 10)))
            out.append(chr(0xDC00 + (cp & 0x3FF)))
    return "".join(out)


def _join_surrogates(units: str) -> str:
    """Recombine surrogate pairs into code points (lone surrogates are kept)."""
    return units.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def _alternation(words: list[str]) -> str:
    # Reverse code-point order puts "xyz" before its prefix "xy", as twitter-text's generated lists do.
    return "|".join(regex.escape(w) for w in sorted(words, reverse=True))


@dataclass(frozen=True)
class _Patterns:
    extract: regex.Pattern[str]
    domain_char_run: regex.Pattern[str]
    tld: regex.Pattern[str]
    protocol: regex.Pattern[str]
    preceding: regex.Pattern[str]
    ascii_domain: regex.Pattern[str]
    invalid_short_domain: regex.Pattern[str]
    special_short_domain: regex.Pattern[str]
    tco: regex.Pattern[str]


@lru_cache(maxsize=1)
def _patterns() -> _Patterns:
    data = json.loads(resources.files("server.textrules.data").joinpath("tlds.json").read_text("utf-8"))
    tld_end = r"(?=[^0-9a-zA-Z@+\-]|\Z)"
    gtld = f"(?:(?:{_alternation(data['generic'])}){tld_end})"
    cctld = f"(?:(?:{_alternation(data['country'])}){tld_end})"
    special_cctld = f"(?:(?:co|tv){tld_end})"
    punycode = r"(?:xn--[\-0-9a-z]+)"

    dc = f"[^{_PUNCT}{_SPACES}{_INVALID}{_DIRECTIONAL}]"
    subdomain = f"(?>(?:{dc}(?:[_\\-]|{dc})*)?{dc}\\.)"
    domain_name = f"(?>(?:{dc}(?:\\-|{dc})*)?{dc}\\.)"
    domain = f"(?:{subdomain}*{domain_name}(?:{gtld}|{cctld}|{punycode}))"

    pc = f"[a-z{_CYRILLIC}0-9!*';:=+,.$/%#\\[\\]\\-\u2013_~@|&{_LATIN_ACCENTS}]"
    parens = f"\\((?:{pc}+|(?:{pc}*\\({pc}+\\){pc}*))\\)"
    path_end = f"(?:[+\\-a-z{_CYRILLIC}0-9=_#/{_LATIN_ACCENTS}]|(?:{parens}))"
    path = f"(?:(?:{pc}*(?:{parens}{pc}*)*{path_end})|(?:@{pc}+/))"
    query_char = r"[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]"
    query_end = r"[a-z0-9\-_&=#/]"
    preceding_char = f"(?:[^A-Za-z0-9@\uff20$#\uff03{_INVALID}]|[{_DIRECTIONAL}])"
    preceding = f"(?:{preceding_char}|^)"

    flags = regex.IGNORECASE | regex.VERSION0
    extract = (
        f"(({preceding})"  # 2: preceding character
        f"((https?://)?"  # 3: URL, 4: protocol
        f"({domain})"  # 5: domain
        f"(?::([0-9]+))?"  # 6: port
        f"(/{path}*)?"  # 7: path
        f"(\\?{query_char}*{query_end})?))"  # 8: query
    )
    return _Patterns(
        extract=regex.compile(extract, flags),
        domain_char_run=regex.compile(f"{dc}+", flags),
        tld=regex.compile(f"(?:{gtld}|{cctld}|{punycode})", flags),
        protocol=regex.compile("https?://", flags),
        preceding=regex.compile(preceding_char, flags),
        ascii_domain=regex.compile(
            f"(?:(?:[\\-a-z0-9{_LATIN_ACCENTS}]+)\\.)+(?:{gtld}|{cctld}|{punycode})", flags
        ),
        invalid_short_domain=regex.compile(f"{domain_name}{cctld}", flags),
        special_short_domain=regex.compile(f"{domain_name}{special_cctld}", flags),
        tco=regex.compile(f"https?://t\\.co/([a-z0-9]+)(?:\\?{query_char}*{query_end})?", flags),
    )


def _label_length(label: str) -> int:
    """Length of punycode.js `toASCII(label)`; any value above 63 means "too long"."""
    label = _join_surrogates(label)
    if len(label) > _MAX_LABEL_LENGTH:
        return len(label)  # punycode never makes a label shorter than its code-point count
    parts = []
    for part in _LABEL_SEPARATORS.split(label):
        if any(ord(ch) > 0x7F for ch in part):
            parts.append("xn--" + part.encode("punycode").decode("ascii"))
        else:
            parts.append(part)
    return len(".".join(parts))


def _is_valid_url(url: str, protocol: str, domain: str) -> bool:
    if domain.startswith("xn--") and not _patterns().ascii_domain.search(domain):
        return False
    for label in domain.split("."):
        if not 1 <= _label_length(label) <= _MAX_LABEL_LENGTH:
            return False
    return len(protocol) + len(url) <= _MAX_URL_LENGTH


def _domain_starts(text: str) -> list[bool]:
    """For each index, whether twitter-text's domain pattern (labels, then a TLD) can match there.

    Computed right to left in linear time, so that the URL pattern is only tried where it can succeed;
    trying it everywhere is quadratic on long runs of domain characters (e.g. CJK text or "x-x-x-...").
    """
    pats = _patterns()
    n = len(text)
    is_dc = [False] * (n + 1)
    for run in pats.domain_char_run.finditer(text):
        is_dc[run.start() : run.end()] = [True] * (run.end() - run.start())
    label_end = [n] * (n + 1)  # first index >= i that is neither a domain character nor "_" / "-"
    next_underscore = [n] * (n + 1)
    for i in range(n - 1, -1, -1):
        label_end[i] = label_end[i + 1] if is_dc[i] or text[i] in "_-" else i
        next_underscore[i] = i if text[i] == "_" else next_underscore[i + 1]
    can_start = [False] * (n + 1)
    for d in range(n - 1, -1, -1):
        e = label_end[d]
        if not (is_dc[d] and e < n and text[e] == "." and is_dc[e - 1]):
            continue  # no "label." here
        if can_start[e + 1]:
            can_start[d] = True  # a subdomain label, then a domain
        elif next_underscore[d] >= e and pats.tld.match(text, e + 1):
            can_start[d] = True  # the domain-name label, then the TLD
    return can_start


def _matches(text: str) -> Iterator[regex.Match[str]]:
    """Yield what `finditer` of the URL pattern yields, trying it only where a match is possible."""
    pats = _patterns()
    n = len(text)
    domain_at = _domain_starts(text)

    def url_can_start(u: int) -> bool:
        if u >= n:
            return False
        proto = pats.protocol.match(text, u)
        return domain_at[u] or bool(proto and domain_at[proto.end()])

    pos = 0
    for q in range(n):
        if q < pos:
            continue
        if (q == 0 and url_can_start(0)) or (url_can_start(q + 1) and pats.preceding.match(text, q)):
            m = pats.extract.match(text, q)
            if m:
                yield m
                pos = m.end()


def extract_urls(text: str, *, without_protocol: bool = True) -> list[UrlEntity]:
    """Find URLs the way twitter-text does; indices are positions in `text` (use `utf16_units` for X)."""
    if "." not in text:
        return []
    pats = _patterns()
    urls: list[UrlEntity] = []
    for m in _matches(text):
        before, url, protocol, domain, path = m.group(2, 3, 4, 5, 7)
        end = m.end()
        start = end - len(url)
        if not _is_valid_url(url, protocol or _DEFAULT_PROTOCOL, domain):
            continue
        if not protocol:
            if not without_protocol or before[-1:] in ("-", "_", ".", "/"):
                continue
            last: UrlEntity | None = None
            ascii_end = 0
            for am in pats.ascii_domain.finditer(domain):
                ascii_domain = am.group()
                ascii_start = domain.find(ascii_domain, ascii_end)
                ascii_end = ascii_start + len(ascii_domain)
                last = UrlEntity(start + ascii_start, start + ascii_end, len(ascii_domain))
                if (
                    path
                    or pats.special_short_domain.fullmatch(ascii_domain)
                    or not pats.invalid_short_domain.fullmatch(ascii_domain)
                ):
                    urls.append(last)
            if last is None:
                continue
            if path:
                last.length = len(url) - len(domain) + last.length
                last.end = end
        else:
            tco = pats.tco.match(url)
            if tco:
                if len(tco.group(1)) > _MAX_TCO_SLUG_LENGTH:
                    continue
                url = tco.group()
                end = start + len(url)
            urls.append(UrlEntity(start, end, len(url)))
    return urls
