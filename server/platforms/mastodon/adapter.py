"""The Mastodon adapter: one account on one instance, over the REST API with a bearer token.

Reconciliation after `OutcomeUnknown` (the post may exist):

1. `publish` always sends `Idempotency-Key: <idempotency_key>`. Mastodon keeps keys for 1 hour
   and answers a repeat with the *existing* status, so within the hour re-calling `publish` with
   the same key is safe and returns the post if the first attempt created it.
2. `find_post` never re-POSTs (a miss would create the post). It reads the account's recent
   statuses (`verify_credentials` -> `/api/v1/accounts/:id/statuses`, newest first, a few pages)
   and matches the text after converting the rendered HTML back to plain text and normalising
   both sides (`htmltext.normalise_for_match`). This works at any age, within the pages read.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from server.clock import wall_now, wall_seconds
from server.platforms.base import (
    Capabilities,
    CredentialStore,
    IncomingMessage,
    IncomingPage,
    MediaUpload,
    PublishRequest,
    RemoteRef,
    UploadedMedia,
)
from server.platforms.errors import NeedsReauth, PlatformError, Rejected
from server.platforms.mastodon.capabilities import default_capabilities, from_instance
from server.platforms.mastodon.htmltext import html_to_text, normalise_for_match
from server.platforms.mastodon.http import id_key, json_body, link_param, raise_for_status, send

log = logging.getLogger(__name__)

UNATTACHED_MEDIA_TTL = timedelta(days=1)
NOTIFICATION_PAGE = 80
EMPTY_ACCOUNT_CURSOR = "0"  # min_id below every id: all mentions
STATUS_PAGE = 40
_EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/webm": "webm",
}


class MastodonAdapter:
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
        self.capabilities: Capabilities = default_capabilities()
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
        """Check the token with `verify_credentials` and remember the account id."""
        resp = await self._call("GET", "/api/v1/accounts/verify_credentials", "verify credentials")
        body = json_body(resp, "verify credentials")
        self._account_id = str(body["id"])

    async def instance_capabilities(self) -> Capabilities:
        """Read `/api/v2/instance` limits into `self.capabilities`; keep the defaults on any failure."""
        try:
            resp = await self._call("GET", "/api/v2/instance", "read instance")
            body = json_body(resp, "read instance")
        except PlatformError as exc:
            log.warning("mastodon: instance limits unavailable, using defaults (%s)", exc.message)
            return self.capabilities
        if isinstance(body, dict):
            self.capabilities = from_instance(default_capabilities(), body)
        return self.capabilities

    async def upload_media(self, media: MediaUpload) -> UploadedMedia:
        """Upload via `/api/v2/media` with the alt text; poll `/api/v1/media/:id` while it processes.

        When processing outlasts the bounded polling, the handle is returned with
        `extra["processing"] = True`; publishing then answers `RetryLater` until it is ready.
        An attachment belongs to one status only (`media_single_use`): a second post needs a new upload.
        """
        if len(media.alt_text) > self.capabilities.media.alt_text_max:
            raise Rejected(
                f"mastodon: alt text longer than {self.capabilities.media.alt_text_max} characters"
            )
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
        """Post a status with `Idempotency-Key`, replying and with a content warning when asked."""
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
        return _ref(body)

    async def _me(self) -> str:
        if self._account_id is None:
            await self.authenticate()
        assert self._account_id is not None
        return self._account_id

    async def find_post(self, idempotency_key: str, text: str) -> RemoteRef | None:
        """Find our status with this text among the account's recent statuses (newest match wins)."""
        account_id = await self._me()
        target = normalise_for_match(text)
        params: dict[str, str] = {"limit": str(STATUS_PAGE), "exclude_reblogs": "true"}
        for _ in range(self._find_pages):
            resp = await self._call(
                "GET", f"/api/v1/accounts/{account_id}/statuses", "find post", params=params
            )
            statuses = json_body(resp, "find post")
            for status in statuses:
                if normalise_for_match(html_to_text(str(status.get("content", "")))) == target:
                    return _ref(status)
            if len(statuses) < STATUS_PAGE:
                break
            params["max_id"] = str(statuses[-1]["id"])
        return None

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
                message = _incoming(item)
                if message is not None:
                    found[str(item["id"])] = message
            page_newest = link_param(resp, "prev", "min_id") or max((str(i["id"]) for i in items), key=id_key)
            if newest is None or id_key(page_newest) > id_key(newest):
                newest = page_newest
            if cursor is None or len(items) < NOTIFICATION_PAGE:
                break
            more = page == self._incoming_pages
            params["min_id"] = newest
        if cursor is None and newest is None:
            newest = EMPTY_ACCOUNT_CURSOR
        ordered = [found[k] for k in sorted(found, key=id_key)]
        return IncomingPage(messages=ordered, cursor=newest, more=more)


def _ref(status: dict[str, Any]) -> RemoteRef:
    return RemoteRef(remote_id=str(status["id"]), url=status.get("url"), uri=status.get("uri"))


def _parse_time(value: Any) -> datetime:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return wall_now()


def _incoming(notification: dict[str, Any]) -> IncomingMessage | None:
    status = notification.get("status")
    if notification.get("type") != "mention" or not isinstance(status, dict):
        return None
    account = status.get("account") or notification.get("account") or {}
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
        received_at=_parse_time(status.get("created_at") or notification.get("created_at")),
        in_reply_to=status.get("in_reply_to_id"),
        url=status.get("url") or status.get("uri"),
        language=status.get("language"),
        visibility=status.get("visibility"),
    )
