"""Mastodon entity rendering for FakeMastodon: HTML content, Account/Status/Attachment JSON, counting."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import regex

URL_RE = re.compile(r"https?://[^\s<>\"]+")
MENTION_RE = re.compile(r"(?<![\w/])@([A-Za-z0-9_]+)(?:@([A-Za-z0-9.-]+\.[A-Za-z]{2,}))?")
TAG_RE = re.compile(r"(?<![\w/&])#(\w+)")
TOKEN_RE = re.compile(f"{URL_RE.pattern}|{MENTION_RE.pattern}|{TAG_RE.pattern}")


def iso(ts: float) -> str:
    """Format a Unix time as Mastodon does (millisecond ISO-8601, Z)."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(ts * 1000) % 1000:03d}Z"


def iso_micro(ts: float) -> str:
    """Format a Unix time with microseconds (the X-RateLimit-Reset header format)."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class Account:
    """An account known to the fake instance (local or remote)."""

    id: str
    username: str
    domain: str | None
    display_name: str
    local_domain: str
    followers: int = 0  # set by tests to read the count back (`followers_count`)

    @property
    def acct(self) -> str:
        """`user` for local accounts, `user@domain` for remote ones."""
        return self.username if self.domain is None else f"{self.username}@{self.domain}"

    @property
    def web(self) -> str:
        """The account's home server origin."""
        return f"https://{self.domain or self.local_domain}"


@dataclass
class Media:
    """An uploaded media attachment."""

    id: str
    kind: str
    content_type: str
    size: int
    description: str | None
    polls_left: int
    status_id: str | None = None


@dataclass
class StatusRec:
    """A stored status."""

    id: str
    account_id: str
    text: str
    created_at: float
    in_reply_to_id: str | None
    in_reply_to_account_id: str | None
    sensitive: bool
    spoiler_text: str
    visibility: str
    language: str | None
    media_ids: list[str] = field(default_factory=list)
    mention_ids: list[str] = field(default_factory=list)
    favourites: int = 0  # set by tests: what the audience did with the status
    reblogs: int = 0


def _link(url: str) -> str:
    scheme, _, rest = url.partition("://")
    shown, hidden = rest[:30], rest[30:]
    ellipsis = ' class="ellipsis"' if hidden else ""
    return (
        f'<a href="{html.escape(url)}" target="_blank" rel="nofollow noopener" translate="no">'
        f'<span class="invisible">{html.escape(scheme)}://</span><span{ellipsis}>{html.escape(shown)}</span>'
        f'<span class="invisible">{html.escape(hidden)}</span></a>'
    )


def _render_line(line: str, local_domain: str) -> str:
    out: list[str] = []
    pos = 0
    for match in TOKEN_RE.finditer(line):
        out.append(html.escape(line[pos : match.start()]))
        token = match.group(0)
        if token.startswith("http"):
            out.append(_link(token))
        elif token.startswith("@"):
            user, _, domain = token[1:].partition("@")
            origin = f"https://{domain or local_domain}"
            out.append(
                f'<span class="h-card" translate="no"><a href="{origin}/@{user}" class="u-url mention">'
                f"@<span>{html.escape(user)}</span></a></span>"
            )
        else:
            tag = token[1:]
            out.append(
                f'<a href="https://{local_domain}/tags/{tag.lower()}" class="mention hashtag" rel="tag">'
                f"#<span>{html.escape(tag)}</span></a>"
            )
        pos = match.end()
    out.append(html.escape(line[pos:]))
    return "".join(out)


def render_content(text: str, local_domain: str) -> str:
    """Render plain status text as Mastodon's HTML (paragraphs, <br />, linkified URLs/mentions/tags)."""
    paragraphs = [p for p in re.split(r"\n{2,}", text.strip()) if p]
    rendered = ["<br />".join(_render_line(line, local_domain) for line in p.split("\n")) for p in paragraphs]
    return "".join(f"<p>{p}</p>" for p in rendered)


def count_characters(text: str, url_length: int = 23) -> int:
    """Count like Mastodon: graphemes, every URL = `url_length`, mentions without their domain."""
    replaced = URL_RE.sub("x" * url_length, text)
    replaced = MENTION_RE.sub(lambda m: "@" + m.group(1), replaced)
    return len(regex.findall(r"\X", replaced))


def account_json(acc: Account, statuses_count: int) -> dict[str, Any]:
    """Render an Account entity."""
    missing = f"https://{acc.local_domain}/avatars/original/missing.png"
    header = f"https://{acc.local_domain}/headers/original/missing.png"
    return {
        "id": acc.id,
        "username": acc.username,
        "acct": acc.acct,
        "display_name": acc.display_name,
        "locked": False,
        "bot": False,
        "discoverable": True,
        "group": False,
        "indexable": True,
        "created_at": "2024-01-01T00:00:00.000Z",
        "note": "",
        "url": f"{acc.web}/@{acc.username}",
        "uri": f"{acc.web}/users/{acc.username}",
        "avatar": missing,
        "avatar_static": missing,
        "header": header,
        "header_static": header,
        "followers_count": acc.followers,
        "following_count": 0,
        "statuses_count": statuses_count,
        "last_status_at": None,
        "emojis": [],
        "fields": [],
    }


