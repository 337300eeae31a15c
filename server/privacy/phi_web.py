"""Email addresses and identifying URLs.

Every email address is flagged. A URL is flagged when it can point at a person:
- its host is an IP address, or a link shortener (the destination can't be checked);
- it is on a social, fundraising, obituary or personal-blog host and has a path or subdomain naming an
  account (e.g. facebook.com/lou.marchetti.54, gofundme.com/f/..., mike.blogspot.com), unless that
  account name says it is an institution (hospital, health, clinic, foundation, university, news, ...)
  or the path is a hashtag/search/video page;
- its query carries an identifier (id=, patient=, mrn=, user=, email=, token=, ... or a 5+ digit value),
  or its path holds an email address, a "~user" part, a 5+ digit number, a profile/patient/obituary
  section, or a common given name.
Anything else passes: a hospital's generic page such as https://sunnybrook.ca/heart is fine.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlsplit

from server.privacy.phi_given_names import GIVEN_NAMES
from server.privacy.phi_lexicon import word_set
from server.privacy.phi_text import caseless
from server.privacy.phi_types import EMAIL, URL, Hit, hit

P_EMAIL = 95
P_URL = 90

_EMAIL = re.compile(
    r"(?<![\w.+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}(?![\w\-])"
)
_OBFUSCATED_EMAIL = re.compile(
    r"(?<![\w.%+\-])[A-Za-z0-9._%+\-]+(?:\s+dot\s+[A-Za-z0-9_%+\-]+)*\s*(?:\[at\]|\(at\)|\sat\s)\s*[A-Za-z0-9\-]+\s*(?:\[dot\]|\(dot\)|\sdot\s)\s*"
    r"(?:com|org|net|ca|edu|co|uk|us|info)\b",
    re.IGNORECASE,
)
_TLDS = (
    "com|org|net|ca|uk|edu|gov|io|co|us|info|me|ly|ai|app|health|au|de|fr|in|be|gl|to|tv|page|blog|link|"
    "nz|ie|social|site|online|care|hospital|clinic"
)
_URL = re.compile(
    rf"(?:\b(?:https?|ftp)://|\bwww\.)[^\s<>\"'{{}}|\\^`]+"
    rf"|(?<![\w@.\-])(?:[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?\.)+(?:{_TLDS})\b(?:/[^\s<>\"'{{}}|\\^`]*)?",
    re.IGNORECASE,
)

# Every URL holds "://", "www." or a "." before a TLD letter (re.IGNORECASE also matches 'İ', 'ı', 'ſ', 'K').
_URL_HINT = re.compile(r"://|[Ww][Ww][Ww]\.|\.[A-Za-zİıſK]")
_SHORTENERS = word_set(
    "bit.ly t.co tinyurl.com goo.gl ow.ly buff.ly is.gd rebrand.ly cutt.ly shorturl.at lnkd.in"
)
_SOCIAL = word_set(
    """
    facebook.com fb.com fb.me m.facebook.com instagram.com twitter.com x.com tiktok.com linkedin.com
    youtube.com youtu.be threads.net bsky.app reddit.com pinterest.com snapchat.com gofundme.com
    caringbridge.org
    legacy.com everloved.com forevermissed.com venmo.com paypal.me cash.app wa.me t.me medium.com
    patreon.com strava.com flickr.com vimeo.com twitch.tv mastodon.social substack.com ko-fi.com
    """
)
_PERSONAL_HOST_SUFFIXES = (
    ".blogspot.com",
    ".wordpress.com",
    ".tumblr.com",
    ".substack.com",
    ".wixsite.com",
    ".weebly.com",
    ".github.io",
    ".medium.com",
    ".squarespace.com",
    ".caringbridge.org",
)
_NEUTRAL_PATHS = word_set(
    "hashtag hashtags search explore watch shorts playlist results topics tags about help"
)
_INSTITUTION_HINT = re.compile(
    r"hospital|health|clinic|medical|medicine|foundation|university|college|institute|centre|center|news|"
    r"official|hhs|gov",
    re.IGNORECASE,
)
_ID_KEYS = word_set(
    "id pid uid user userid username patient patientid mrn name email token account acct member dob ssn "
    "sid session profile person"
)
_PERSON_SECTIONS = word_set(
    "patients patient users user profile profiles people person members member u obituary obituaries "
    "memorial memorials tribute tributes fundraiser fundraisers"
)


def find_web(text: str) -> list[Hit]:
    """Return email findings and findings for URLs that could identify a person."""
    out: list[Hit] = []
    for pattern, possible in ((_EMAIL, "@" in text), (_OBFUSCATED_EMAIL, "dot" in caseless(text))):
        out.extend(
            hit(EMAIL, m.start(), m.end(), "looks like an email address", P_EMAIL)
            for m in (pattern.finditer(text) if possible else ())
        )
    for m in _urls(text):
        raw = _trim(m.group())
        reason = identifying_url_reason(raw)
        if reason is not None:
            out.append(hit(URL, m.start(), m.start() + len(raw), reason, P_URL))
    return out


def link_spans(text: str) -> list[tuple[int, int]]:
    """Return the spans of every URL and email address in `text`, identifying or not."""
    spans = [(m.start(), m.start() + len(_trim(m.group()))) for m in _urls(text)]
    return spans + [(m.start(), m.end()) for m in (_EMAIL.finditer(text) if "@" in text else ())]


def _urls(text: str) -> Iterable[re.Match[str]]:
    return _URL.finditer(text) if _URL_HINT.search(text) else ()


def _trim(raw: str) -> str:
    raw = raw.rstrip(".,;:!?")
    while raw.endswith(")") and raw.count(")") > raw.count("("):
        raw = raw[:-1].rstrip(".,;:!?")
    return raw


def identifying_url_reason(raw: str) -> str | None:
    """Return why a URL could identify a person, or None when it looks generic."""
    try:
        parts = urlsplit(raw if "://" in raw else "http://" + raw)
        host = (parts.hostname or "").casefold()
    except ValueError:
        return "malformed link that can't be checked"
    if host.startswith("www."):
        host = host[4:]
    segments = [s for s in parts.path.split("/") if s]
    if _is_ip(host):
        return "link to a bare IP address"
    if host in _SHORTENERS:
        return "shortened link: the destination can't be checked"
    if host in _SOCIAL or host.endswith(tuple("." + s for s in _SOCIAL)):
        account = _social_account(segments)
        if account is not None and not _INSTITUTION_HINT.search(account):
            return "link to a personal social-media, fundraising or memorial page"
    elif host.endswith(_PERSONAL_HOST_SUFFIXES):
        account = host.split(".")[0]
        if not _INSTITUTION_HINT.search(account):
            return "link to a personal blog or site"
    return _identifier_in(parts.query, segments)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _social_account(segments: list[str]) -> str | None:
    if not segments or segments[0].casefold() in _NEUTRAL_PATHS:
        return None
    if (
        segments[0] in ("in", "f", "pub", "c", "user", "channel", "u", "profile", "people")
        and len(segments) > 1
    ):
        return segments[1]
    return segments[0]


def _identifier_in(query: str, segments: list[str]) -> str | None:
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key.casefold() in _ID_KEYS:
            return f"link carrying a personal identifier ('{key}=')"
        if re.search(r"[0-9]{5,}", value) or "@" in value:
            return "link carrying an identifying number or address"
    for seg in segments:
        low = seg.casefold()
        if "@" in seg[1:] or low.startswith("~"):
            return "link to a personal page"
        if re.search(r"[0-9]{5,}", seg):
            return "link with an identifying number in its path"
        if low in _PERSON_SECTIONS:
            return "link to a person's profile, record or memorial page"
        if any(part in GIVEN_NAMES for part in re.split(r"[\-_.+]", low)):
            return "link whose path contains a person's name"
    return None
