"""FakeMastodon: an in-process (or uvicorn) Mastodon instance checked against the Mastodon OpenAPI spec.

Behaviour follows shared/docs/platform-api-facts.md section 2: bearer tokens, `POST /api/v2/media`
(images 200, video/gif 202 with `url: null`, then `GET /api/v1/media/:id` answers 206 until done),
`POST /api/v1/statuses` with `Idempotency-Key` (same key within 1 h returns the existing status),
the 500-character / "not finished processing" 422s, notifications with `min_id`/`since_id`/`max_id`
and `Link` headers, `GET /api/v2/instance` limits, and 429 with an ISO-8601 `X-RateLimit-Reset`.

Run on a loopback port: `python -m tests.fakes.mastodon --port 8081` (token `mastodon-token`).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from tests.fakes.asgi import FakeRequest, FakeResponse, FakeServer, Handler, UploadedBlob, run_cli
from tests.fakes.mastodon_entities import (
    MENTION_RE,
    Account,
    Media,
    StatusRec,
    account_json,
    count_characters,
    credential_account_json,
    instance_json,
    iso,
    iso_micro,
    media_json,
    status_json,
)
from tests.fakes.spec_patches import mastodon_checker

IDEMPOTENCY_TTL = 3600.0
NOT_PROCESSED = "Cannot attach files that have not finished processing. Try again in a moment!"
AuthedHandler = Callable[[FakeRequest, dict[str, str], str], Awaitable[FakeResponse]]


def _id_key(value: str) -> tuple[int, str]:
    return (len(value), value)


class FakeMastodon(FakeServer):
    """A Mastodon instance with one local account (`livecue`) and fault knobs (see FakeServer)."""

    def __init__(
        self,
        *,
        tokens: tuple[str, ...] = ("mastodon-token",),
        base_url: str = "https://mastodon.test",
        clock: Callable[[], float] = time.time,
        max_characters: int = 500,
        max_media_attachments: int = 4,
        description_limit: int = 1500,
        video_processing_polls: int = 2,
        rate_limit_reset_seconds: float = 60.0,
    ) -> None:
        super().__init__(mastodon_checker(), base_url=base_url, clock=clock)
        self.domain = base_url.split("://", 1)[-1].split("/")[0]
        self.max_characters = max_characters
        self.max_media_attachments = max_media_attachments
        self.description_limit = description_limit
        self.video_processing_polls = video_processing_polls
        self.rate_limit_reset_seconds = rate_limit_reset_seconds
        self._ids = itertools.count(110_000_000_000_000_001)
        me = Account(self.next_id(), "livecue", None, "Livecue Hospital", self.domain)
        self.me = me
        self.accounts: dict[str, Account] = {me.id: me}
        self.tokens: dict[str, str] = dict.fromkeys(tokens, me.id)
        self.statuses: dict[str, StatusRec] = {}
        self.media: dict[str, Media] = {}
        self.notifications: list[dict[str, Any]] = []
        self.idempotency: dict[tuple[str, str], tuple[str, float]] = {}
        self.add_route("GET", "/api/v2/instance", self._instance)
        self.add_route("POST", "/_fake/reply", self._reply_route)
        routes: tuple[tuple[str, str, AuthedHandler], ...] = (
            ("POST", "/api/v2/media", self._upload),
            ("GET", "/api/v1/media/{id}", self._get_media),
            ("POST", "/api/v1/statuses", self._create_status),
            ("GET", "/api/v1/statuses/{id}", self._get_status),
            ("DELETE", "/api/v1/statuses/{id}", self._delete_status),
            ("GET", "/api/v1/statuses/{id}/context", self._context),
            ("GET", "/api/v1/notifications", self._notifications),
            ("GET", "/api/v1/accounts/verify_credentials", self._verify),
            ("GET", "/api/v1/accounts/{id}/statuses", self._account_statuses),
        )
        for method, path, handler in routes:
            self.add_route(method, path, self._authed(handler))

    # ------------------------------------------------------------- test helpers
    def next_id(self) -> str:
        """Allocate a new snowflake-like id (increasing, same length)."""
        return str(next(self._ids))

    def revoke_token(self, token: str) -> None:
        """Make `token` invalid (401 from now on)."""
        self.tokens.pop(token, None)

    def account_statuses(self, account_id: str | None = None) -> list[StatusRec]:
        """Return an account's statuses, oldest first."""
        owner = account_id or self.me.id
        owned = (s for s in self.statuses.values() if s.account_id == owner)
        return sorted(owned, key=lambda s: _id_key(s.id))

    def inject_reply(self, in_reply_to_id: str, text: str, *, acct: str = "alice@clinic.example",
                     display_name: str = "Alice", mention: bool = True, visibility: str = "public") -> str:
        """Add an audience reply and, when it mentions our account, its mention notification; returns its id.

        Without `mention` the reply is only seen in the parent's `context` (Mastodon notifies @mentions).
        """
        username, _, domain = acct.partition("@")
        author = next((a for a in self.accounts.values() if a.acct == acct), None)
        if author is None:
            author = Account(self.next_id(), username, domain or None, display_name, self.domain)
            self.accounts[author.id] = author
        parent = self.statuses.get(in_reply_to_id)
        rec = StatusRec(
            id=self.next_id(), account_id=author.id,
            text=f"@{self.me.username}@{self.domain} {text}" if mention else text,
            created_at=self.clock(), in_reply_to_id=in_reply_to_id,
            in_reply_to_account_id=parent.account_id if parent else None, sensitive=False, spoiler_text="",
            visibility=visibility, language="en", mention_ids=[self.me.id] if mention else [],
        )
        self.statuses[rec.id] = rec
        if mention:
            self.notifications.append({"id": self.next_id(), "type": "mention", "created_at": self.clock(),
                                       "account_id": author.id, "status_id": rec.id})
        return rec.id

    def snapshot(self) -> dict[str, Any]:
        """Return statuses and media as JSON-able data."""
        media = {m.id: {"type": m.kind, "description": m.description, "status_id": m.status_id}
                 for m in self.media.values()}
        return {"statuses": [self._status(s) for s in self.account_statuses()], "media": media}

    # ------------------------------------------------------------ responses
    def _rate_headers(self, remaining: int = 299) -> dict[str, str]:
        reset = iso_micro(self.clock() + self.rate_limit_reset_seconds)
        return {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": str(remaining),
                "X-RateLimit-Reset": reset}

    def fault_response(self, kind: str) -> FakeResponse:
        """Answer an injected 429/500/503 the way Mastodon does."""
        if kind == "429":
            return FakeResponse(429, {"error": "Too many requests"}, self._rate_headers(0))
        if kind == "503":
            return FakeResponse(503, {"error": "Service Unavailable"})
        return FakeResponse(500, {"error": "We're sorry, but something went wrong on our end."})

    def _ok(self, body: Any, status: int = 200, headers: dict[str, str] | None = None) -> FakeResponse:
        return FakeResponse(status, body, {**self._rate_headers(), **(headers or {})})

    def _error(self, status: int, message: str) -> FakeResponse:
        return FakeResponse(status, {"error": message})

    def _authed(self, handler: AuthedHandler) -> Handler:
        async def wrapped(req: FakeRequest, params: dict[str, str]) -> FakeResponse:
            scheme, _, token = req.headers.get("authorization", "").partition(" ")
            account_id = self.tokens.get(token) if scheme.lower() == "bearer" else None
            if account_id is None:
                return self._error(401, "The access token is invalid")
            return await handler(req, params, account_id)

        return wrapped

    def _status(self, rec: StatusRec) -> dict[str, Any]:
        replies = sum(1 for s in self.statuses.values() if s.in_reply_to_id == rec.id)
        count = sum(1 for s in self.statuses.values() if s.account_id == rec.account_id)
        return status_json(rec, self.accounts, self.media, replies, count, self.domain)

    def _link(self, req: FakeRequest, ids: list[str]) -> dict[str, str]:
        if not ids:
            return {}
        keep = [(k, v) for k, v in req.query if k not in ("max_id", "min_id", "since_id")]
        base = req.origin + req.path
        next_q = urlencode([*keep, ("max_id", ids[-1])])
        prev_q = urlencode([*keep, ("min_id", ids[0])])
        return {"Link": f'<{base}?{next_q}>; rel="next", <{base}?{prev_q}>; rel="prev"'}

    @staticmethod
    def _page(req: FakeRequest, ids: list[str], default: int, maximum: int) -> list[str]:
        """Apply max_id/since_id/min_id/limit to ids; return the page newest first."""
        limit = max(1, min(int(req.q("limit") or default), maximum))
        ordered = sorted(ids, key=_id_key)
        if (max_id := req.q("max_id")) is not None:
            ordered = [i for i in ordered if _id_key(i) < _id_key(max_id)]
        if (since_id := req.q("since_id")) is not None:
            ordered = [i for i in ordered if _id_key(i) > _id_key(since_id)]
        if (min_id := req.q("min_id")) is not None:
            return list(reversed([i for i in ordered if _id_key(i) > _id_key(min_id)][:limit]))
        return list(reversed(ordered))[:limit]

    # ----------------------------------------------------------------- media
    async def _upload(self, req: FakeRequest, params: dict[str, str], account_id: str) -> FakeResponse:
        blob = req.field_file("file")
        if not isinstance(blob, UploadedBlob) or not blob.data:
            return self._error(422, "Validation failed: File can't be blank")
        ctype = blob.content_type.lower()
        description = req.field_text("description")
        if description is not None and len(description) > self.description_limit:
            limit = self.description_limit
            message = f"Validation failed: Description is too long (maximum is {limit} characters)"
            return self._error(422, message)
        if ctype == "image/gif" or ctype.startswith("video/"):
            kind, polls = ("gifv" if ctype == "image/gif" else "video"), self.video_processing_polls
        elif ctype in ("image/jpeg", "image/png", "image/webp", "image/avif", "image/heic"):
            kind, polls = "image", 0
        else:
            return self._error(422, "Validation failed: File content type is invalid, File is invalid")
        media = Media(self.next_id(), kind, ctype, len(blob.data), description or None, polls)
        self.media[media.id] = media
        return self._ok(media_json(media, self.domain), 202 if polls > 0 else 200)

    async def _get_media(self, req: FakeRequest, params: dict[str, str], account_id: str) -> FakeResponse:
        media = self.media.get(params["id"])
        if media is None:
            return self._error(404, "Record not found")
        if media.polls_left > 0:
            media.polls_left -= 1
            return self._ok(media_json(media, self.domain) | {"url": None}, 206)
        return self._ok(media_json(media, self.domain))

    # -------------------------------------------------------------- statuses
    async def _create_status(self, req: FakeRequest, params: dict[str, str], account_id: str) -> FakeResponse:
        body: dict[str, Any] = req.json if isinstance(req.json, dict) else {}
        key = req.headers.get("idempotency-key")
        if key:
            hit = self.idempotency.get((account_id, key))
            if hit and self.clock() - hit[1] < IDEMPOTENCY_TTL and hit[0] in self.statuses:
                return self._ok(self._status(self.statuses[hit[0]]))
        text = str(body.get("status") or "")
        media_ids = [str(m) for m in body.get("media_ids") or []]
        spoiler = str(body.get("spoiler_text") or "")
        if not text.strip() and not media_ids:
            return self._error(422, "Validation failed: Text can't be blank")
        if count_characters(text) + count_characters(spoiler) > self.max_characters:
            return self._error(
                422, f"Validation failed: Text character limit of {self.max_characters} exceeded"
            )
        if len(media_ids) > self.max_media_attachments:
            return self._error(
                422, f"Validation failed: Cannot attach more than {self.max_media_attachments} files"
            )
        missing = [m for m in media_ids if m not in self.media or self.media[m].status_id is not None]
        if missing:
            return self._error(
                422, f"Media {', '.join(missing)} not found or already attached to another post"
            )
        if any(self.media[m].polls_left > 0 for m in media_ids):
            return self._error(422, NOT_PROCESSED)
        parent_id = body.get("in_reply_to_id")
        parent = self.statuses.get(str(parent_id)) if parent_id is not None else None
        if parent_id is not None and parent is None:
            return self._error(404, "Record not found")
        mention_ids = [
            a.id
            for m in MENTION_RE.finditer(text)
            for a in self.accounts.values()
            if a.username == m.group(1) and (a.domain or self.domain) == (m.group(2) or self.domain)
        ]
        rec = StatusRec(
            id=self.next_id(), account_id=account_id, text=text, created_at=self.clock(),
            in_reply_to_id=parent.id if parent else None,
            in_reply_to_account_id=parent.account_id if parent else None,
            sensitive=bool(body.get("sensitive")) or bool(spoiler), spoiler_text=spoiler,
            visibility=str(body.get("visibility") or "public"), language=body.get("language") or "en",
            media_ids=media_ids, mention_ids=mention_ids,
        )
        self.statuses[rec.id] = rec
        for m in media_ids:
            self.media[m].status_id = rec.id
        if key:
            self.idempotency[(account_id, key)] = (rec.id, self.clock())
        return self._ok(self._status(rec))

    async def _get_status(self, req: FakeRequest, params: dict[str, str], account_id: str) -> FakeResponse:
        rec = self.statuses.get(params["id"])
        return self._ok(self._status(rec)) if rec else self._error(404, "Record not found")

    async def _delete_status(self, req: FakeRequest, params: dict[str, str], account_id: str) -> FakeResponse:
        rec = self.statuses.get(params["id"])
        if rec is None or rec.account_id != account_id:
            return self._error(404, "Record not found")
        body = self._status(rec) | {"text": rec.text}
        del self.statuses[rec.id]
        for m in rec.media_ids:
            self.media[m].status_id = None
        return self._ok(body)

    async def _context(self, req: FakeRequest, params: dict[str, str], account_id: str) -> FakeResponse:
        rec = self.statuses.get(params["id"])
        if rec is None:
            return self._error(404, "Record not found")
        ancestors: list[StatusRec] = []
        cursor = rec
        while cursor.in_reply_to_id and cursor.in_reply_to_id in self.statuses:
            cursor = self.statuses[cursor.in_reply_to_id]
            ancestors.insert(0, cursor)
        descendants: list[StatusRec] = []
        frontier = [rec.id]
        while frontier:
            children = [s for s in self.statuses.values() if s.in_reply_to_id in frontier]
            descendants.extend(children)
            frontier = [c.id for c in children]
        descendants.sort(key=lambda s: _id_key(s.id))
        return self._ok({"ancestors": [self._status(s) for s in ancestors],
                         "descendants": [self._status(s) for s in descendants]})

    # -------------------------------------------------------- notifications
    async def _notifications(self, req: FakeRequest, params: dict[str, str], account_id: str) -> FakeResponse:
        types = req.q_all("types[]") or req.q_all("types")
        excluded = req.q_all("exclude_types[]") or req.q_all("exclude_types")
        pool = {
            n["id"]: n
            for n in self.notifications
            if (not types or n["type"] in types)
            and n["type"] not in excluded
            and n["status_id"] in self.statuses
        }
        page = self._page(req, list(pool), 40, 80)
        body = [
            {"id": n["id"], "type": n["type"], "created_at": iso(n["created_at"]),
             "group_key": f"ungrouped-{n['id']}", "account": account_json(self.accounts[n["account_id"]], 1),
             "status": self._status(self.statuses[n["status_id"]])}
            for n in (pool[i] for i in page)
        ]
        return self._ok(body, headers=self._link(req, page))

    async def _account_statuses(
        self, req: FakeRequest, params: dict[str, str], account_id: str
    ) -> FakeResponse:
        if params["id"] not in self.accounts:
            return self._error(404, "Record not found")
        recs = self.account_statuses(params["id"])
        if req.q("exclude_replies") == "true":
            recs = [s for s in recs if s.in_reply_to_account_id in (None, s.account_id)]
        if req.q("only_media") == "true":
            recs = [s for s in recs if s.media_ids]
        page = self._page(req, [s.id for s in recs], 20, 40)
        return self._ok([self._status(self.statuses[i]) for i in page], headers=self._link(req, page))

    # ------------------------------------------------------------- accounts
    async def _verify(self, req: FakeRequest, params: dict[str, str], account_id: str) -> FakeResponse:
        acc = self.accounts[account_id]
        body = credential_account_json(account_json(acc, len(self.account_statuses(acc.id))))
        return self._ok(body)

    async def _instance(self, req: FakeRequest, params: dict[str, str]) -> FakeResponse:
        limits = (self.max_characters, self.max_media_attachments, self.description_limit)
        return self._ok(instance_json(self.domain, *limits))

    async def _reply_route(self, req: FakeRequest, params: dict[str, str]) -> FakeResponse:
        body = req.json or {}
        new_id = self.inject_reply(
            str(body["in_reply_to_id"]), str(body["text"]), acct=str(body.get("acct", "alice@clinic.example"))
        )
        return FakeResponse(200, {"id": new_id})


if __name__ == "__main__":
    run_cli(FakeMastodon, 8081)
