"""The X adapter: one account over the X API v2 (OAuth 2.0 user token or OAuth 1.0a user context).

- Media: images go through one-shot `POST /2/media/upload` (`media_category=tweet_image`); video
  and GIF through the chunked `initialize` / `append` / `finalize` endpoints, polling
  `GET /2/media/upload?command=STATUS` while `processing_info` is pending. Alt text is set with
  `POST /2/media/metadata`.
- Content warnings: X has no content-warning field for post text. When a post with a content
  warning carries media, the media is flagged `sensitive_media_warning.other` through
  `/2/media/metadata` (alt text re-sent in the same call); the text itself is posted unchanged.
- Idempotency: X has none. A duplicate text answers 403 "duplicate content", which is mapped to
  `OutcomeUnknown` (the earlier attempt may have posted it): reconcile with `find_post`, which reads
  `GET /2/users/{me}/tweets` since the first attempt and matches the reply target and the normalised text
  (t.co links and escapes undone). Replies start with the asker's @username, so the same answer to several
  askers is neither duplicate content nor ambiguous.
- Incoming: `GET /2/users/{me}/mentions?since_id=<cursor>`; the next cursor is `meta.newest_id`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from server.clock import wall_now, wall_seconds
from server.platforms.base import (
    Capabilities,
    CredentialStore,
    IncomingMessage,
    IncomingPage,
    PublishRequest,
    RemoteRef,
    UploadedMedia,
    UploadRequest,
)
from server.platforms.capabilities import CAPABILITIES
from server.platforms.errors import NeedsReauth, OutcomeUnknown, Rejected, RetryLater
from server.platforms.transport import mapped_transport_errors
from server.platforms.x.auth import TokenRefresher, auth_mode, sign
from server.platforms.x.http import RETRY_SERVER_SECONDS, raise_for_status
from server.platforms.x.metrics import XMetrics
from server.platforms.x.text import normalise_for_match, plain_text

ONE_SHOT_TYPES = ("image/jpeg", "image/png", "image/webp", "image/bmp", "image/pjpeg", "image/tiff")
MENTION_FIELDS = "created_at,author_id,conversation_id,in_reply_to_user_id,referenced_tweets,lang"
ALT_TEXT_MAX = 1000
PAGE_SIZE = 100
CLOCK_SLACK = timedelta(minutes=5)  # our clock may run ahead of X's


def status_url(tweet_id: str) -> str:
    """Return the permalink of a post that works without knowing the username."""
    return f"https://x.com/i/web/status/{tweet_id}"


class XAdapter(XMetrics):
    """`server.platforms.base.Platform` for X (API v2)."""

    name = "x"

    def __init__(
        self,
        base_url: str,
        credentials: CredentialStore,
        client: httpx.AsyncClient,
        *,
        chunk_size: int = 4 * 1024 * 1024,
        processing_poll_attempts: int = 30,
        processing_max_delay: float = 10.0,
        find_pages: int = 2,
        incoming_pages: int = 5,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = wall_seconds,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.capabilities: Capabilities = CAPABILITIES["x"]
        self._credentials = credentials
        self._client = client
        self._chunk_size = chunk_size
        self._poll_attempts = processing_poll_attempts
        self._poll_max = processing_max_delay
        self._find_pages = find_pages
        self._incoming_pages = incoming_pages
        self._sleep = sleep
        self._clock = clock
        self._refresher = TokenRefresher(self.base_url, credentials, client, clock)
        self._user_id: str | None = None
        self.username: str | None = None

    # ------------------------------------------------------------------ plumbing
    async def _call(self, method: str, path: str, action: str, *, creates: bool = False,
                    ok_statuses: tuple[int, ...] = (), **kwargs: Any) -> httpx.Response:
        """Send one signed request; on 401 refresh an OAuth 2.0 token once and retry."""
        refreshed = False
        while True:
            secrets = await self._credentials.load()
            oauth2 = auth_mode(secrets) == "oauth2"
            if oauth2 and not refreshed and self._refresher.expiring(secrets):
                await self._refresher.refresh(secrets["access_token"])
                refreshed = True
                continue
            request = self._client.build_request(method, f"{self.base_url}{path}", **kwargs)
            used_token = sign(request, secrets)
            with mapped_transport_errors("x", action, creates=creates):
                resp = await self._client.send(request)
            if resp.status_code == 401:
                if oauth2 and not refreshed:
                    await self._refresher.refresh(used_token)
                    refreshed = True
                    continue
                raise NeedsReauth(f"x {action}: credentials rejected (HTTP 401)")
            if resp.status_code not in ok_statuses:
                raise_for_status(resp, action, self._clock(), creates=creates)
            return resp

    async def _json(self, method: str, path: str, action: str, **kwargs: Any) -> dict[str, Any]:
        resp = await self._call(method, path, action, **kwargs)
        try:
            body = resp.json()
        except ValueError as exc:
            raise RetryLater(f"x {action}: unreadable response", RETRY_SERVER_SECONDS) from exc
        return body if isinstance(body, dict) else {}

    async def _me(self) -> str:
        if self._user_id is None:
            await self.authenticate()
        assert self._user_id is not None
        return self._user_id

    # ---------------------------------------------------------------- protocol
    async def authenticate(self) -> None:
        """Check the credentials with `GET /2/users/me` (refreshing once) and remember the user id."""
        data = (await self._json("GET", "/2/users/me", "verify credentials")).get("data") or {}
        self._user_id = str(data["id"])
        self.username = data.get("username")

    async def upload_media(self, media: UploadRequest) -> UploadedMedia:
        """Upload an image (one-shot) or a video/GIF (chunked, polled), then set its alt text."""
        if len(media.alt_text) > ALT_TEXT_MAX:
            raise Rejected(f"x: alt text longer than {ALT_TEXT_MAX} characters")
        if media.mime_type in ONE_SHOT_TYPES:
            category = "tweet_image"
            form = {"media_category": category, "media_type": media.mime_type}
            files = {"media": ("media", media.data, media.mime_type)}
            body = await self._json("POST", "/2/media/upload", "upload media", files=files, data=form)
            info = body["data"]
        elif media.mime_type == "image/gif" or media.mime_type.startswith("video/"):
            category = "tweet_gif" if media.mime_type == "image/gif" else "tweet_video"
            info = await self._chunked(media, category)
        else:
            raise Rejected(f"x: unsupported media type {media.mime_type}")
        media_id = str(info["id"])
        if media.alt_text:
            await self._metadata(media_id, {"alt_text": {"text": media.alt_text}})
        ttl = int(info.get("expires_after_secs") or self.capabilities.media_validity_seconds)
        return UploadedMedia(
            remote_id=media_id,
            expires_at=datetime.fromtimestamp(self._clock(), UTC) + timedelta(seconds=ttl),
            extra={"media_key": info.get("media_key"), "category": category, "alt_text": media.alt_text},
        )

    async def _chunked(self, media: UploadRequest, category: str) -> dict[str, Any]:
        init = {"media_type": media.mime_type, "total_bytes": len(media.data), "media_category": category}
        info = (await self._json("POST", "/2/media/upload/initialize", "start upload", json=init))["data"]
        media_id = str(info["id"])
        for index, start in enumerate(range(0, len(media.data), self._chunk_size)):
            chunk = media.data[start:start + self._chunk_size]
            await self._call("POST", f"/2/media/upload/{media_id}/append", "append upload",
                             files={"media": ("chunk", chunk, "application/octet-stream")},
                             data={"segment_index": str(index)})
        info = (await self._json("POST", f"/2/media/upload/{media_id}/finalize", "finalize upload"))["data"]
        for _ in range(self._poll_attempts):
            state = (info.get("processing_info") or {}).get("state", "succeeded")
            if state == "succeeded":
                return info
            if state == "failed":
                raise Rejected(f"x: media {media_id} failed processing")
            wait = float((info.get("processing_info") or {}).get("check_after_secs") or 1)
            await self._sleep(min(max(wait, 0.0), self._poll_max))
            params = {"media_id": media_id, "command": "STATUS"}
            info = (await self._json("GET", "/2/media/upload", "media status", params=params))["data"]
        raise RetryLater(f"x: media {media_id} still processing", RETRY_SERVER_SECONDS)

    async def _metadata(self, media_id: str, metadata: dict[str, Any]) -> None:
        body = {"id": media_id, "metadata": metadata}
        await self._call("POST", "/2/media/metadata", "media metadata", json=body)

    async def publish(self, request: PublishRequest) -> RemoteRef:
        """Create a post (a reply when `reply_to`); duplicate text -> OutcomeUnknown."""
        payload: dict[str, Any] = {"text": request.text}
        if request.media:
            payload["media"] = {"media_ids": [m.remote_id for m in request.media]}
        if request.reply_to is not None:
            payload["reply"] = {"in_reply_to_tweet_id": request.reply_to.remote_id}
        if request.content_warning:
            for item in request.media:
                flags: dict[str, Any] = {"sensitive_media_warning": {"other": True}}
                if item.extra.get("alt_text"):
                    flags["alt_text"] = {"text": str(item.extra["alt_text"])}
                await self._metadata(item.remote_id, flags)
        resp = await self._call("POST", "/2/tweets", "publish", creates=True, json=payload)
        try:
            tweet_id = str(resp.json()["data"]["id"])
        except (ValueError, KeyError, TypeError) as exc:
            raise OutcomeUnknown("x publish: unreadable success response") from exc
        return RemoteRef(remote_id=tweet_id, url=status_url(tweet_id))

    async def find_post(self, request: PublishRequest, *, sent_after: datetime) -> RemoteRef | None:
        """Find our post with the same reply target and text, created since the first attempt.

        X keeps no idempotency keys, so the identity is the reply target + the text + the time: a bank answer
        repeated to several askers starts with each asker's @username and replies to each one's post, so only
        this delivery's post matches. Two matches, or more posts since `sent_after` than the pages read, are
        `OutcomeUnknown` (the operator decides), never a guess.
        """
        user_id = await self._me()
        target = normalise_for_match(request.text)
        parent = request.reply_to.remote_id if request.reply_to is not None else None
        start = (sent_after - CLOCK_SLACK).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        params = {"max_results": str(PAGE_SIZE), "exclude": "retweets", "start_time": start,
                  "tweet.fields": "created_at,referenced_tweets"}
        found: list[str] = []
        for _ in range(self._find_pages):
            body = await self._json("GET", f"/2/users/{user_id}/tweets", "find post", params=params)
            for tweet in body.get("data") or []:
                if _replied_to(tweet) == parent and normalise_for_match(str(tweet.get("text", ""))) == target:
                    found.append(str(tweet["id"]))
            next_token = (body.get("meta") or {}).get("next_token")
            if not next_token:
                break
            params["pagination_token"] = str(next_token)
        else:
            raise OutcomeUnknown("x find post: the account posted more since the first attempt than the lookup "
                                 "reads; check the account")
        if len(found) > 1:
            raise OutcomeUnknown(f"x find post: {len(found)} of our posts match ({', '.join(found)}); cannot tell "
                                 "which one this delivery made")
        return RemoteRef(remote_id=found[0], url=status_url(found[0])) if found else None

    async def delete(self, ref: RemoteRef) -> None:
        """Delete a post; one that is already gone counts as deleted."""
        await self._call("DELETE", f"/2/tweets/{ref.remote_id}", "delete", ok_statuses=(404,))

    async def fetch_thread_replies(self, roots: Sequence[RemoteRef]) -> list[IncomingMessage]:
        """Nothing: on X the mentions timeline (`fetch_incoming`) already carries the thread's replies.

        A reply on X names the accounts it answers ("Replying to @hospital"), and by default a reply further
        down names the conversation's earlier participants too, so replies in our threads reach the mentions
        timeline. Reading each conversation as well would need `GET /2/tweets/search/recent?query=
        conversation_id:…`, which only some API plans include, costs from a 300-per-15-minutes budget and
        would only add replies whose authors removed the hospital from the reply on purpose.
        """
        return []

    async def fetch_incoming(self, cursor: str | None) -> IncomingPage:
        """Read mentions newer than `cursor`; X pages newest first, so a burst is read from the top down.

        The cursor is the newest post id read (`since_id` next time). When the page limit is reached before
        reaching the previous cursor, the cursor becomes `newest/since/until`: the range still to read
        (`since_id`, `until_id`), continued on the next fetch (`more` is set) before the newest id is used.
        Without a cursor only the newest page is read (older mentions predate the event).
        """
        user_id = await self._me()
        newest, since, until = _parse_cursor(cursor)
        params = {"max_results": str(PAGE_SIZE), "tweet.fields": MENTION_FIELDS, "expansions": "author_id"}
        if since:
            params["since_id"] = since
        if until:
            params["until_id"] = until
        found: dict[str, IncomingMessage] = {}
        oldest: str | None = None
        for page in range(self._incoming_pages):
            body = await self._json("GET", f"/2/users/{user_id}/mentions", "fetch mentions", params=params)
            meta = body.get("meta") or {}
            if page == 0 and meta.get("newest_id") and (newest is None or int(meta["newest_id"]) > int(newest)):
                newest = str(meta["newest_id"])
            if meta.get("oldest_id"):
                oldest = str(meta["oldest_id"])
            users = {str(u["id"]): u for u in (body.get("includes") or {}).get("users") or []}
            for tweet in body.get("data") or []:
                if str(tweet.get("author_id")) != user_id:
                    found[str(tweet["id"])] = _incoming(tweet, users)
            if cursor is None or not meta.get("next_token"):
                break
            params["pagination_token"] = str(meta["next_token"])
        else:
            if oldest and since:  # stopped at the page limit: (since, oldest) is still to read
                messages = [found[k] for k in sorted(found, key=int)]
                return IncomingPage(messages=messages, cursor=f"{newest}/{since}/{oldest}", more=True)
        return IncomingPage(messages=[found[k] for k in sorted(found, key=int)], cursor=newest)


def _parse_cursor(cursor: str | None) -> tuple[str | None, str | None, str | None]:
    """(newest id read, since_id, until_id) of a cursor; a plain id is all three but until."""
    if not cursor:
        return None, None, None
    parts = cursor.split("/")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return parts[0], parts[1], parts[2]
    return cursor, cursor, None


def _replied_to(tweet: dict[str, Any]) -> str | None:
    """The id of the post `tweet` replies to (from `referenced_tweets`), if any."""
    references = tweet.get("referenced_tweets") or []
    replied_to = next((r.get("id") for r in references if r.get("type") == "replied_to"), None)
    return str(replied_to) if replied_to else None


def _incoming(tweet: dict[str, Any], users: dict[str, dict[str, Any]]) -> IncomingMessage:
    author = users.get(str(tweet.get("author_id")), {})
    replied_to = _replied_to(tweet)
    try:
        received = datetime.fromisoformat(str(tweet.get("created_at")))
    except ValueError:
        received = wall_now()
    conversation = tweet.get("conversation_id")
    return IncomingMessage(
        platform="x",
        external_id=str(tweet["id"]),
        author_handle=str(author.get("username", "")),
        author_name=str(author.get("name", "")),
        text=plain_text(str(tweet.get("text", ""))),
        received_at=received,
        in_reply_to=str(replied_to) if replied_to else None,
        url=status_url(str(tweet["id"])),
        language=tweet.get("lang"),
        root_ref=RemoteRef(str(conversation), url=status_url(str(conversation))) if conversation else None,
    )
