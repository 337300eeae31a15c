"""Turning AppView notifications and thread views into Livecue's `IncomingMessage`s."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from server.platforms.base import IncomingMessage, RemoteRef

PLATFORM = "bluesky"
INCOMING_REASONS = ("reply", "mention")
_FRACTION_RE = re.compile(r"(\.\d{6})\d+")


def as_dict(value: object) -> dict[str, Any]:
    """`value` when it is a JSON object, else an empty dict."""
    return value if isinstance(value, dict) else {}


def parse_time(value: str) -> datetime:
    """Parse an AT Protocol datetime (ISO 8601, 'Z' or offset, any fraction length) as aware UTC."""
    parsed = datetime.fromisoformat(_FRACTION_RE.sub(r"\1", value.strip()))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def format_time(moment: datetime) -> str:
    """Format a datetime the way records expect it (UTC, milliseconds, 'Z')."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def rkey_of(uri: str) -> str:
    """The record key (last path segment) of an at:// URI."""
    return uri.rstrip("/").rsplit("/", 1)[-1]


def did_of(uri: str) -> str:
    """The repository DID (authority) of an at:// URI."""
    return uri.removeprefix("at://").split("/", 1)[0]


def post_url(web_url: str, actor: str, uri: str) -> str:
    """Web permalink of a post: `<web>/profile/<handle or did>/post/<rkey>`."""
    return f"{web_url.rstrip('/')}/profile/{actor}/post/{rkey_of(uri)}"


def strong_ref_root(record: dict[str, Any]) -> RemoteRef | None:
    """The thread root named in a post record's `reply`, as a RemoteRef."""
    reply = record.get("reply")
    root = reply.get("root") if isinstance(reply, dict) else None
    if not isinstance(root, dict) or not root.get("uri"):
        return None
    uri, cid = str(root["uri"]), str(root.get("cid") or "") or None
    return RemoteRef(remote_id=rkey_of(uri), uri=uri, cid=cid, root_uri=uri, root_cid=cid)


def _parent_uri(record: dict[str, Any]) -> str | None:
    reply = record.get("reply")
    parent = reply.get("parent") if isinstance(reply, dict) else None
    return str(parent["uri"]) if isinstance(parent, dict) and parent.get("uri") else None


def to_message(
    uri: str, author: dict[str, Any], record: dict[str, Any], indexed_at: str, web_url: str,
    cid: str | None = None,
) -> IncomingMessage:
    """Build an IncomingMessage from a post's URI, author profile view, record and indexing time."""
    handle = str(author.get("handle") or author.get("did") or did_of(uri))
    langs = record.get("langs")
    return IncomingMessage(
        platform=PLATFORM,
        external_id=uri,
        author_handle=handle,
        author_name=str(author.get("displayName") or handle),
        text=str(record.get("text") or ""),
        received_at=parse_time(indexed_at),
        in_reply_to=_parent_uri(record),
        url=post_url(web_url, handle, uri),
        language=str(langs[0]) if isinstance(langs, list) and langs else None,
        root_ref=strong_ref_root(record),
        ref=_own_ref(uri, cid, strong_ref_root(record)),
    )


def _own_ref(uri: str, cid: str | None, root: RemoteRef | None) -> RemoteRef:
    """The message itself as a reply target: parent = this post, root = its thread's root (or itself)."""
    return RemoteRef(remote_id=rkey_of(uri), uri=uri, cid=cid,
                     root_uri=root.uri if root else uri, root_cid=root.cid if root else cid)


def notification_messages(notifications: Iterable[dict[str, Any]], web_url: str) -> list[IncomingMessage]:
    """Replies and mentions among `notifications`, deduplicated by URI, oldest first."""
    seen: dict[str, IncomingMessage] = {}
    for note in notifications:
        if note.get("reason") not in INCOMING_REASONS or not note.get("uri") or note["uri"] in seen:
            continue
        record = as_dict(note.get("record"))
        seen[note["uri"]] = to_message(
            note["uri"], as_dict(note.get("author")), record, note["indexedAt"], web_url,
            cid=str(note.get("cid") or "") or None,
        )
    return sorted(seen.values(), key=lambda m: (m.received_at, m.external_id))


def _author_did(node: dict[str, Any]) -> str | None:
    did = as_dict(as_dict(node.get("post")).get("author")).get("did")
    return str(did) if did else None


def _walk_replies(node: dict[str, Any], own_did: str) -> Iterator[dict[str, Any]]:
    """Posts under `node`, depth first, except below our own replies to our own posts.

    Our reply to our own post is the next post of the event's thread: the poller reads it as a root of its
    own, so walking into it would read the rest of the thread again under every earlier post. Our replies to
    other people (answers) are walked into: replies to an answer are questions too.
    """
    mine = _author_did(node) == own_did
    for child in node.get("replies") or []:
        if not isinstance(child, dict) or not isinstance(child.get("post"), dict):
            continue
        if mine and _author_did(child) == own_did:
            continue
        yield child["post"]
        yield from _walk_replies(child, own_did)


def thread_messages(thread: dict[str, Any], own_did: str, web_url: str) -> list[IncomingMessage]:
    """Every reply under a `getPostThread` view that another account wrote, oldest first."""
    messages = []
    for post in _walk_replies(thread, own_did):
        author = as_dict(post.get("author"))
        if author.get("did") == own_did or not post.get("uri"):
            continue
        record = as_dict(post.get("record"))
        indexed = str(post.get("indexedAt") or record.get("createdAt") or "")
        if indexed:
            messages.append(to_message(str(post["uri"]), author, record, indexed, web_url,
                                           cid=str(post.get("cid") or "") or None))
    return sorted(messages, key=lambda m: (m.received_at, m.external_id))