def media_json(media: Media, local_domain: str) -> dict[str, Any]:
    """Render a MediaAttachment entity (url is null while processing)."""
    done = media.polls_left <= 0
    ext = media.content_type.split("/")[-1]
    url = f"https://{local_domain}/system/media_attachments/files/{media.id}/original.{ext}"
    return {
        "id": media.id,
        "type": media.kind,
        "url": url if done else None,
        "preview_url": url.replace("original", "small") if done else None,
        "remote_url": None,
        "meta": {},
        "description": media.description,
        "blurhash": None,
    }


def status_json(
    rec: StatusRec,
    accounts: dict[str, Account],
    media: dict[str, Media],
    replies_count: int,
    statuses_count: int,
    local_domain: str,
) -> dict[str, Any]:
    """Render a Status entity."""
    acc = accounts[rec.account_id]
    mentions = [
        {"id": a.id, "username": a.username, "acct": a.acct, "url": f"{a.web}/@{a.username}"}
        for a in (accounts[i] for i in rec.mention_ids)
    ]
    return {
        "id": rec.id,
        "created_at": iso(rec.created_at),
        "in_reply_to_id": rec.in_reply_to_id,
        "in_reply_to_account_id": rec.in_reply_to_account_id,
        "sensitive": rec.sensitive,
        "spoiler_text": rec.spoiler_text,
        "visibility": rec.visibility,
        "language": rec.language,
        "uri": f"{acc.web}/users/{acc.username}/statuses/{rec.id}",
        "url": f"{acc.web}/@{acc.username}/{rec.id}",
        "replies_count": replies_count,
        "reblogs_count": rec.reblogs,
        "favourites_count": rec.favourites,
        "edited_at": None,
        "favourited": False,
        "reblogged": False,
        "muted": False,
        "bookmarked": False,
        "content": render_content(rec.text, acc.domain or local_domain),
        "filtered": [],
        "reblog": None,
        "application": {"name": "Livecue", "website": None},
        "account": account_json(acc, statuses_count),
        "media_attachments": [media_json(media[m], local_domain) for m in rec.media_ids],
        "mentions": mentions,
        "tags": [],
        "emojis": [],
        "card": None,
        "poll": None,
    }


def credential_account_json(account: dict[str, Any]) -> dict[str, Any]:
    """Extend a rendered Account into a CredentialAccount (source and role)."""
    source = {"privacy": "public", "sensitive": False, "language": "en", "note": "", "fields": [],
              "follow_requests_count": 0, "indexable": True}
    role = {"id": "-99", "name": "", "permissions": "0", "color": "", "highlighted": False}
    return account | {"source": source, "role": role}


def instance_json(domain: str, max_characters: int, max_media: int, description_limit: int) -> dict[str, Any]:
    """Render an Instance (v2) whose configuration carries the given limits."""
    d = domain
    mimes = ["image/jpeg", "image/png", "image/gif", "image/heic", "image/webp", "image/avif",
             "video/webm", "video/mp4", "video/quicktime"]
    configuration = {
        "urls": {"streaming": f"wss://{d}", "status": None, "about": f"https://{d}/about",
                 "privacy_policy": f"https://{d}/privacy-policy", "terms_of_service": None},
        "accounts": {"max_featured_tags": 10, "max_pinned_statuses": 5},
        "statuses": {"max_characters": max_characters, "max_media_attachments": max_media,
                     "characters_reserved_per_url": 23},
        "media_attachments": {"supported_mime_types": mimes, "description_limit": description_limit,
                              "image_size_limit": 16777216, "image_matrix_limit": 33177600,
                              "video_size_limit": 103809024, "video_frame_rate_limit": 120,
                              "video_matrix_limit": 8294400},
        "polls": {"max_options": 4, "max_characters_per_option": 50, "min_expiration": 300,
                  "max_expiration": 2629746},
        "translation": {"enabled": False},
    }
    return {
        "domain": d, "title": "Fake Mastodon", "version": "4.4.0",
        "source_url": "https://github.com/mastodon/mastodon",
        "description": "A fake instance for Livecue tests.",
        "usage": {"users": {"active_month": 1}}, "thumbnail": {"url": f"https://{d}/packs/media/images/preview.png"},
        "icon": [], "languages": ["en"], "configuration": configuration, "api_versions": {"mastodon": 6},
        "registrations": {"enabled": False, "approval_required": False, "message": None},
        "contact": {"email": f"admin@{d}", "account": None}, "rules": [],
    }
