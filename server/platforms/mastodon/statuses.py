"""Mastodon statuses as Livecue sees them: references, incoming messages, and which status is one of ours.

Kept apart from the adapter so the adapter holds the HTTP conversation and this module the reading of
Status entities (the same for notifications, `context` descendants and the account's own statuses).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from server.clock import wall_now
from server.platforms.base import IncomingMessage, RemoteRef
from server.platforms.mastodon.htmltext import html_to_text, normalise_for_match


def status_ref(status: dict[str, Any]) -> RemoteRef:
    """Where a status lives: its id (the reply target), permalink and ActivityPub URI."""
    return RemoteRef(remote_id=str(status["id"]), url=status.get("url"), uri=status.get("uri"))


def parse_time(value: Any) -> datetime:
    """A Status's `created_at`; a platform-side stand-in when it cannot be read (never fails a poll)."""
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return wall_now()


def incoming_status(status: dict[str, Any], *, root: RemoteRef | None = None,
                    fallback_time: Any = None) -> IncomingMessage:
    """One status someone else wrote, as an IncomingMessage (plain text; a content warning kept as `CW:`).

    `visibility` is kept so the reply is never more public than the question (`publishing.audience`);
    `root` names the event post it was found under (replies read from `context`), so the poller keeps it
    in that event.
    """
    account = status.get("account") or {}
    text = html_to_text(str(status.get("content", "")))
    spoiler = html_to_text(str(status.get("spoiler_text") or ""))
    if spoiler:
        text = f"CW: {spoiler}\n{text}"
    return IncomingMessage(
        platform="mastodon",
        external_id=str(status["id"]),
        author_handle=str(account.get("acct", "")),
        author_name=str(account.get("display_name") or account.get("username") or ""),
        text=text,
        received_at=parse_time(status.get("created_at") or fallback_time),
        in_reply_to=str(status["in_reply_to_id"]) if status.get("in_reply_to_id") is not None else None,
        url=status.get("url") or status.get("uri"),
        language=status.get("language"),
        visibility=status.get("visibility"),
        root_ref=root,
    )


def incoming_notification(notification: dict[str, Any]) -> IncomingMessage | None:
    """The status of a `mention` notification, or None for anything else."""
    status = notification.get("status")
    if notification.get("type") != "mention" or not isinstance(status, dict):
        return None
    if not status.get("account") and notification.get("account"):
        status = {**status, "account": notification["account"]}
    return incoming_status(status, fallback_time=notification.get("created_at"))


def is_ours(status: dict[str, Any], account_id: str, parent_id: str | None, text: str, since: datetime) -> bool:
    """Whether `status` is the post we sent: our account, the same reply target, the same text, not too old.

    All four together, never the text alone: a bank answer repeats its words to every asker, but only one
    of those replies answers this asker's message (`parent_id`).
    """
    account = status.get("account") or {}
    if str(account.get("id")) != account_id or status.get("reblog"):
        return False
    in_reply_to = status.get("in_reply_to_id")
    if (str(in_reply_to) if in_reply_to is not None else None) != parent_id:
        return False
    if parse_time(status.get("created_at")) < since:
        return False
    return normalise_for_match(html_to_text(str(status.get("content", "")))) == normalise_for_match(text)
