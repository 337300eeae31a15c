"""The Mastodon adapter: one account on one instance, over the REST API with a bearer token.

Reconciliation after `OutcomeUnknown` (the post may exist) goes by identity, never by text alone:

1. `publish` always sends `Idempotency-Key: <idempotency_key>`. Mastodon keeps keys for 1 hour and answers
   a repeat with the *existing* status, so within the hour a re-send with the same key cannot make a second
   post: that re-POST is the dispatcher's ordinary re-send, after its send-time checks (a hold, a withdrawn
   consent), never a side effect of looking.
2. `find_post` never POSTs. A reply is looked for among the replies to its own target
   (`/api/v1/statuses/:target/context`): our account, `in_reply_to_id` = the target, the same text, created
   since the first attempt. A bank answer with the same words under another asker's message has another
   target, so it is never taken for this one. A post without a target (a thread's first post) is looked
   for among the account's own non-reply statuses back to the first attempt. Two candidates, or a lookup
   that could not reach back that far once the key has expired, is `OutcomeUnknown`: the operator decides.

Instance limits (`/api/v2/instance`: characters, media sizes and types, alt text) are read on
`authenticate`, which the first publish or upload runs, and every post and upload is checked against them
with the same rules as approval (`server.textrules`), so a smaller instance is refused with its numbers.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from server.clock import wall_seconds
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
from server.platforms.capabilities import CAPABILITIES, mastodon_capabilities
from server.platforms.errors import NeedsReauth, OutcomeUnknown, PlatformError, Rejected
from server.platforms.mastodon.http import id_key, json_body, link_param, raise_for_status, send
from server.platforms.mastodon.metrics import MastodonMetrics
from server.platforms.mastodon.statuses import (
    incoming_notification,
    incoming_status,
    is_ours,
    parse_time,
    status_ref,
)
from server.textrules import text_length
from server.textrules.media import MediaSpec, media_problems

log = logging.getLogger(__name__)

UNATTACHED_MEDIA_TTL = timedelta(days=1)
NOTIFICATION_PAGE = 80  # the documented maximum; servers may cap lower (mastodon_mock: 40)
DEFAULT_PAGE = 40  # the documented default: a page this long may be a capped full page, so read on
EMPTY_ACCOUNT_CURSOR = "0"  # min_id below every id: all mentions
STATUS_PAGE = 40
STATUS_DEFAULT_PAGE = 20  # the documented default: a shorter page is surely the last
CLOCK_SLACK = timedelta(minutes=5)  # our clock may run ahead of the instance's
KEY_WINDOW = timedelta(minutes=55)  # Mastodon keeps an Idempotency-Key for 1 hour after the first post
_EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/webm": "webm",
}


class MastodonAdapter(MastodonMetrics):
    """`server.platforms.base.Platform` for Mastodon (secrets: `access_token`)."""

    name = "mastodon"
    media_single_use = True  # an attachment belongs to one status; reusing its id answers 422

    def __init__(
        self,
        base_url: str,
        credentials: CredentialStore,
        client: httpx.AsyncClient,
        *,
        visibility: str | None = None,
        media_poll_attempts: int = 10,
        media_poll_initial_delay: float = 1.0,
        media_poll_max_delay: float = 8.0,
        find_pages: int = 3,
        incoming_pages: int = 5,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = wall_seconds,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.capabilities: Capabilities = CAPABILITIES["mastodon"]
        self._credentials = credentials
        self._client = client
        self._visibility = visibility
        self._poll_attempts = media_poll_attempts
        self._poll_initial = media_poll_initial_delay
        self._poll_max = media_poll_max_delay
        self._find_pages = find_pages
        self._incoming_pages = incoming_pages
        self._sleep = sleep
        self._clock = clock
        self._account_id: str | None = None

    # ------------------------------------------------------------------ plumbing
    async def _token(self) -> str:
        token = (await self._credentials.load()).get("access_token")
        if not token:
            raise NeedsReauth("mastodon: no access token stored for this account")
        return token

    async def _call(
        self,
        method: str,
        path: str,
        action: str,
        *,
        creates: bool = False,
        ok_statuses: tuple[int, ...] = (),
        token: str | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        resp = await send(
            self._client,
            method,
            f"{self.base_url}{path}",
            token=token or await self._token(),
            action=action,
            creates=creates,
            **kwargs,
        )
        if resp.status_code not in ok_statuses:
            raise_for_status(resp, action, self._clock())
        return resp

    # ---------------------------------------------------------------- protocol
    async def authenticate(self) -> None:
        """Check the token with `verify_credentials`, remember the account id, read the instance's limits."""
        resp = await self._call("GET", "/api/v1/accounts/verify_credentials", "verify credentials")
        body = json_body(resp, "verify credentials")
        self._account_id = str(body["id"])
        await self.instance_capabilities()

    async def instance_capabilities(self) -> Capabilities:
        """Read `/api/v2/instance` limits into `self.capabilities`; keep the defaults on any failure."""
        try:
            resp = await self._call("GET", "/api/v2/instance", "read instance")
            body = json_body(resp, "read instance")
        except PlatformError as exc:
            log.warning("mastodon: instance limits unavailable, using defaults (%s)", exc.message)
            return self.capabilities
        configuration = body.get("configuration") if isinstance(body, dict) else None
        if isinstance(configuration, dict):
            self.capabilities = mastodon_capabilities(configuration)
        return self.capabilities

    async def upload_media(self, media: UploadRequest) -> UploadedMedia:
        """Upload via `/api/v2/media` with the alt text; poll `/api/v1/media/:id` while it processes.

        When processing outlasts the bounded polling, the handle is returned with
        `extra["processing"] = True`; publishing then answers `RetryLater` until it is ready.
        An attachment belongs to one status only (`media_single_use`): a second post needs a new upload.
        """
        await self._me()  # connected: the instance's limits are known
        if len(media.alt_text) > self.capabilities.media.alt_text_max:
            raise Rejected(
                f"mastodon: alt text longer than {self.capabilities.media.alt_text_max} characters"
            )
        problems = media_problems("this Mastodon instance", self.capabilities, [MediaSpec.from_upload(media)])
        if problems:
            raise Rejected(f"mastodon: {problems[0]}")
        filename = f"upload.{_EXTENSIONS.get(media.mime_type, 'bin')}"
        data = {"description": media.alt_text} if media.alt_text else {}
        resp = await self._call(
            "POST",
            "/api/v2/media",
            "upload media",
            files={"file": (filename, media.data, media.mime_type)},
            data=data,
        )
        body = json_body(resp, "upload media")
        media_id = str(body["id"])
        processing = resp.status_code == 202 or body.get("url") is None
        if processing:
            processing = not await self._wait_for_media(media_id)
        return UploadedMedia(
            remote_id=media_id,
            expires_at=datetime.fromtimestamp(self._clock(), UTC) + UNATTACHED_MEDIA_TTL,
            extra={"type": body.get("type"), "processing": processing},
        )

    async def _wait_for_media(self, media_id: str) -> bool:
        delay = self._poll_initial
        for _ in range(self._poll_attempts):
            await self._sleep(delay)
            resp = await self._call("GET", f"/api/v1/media/{media_id}", "poll media", ok_statuses=(206,))
            if resp.status_code == 200 and json_body(resp, "poll media").get("url") is not None:
                return True
            delay = min(delay * 2, self._poll_max)
        log.info("mastodon: media %s still processing after %d polls", media_id, self._poll_attempts)
        return False

    async def publish(self, request: PublishRequest) -> RemoteRef:
        """Post a status with `Idempotency-Key`, replying and with a content warning when asked.

        The text (with its content warning, which Mastodon counts too) is checked against the instance's
        limit first: a smaller instance refuses with its own numbers, not a bare 422.
        """
        await self._me()  # connected: the instance's limits are known
        length = text_length("mastodon", request.text, self.capabilities)
        if request.content_warning:
            length += text_length("mastodon", request.content_warning, self.capabilities)
        if length > self.capabilities.text_limit:
            with_warning = " with its content warning" if request.content_warning else ""
            raise Rejected(f"mastodon publish: text is {length}/{self.capabilities.text_limit} characters"
                           f"{with_warning} on this instance")
        payload: dict[str, Any] = {"status": request.text}
        if request.media:
            payload["media_ids"] = [m.remote_id for m in request.media]
        if request.reply_to is not None:
            payload["in_reply_to_id"] = request.reply_to.remote_id
        if request.content_warning:
            payload["sensitive"] = True
            payload["spoiler_text"] = request.content_warning
        if request.language:
            payload["language"] = request.language
        if request.visibility or self._visibility:
            payload["visibility"] = request.visibility or self._visibility
        resp = await self._call(
            "POST",
            "/api/v1/statuses",
            "publish",
            creates=True,
            json=payload,
            headers={"Idempotency-Key": request.idempotency_key},
        )
        body = json_body(resp, "publish", creates=True)
        return status_ref(body)

    async def _me(self) -> str:
        if self._account_id is None:
            await self.authenticate()
        assert self._account_id is not None
        return self._account_id

    async def find_post(self, request: PublishRequest, *, sent_after: datetime) -> RemoteRef | None:
        """Find the status `publish(request)` may have made, by reply target + text + time (module docstring)."""
        account_id = await self._me()
        since = sent_after - CLOCK_SLACK
        parent = request.reply_to.remote_id if request.reply_to is not None else None
        if parent is not None:
            candidates, complete = await self._replies_to(parent), True
        else:
            candidates, complete = await self._own_top_level(account_id, since)
        found = [s for s in candidates if is_ours(s, account_id, parent, request.text, since)]
        if len(found) > 1:
            ids = ", ".join(str(s["id"]) for s in found)
            raise OutcomeUnknown(f"mastodon find post: {len(found)} of our statuses match ({ids}); cannot tell "
                                 "which one this delivery made")
        if found:
            return status_ref(found[0])
        expired = datetime.fromtimestamp(self._clock(), UTC) - sent_after > KEY_WINDOW
        if not complete and expired:
            raise OutcomeUnknown("mastodon find post: the account posted more since the first attempt than the "
                                 "lookup reads, and the Idempotency-Key has expired; check the account")
        return None

    async def _replies_to(self, status_id: str) -> list[dict[str, Any]]:
        """Every status under `status_id` (`context` descendants; up to 4,096 with a token); none when the
        status is gone."""
        resp = await self._call("GET", f"/api/v1/statuses/{status_id}/context", "read replies",
                                ok_statuses=(404, 410))
        if resp.status_code in (404, 410):
            return []
        body = json_body(resp, "read replies")
        descendants = body.get("descendants") if isinstance(body, dict) else None
        return [s for s in descendants or [] if isinstance(s, dict) and s.get("id") is not None]

    async def _own_top_level(self, account_id: str, since: datetime) -> tuple[list[dict[str, Any]], bool]:
        """The account's statuses newest first back to `since` (replies to others left out); and whether
        the lookup reached `since` within `find_pages` pages."""
        params: dict[str, str] = {"limit": str(STATUS_PAGE), "exclude_reblogs": "true", "exclude_replies": "true"}
        statuses: list[dict[str, Any]] = []
        for _ in range(self._find_pages):
            resp = await self._call(
                "GET", f"/api/v1/accounts/{account_id}/statuses", "find post", params=params
            )
            page = [s for s in json_body(resp, "find post") or [] if isinstance(s, dict)]
            statuses += page
            if len(page) < STATUS_DEFAULT_PAGE or any(parse_created(s) < since for s in page):
                return statuses, True  # the last page, or back past the first attempt
            params["max_id"] = str(page[-1]["id"])
        return statuses, False

    async def fetch_thread_replies(self, roots: Sequence[RemoteRef]) -> list[IncomingMessage]:
        """Replies other accounts wrote under the event's posts, mention or not, oldest first.

        A reply that drops the @mention of the hospital never becomes a notification, so `fetch_incoming`
        cannot see it; each root's `context` does. Every message keeps its `visibility` (a private question
        gets a direct answer) and names the root it was found under; the account's own posts are left out,
        a status under several roots is returned once, and a root that is gone is skipped.
        """
        account_id = await self._me()
        found: dict[str, IncomingMessage] = {}
        for root in roots:
            for status in await self._replies_to(root.remote_id):
                author = status.get("account") or {}
                if str(author.get("id")) == account_id or status.get("reblog") or str(status["id"]) in found:
                    continue
                found[str(status["id"])] = incoming_status(status, root=RemoteRef(remote_id=root.remote_id,
                                                                                   url=root.url, uri=root.uri))
        return [found[k] for k in sorted(found, key=id_key)]

    async def delete(self, ref: RemoteRef) -> None:
        """Delete a status; one that is already gone counts as deleted."""
        await self._call("DELETE", f"/api/v1/statuses/{ref.remote_id}", "delete", ok_statuses=(404, 410))

    async def fetch_incoming(self, cursor: str | None) -> IncomingPage:
        """Read `mention` notifications newer than `cursor` (a notification id, used as `min_id`).

        Without a cursor only the newest page is read (older mentions predate the event) and its newest id
        becomes the cursor; when the account has no mentions at all the cursor becomes `"0"`, so every
        mention from then on is read, not just the newest page of the first non-empty poll. With a cursor, up
        to `incoming_pages` pages are followed oldest first; `more` tells the caller that the last page was
        full when that limit was reached (fetch again from the returned cursor).
        """
        params: dict[str, str] = {"types[]": "mention", "limit": str(NOTIFICATION_PAGE)}
        if cursor:
            params["min_id"] = cursor
        found: dict[str, IncomingMessage] = {}
        newest = cursor
        more = False
        token = await self._token()  # read once per fetch, not once per page
        for page in range(1, self._incoming_pages + 1):
            resp = await self._call("GET", "/api/v1/notifications", "fetch mentions", params=params, token=token)
            items = json_body(resp, "fetch mentions")
            if not items:
                break
            for item in items:
                message = incoming_notification(item)
                if message is not None:
                    found[str(item["id"])] = message
            page_newest = link_param(resp, "prev", "min_id") or max((str(i["id"]) for i in items), key=id_key)
            if newest is None or id_key(page_newest) > id_key(newest):
                newest = page_newest
            if cursor is None or len(items) < min(NOTIFICATION_PAGE, DEFAULT_PAGE):
                break  # a page of at least 40 may be a server's capped full page: read on
            more = page == self._incoming_pages
            params["min_id"] = newest
        if cursor is None and newest is None:
            newest = EMPTY_ACCOUNT_CURSOR
        ordered = [found[k] for k in sorted(found, key=id_key)]
        return IncomingPage(messages=ordered, cursor=newest, more=more)


def parse_created(status: dict[str, Any]) -> datetime:
    """A status's creation time (see `statuses.parse_time`)."""
    return parse_time(status.get("created_at"))
