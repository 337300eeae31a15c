"""Reading replies and mentions for a Bluesky account: notifications, and the threads under our posts.

Mixed into `BlueskyAdapter` (like `BlueskyMetrics`): the two `Platform` reads the poller calls. Publishing
stays in the adapter; this half only reads, through the adapter's `_query` and session.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any, Protocol

from server.platforms.base import IncomingMessage, IncomingPage, RemoteRef
from server.platforms.bluesky.client import JsonObject, Params, XrpcError, to_platform_error
from server.platforms.bluesky.incoming import (
    INCOMING_REASONS,
    notification_messages,
    parse_time,
    thread_messages,
)
from server.platforms.bluesky.session import SessionManager

log = logging.getLogger(__name__)

POST_COLLECTION = "app.bsky.feed.post"
THREAD_DEPTH = 10  # reply levels read under each thread post (deeper talk notifies us when it mentions us)


class _Reader(Protocol):
    sessions: SessionManager
    web_url: str
    incoming_overlap: timedelta
    max_incoming_pages: int

    async def _query(self, nsid: str, params: Params) -> JsonObject: ...


def _as_dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


class BlueskyReading:
    """`fetch_incoming` and `fetch_thread_replies` of the Bluesky adapter."""

    async def fetch_incoming(self: _Reader, cursor: str | None) -> IncomingPage:
        """Replies and mentions from listNotifications, oldest first.

        The cursor is the `indexedAt` of the newest notification seen. With a cursor, pages are read
        (newest first) back to `cursor - incoming_overlap`, so a poll re-delivers the last minutes
        rather than risk missing a late-indexed reply; ingest deduplicates by external_id. Without a
        cursor only the most recent page is read. Notifications alone can miss replies (the AppView
        must have indexed the root first): reconcile threads with `fetch_thread_replies`.
        """
        since = parse_time(cursor) if cursor else None
        threshold = since - self.incoming_overlap if since else None
        collected: list[dict[str, Any]] = []
        newest = since
        newest_raw = cursor
        api_cursor: str | None = None
        for _ in range(self.max_incoming_pages):
            params: dict[str, str | int | bool | list[str]] = {
                "limit": 100,
                "reasons": list(INCOMING_REASONS),
            }
            if api_cursor:
                params["cursor"] = api_cursor
            try:
                data = await self._query("app.bsky.notification.listNotifications", params)
            except XrpcError as err:
                raise to_platform_error(err) from err
            notes = [n for n in data.get("notifications") or [] if isinstance(n, dict) and n.get("indexedAt")]
            reached_old = False
            for note in notes:
                indexed = parse_time(str(note["indexedAt"]))
                if newest is None or indexed > newest:
                    newest, newest_raw = indexed, str(note["indexedAt"])
                if threshold is not None and indexed < threshold:
                    reached_old = True
                    continue
                collected.append(note)
            api_cursor = data.get("cursor") or None
            if since is None or reached_old or not notes or not api_cursor:
                break
        else:
            log.warning(
                "bluesky notifications: stopped after %d pages; older ones skipped", self.max_incoming_pages
            )
        return IncomingPage(messages=notification_messages(collected, self.web_url), cursor=newest_raw)

    async def fetch_thread_replies(self: _Reader, roots: Sequence[RemoteRef]) -> list[IncomingMessage]:
        """Replies other accounts wrote under these posts of ours (getPostThread on each), oldest first.

        The AppView never notifies a reply written before it indexed the parent post (a burst right after
        a thread post). Each post is read `THREAD_DEPTH` levels down, not into our next thread post (read on
        its own); a deleted post is skipped; a reply is returned once, with its URI as external id.
        """
        session = await self.sessions.current()
        found: dict[str, IncomingMessage] = {}
        for root in roots:
            uri = root.uri or f"at://{session.did}/{POST_COLLECTION}/{root.remote_id}"
            try:
                data = await self._query("app.bsky.feed.getPostThread",
                                         {"uri": uri, "depth": THREAD_DEPTH, "parentHeight": 0})
            except XrpcError as err:
                if err.error == "NotFound" or err.status == 404:
                    continue  # deleted (pulled back): nothing to read under it
                raise to_platform_error(err) from err
            for message in thread_messages(_as_dict(data.get("thread")), session.did, self.web_url):
                found.setdefault(message.external_id, message)
        return sorted(found.values(), key=lambda m: (m.received_at, m.external_id))
