"""FakeX: an in-process (or uvicorn) X API v2 checked against the X OpenAPI spec.

Behaviour follows shared/docs/platform-api-facts.md section 1: OAuth 2.0 user tokens (2 h, refresh
via `POST /2/oauth2/token` that rotates the refresh token) and OAuth 1.0a user context (HMAC-SHA1
verified server-side), one-shot and chunked media upload with processing_info polling, alt text via
`/2/media/metadata`, `POST /2/tweets` (duplicate text -> 403 Problem), mentions with `since_id` and
`meta.newest_id`, the user timeline (with `start_time`), and 429 with an epoch `x-rate-limit-reset`. Replies that
start with the asker's @username differ per asker, so the same answer to several askers is not a duplicate.

`/2/oauth2/token` is not in the spec; the fake checks it against the facts doc (form-encoded
`grant_type=refresh_token&refresh_token=...&client_id=...`) and records violations itself.
Error bodies are RFC 7807 Problems sent as `application/problem+json` (the spec's `default`).
Run on a loopback port: `python -m tests.fakes.x --port 8082`.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from tests.fakes.asgi import FakeRequest, FakeResponse, FakeServer, Handler, run_cli
from tests.fakes.spec_patches import x_checker
from tests.fakes.x_auth import TOKEN_URL, XAuth
from tests.fakes.x_records import MediaRec, TweetRec, UserRec
from tests.fakes.x_support import render_text, weighted_length

DUPLICATE = {
    "detail": "You are not allowed to create a Tweet with duplicate content.",
    "type": "about:blank", "title": "Forbidden", "status": 403,
}
PROBLEM = "application/problem+json"
NOT_FOUND = "https://api.twitter.com/2/problems/resource-not-found"
VIDEO_CATEGORIES = ("tweet_video", "tweet_gif", "amplify_video")
AuthedHandler = Callable[[FakeRequest, dict[str, str], str], Awaitable[FakeResponse]]


def problem(status: int, title: str, detail: str, kind: str = "about:blank") -> FakeResponse:
    """Build an RFC 7807 Problem response."""
    return FakeResponse(status, {"title": title, "detail": detail, "type": kind, "status": status},
                        content_type=PROBLEM)


def invalid(detail: str) -> FakeResponse:
    """Build X's 400 invalid-request Problem."""
    resp = problem(400, "Invalid Request", detail, "https://api.twitter.com/2/problems/invalid-request")
    resp.body["errors"] = [{"message": detail}]
    return resp


class FakeX(FakeServer):
    """X API v2 with one local user (`livecue`), OAuth 2.0 + OAuth 1.0a, and fault knobs."""

    def __init__(
        self,
        *,
        base_url: str = "https://api.x.test",
        clock: Callable[[], float] = time.time,
        client_id: str = "x-client",
        client_secret: str | None = None,
        access_token: str = "x-access-0",
        refresh_token: str = "x-refresh-0",
        consumer_key: str = "x-consumer",
        consumer_secret: str = "x-consumer-secret",
        token: str = "x-token",
        token_secret: str = "x-token-secret",
        video_processing_polls: int = 2,
        rate_limit_reset_seconds: int = 900,
    ) -> None:
        super().__init__(x_checker(), base_url=base_url, unchecked_paths=(TOKEN_URL,), clock=clock)
        self.video_processing_polls = video_processing_polls
        self.rate_limit_reset_seconds = rate_limit_reset_seconds
        self._tweet_ids = itertools.count(1_900_000_000_000_000_001)
        self._media_ids = itertools.count(1_880_000_000_000_000_001)
        self._user_ids = itertools.count(1_500_000_000_000_000_001)
        self.me = UserRec(str(next(self._user_ids)), "livecue", "Livecue Hospital")
        self.users: dict[str, UserRec] = {self.me.id: self.me}
        self.auth = XAuth(clock, self.me.id)
        self.auth.add_oauth2(client_id, client_secret, access_token, refresh_token)
        self.auth.add_oauth1(consumer_key, consumer_secret, token, token_secret)
        self.tweets: dict[str, TweetRec] = {}
        self.media: dict[str, MediaRec] = {}
        self.add_route("POST", TOKEN_URL, self._token)
        self.add_route("POST", "/_fake/mention", self._mention_route)
        routes: tuple[tuple[str, str, AuthedHandler], ...] = (
            ("GET", "/2/users/me", self._users_me),
            ("POST", "/2/media/upload", self._upload_one_shot),
            ("GET", "/2/media/upload", self._upload_status),
            ("POST", "/2/media/upload/initialize", self._initialize),
            ("POST", "/2/media/upload/{id}/append", self._append),
            ("POST", "/2/media/upload/{id}/finalize", self._finalize),
            ("POST", "/2/media/metadata", self._metadata),
            ("POST", "/2/tweets", self._create_tweet),
            ("GET", "/2/tweets", self._lookup),
            ("DELETE", "/2/tweets/{id}", self._delete_tweet),
            ("GET", "/2/users/{id}/mentions", self._mentions),
            ("GET", "/2/users/{id}/tweets", self._user_tweets),
        )
        for method, path, handler in routes:
            self.add_route(method, path, self._authed(handler))

    # ------------------------------------------------------------- test helpers
    def expire_access_tokens(self) -> None:
        """Make every OAuth 2.0 access token expired (401 until refreshed)."""
        self.auth.expire_access_tokens()

    def revoke_refresh_tokens(self) -> None:
        """Invalidate every refresh token (refresh answers 400)."""
        self.auth.refresh_tokens.clear()

    def timeline(self, user_id: str | None = None) -> list[TweetRec]:
        """Return a user's tweets oldest first."""
        owner = user_id or self.me.id
        return sorted((t for t in self.tweets.values() if t.author_id == owner), key=lambda t: int(t.id))

    def _add_tweet(self, author_id: str, raw: str, media_ids: list[str], parent_id: str | None) -> TweetRec:
        parent = self.tweets.get(parent_id or "")
        conversation = (parent.conversation_id or parent.id) if parent else None
        rec = TweetRec(str(next(self._tweet_ids)), author_id, raw, self.clock(), media_ids, parent_id,
                       conversation, parent.author_id if parent else None)
        self.tweets[rec.id] = rec
        return rec

    def inject_mention(
        self, text: str, *, username: str = "alice", name: str = "Alice", in_reply_to: str | None = None
    ) -> str:
        """Add a tweet by another user mentioning @livecue (a reply when `in_reply_to`); returns its id."""
        author = next((u for u in self.users.values() if u.username == username), None)
        if author is None:
            author = UserRec(str(next(self._user_ids)), username, name)
            self.users[author.id] = author
        raw = text if f"@{self.me.username}" in text else f"@{self.me.username} {text}"
        return self._add_tweet(author.id, raw, [], in_reply_to).id

    def snapshot(self) -> dict[str, Any]:
        """Return tweets and media as JSON-able data."""
        fields = {"created_at", "author_id", "conversation_id", "referenced_tweets"}
        return {
            "tweets": [t.as_json(set(), fields, self.users) for t in self.timeline()],
            "media": {m.id: {"alt_text": m.alt_text, "state": m.state, "category": m.category}
                      for m in self.media.values()},
        }

    # ---------------------------------------------------------------- plumbing
    def _rate_headers(self, remaining: int = 99) -> dict[str, str]:
        reset = str(int(self.clock()) + self.rate_limit_reset_seconds)
        return {"x-rate-limit-limit": "100", "x-rate-limit-remaining": str(remaining),
                "x-rate-limit-reset": reset}

    def fault_response(self, kind: str) -> FakeResponse:
        """Answer an injected 429/500/503 the way X does."""
        titles = {"429": "Too Many Requests", "500": "Internal Server Error", "503": "Service Unavailable"}
        resp = problem(int(kind), titles[kind], titles[kind])
        resp.headers.update(self._rate_headers(0) if kind == "429" else {})
        return resp

    def violation_response(self, violations: list[str]) -> FakeResponse:
        """Answer a request that breaks the spec with X's invalid-request Problem."""
        return invalid("; ".join(violations))

    def _ok(self, body: Any, status: int = 200) -> FakeResponse:
        return FakeResponse(status, body, self._rate_headers())

    def _authed(self, handler: AuthedHandler) -> Handler:
        async def wrapped(req: FakeRequest, params: dict[str, str]) -> FakeResponse:
            user_id = self.auth.user_for(req)
            if user_id is None:
                return problem(401, "Unauthorized", "Unauthorized")
            return await handler(req, params, user_id)

        return wrapped

    async def _token(self, req: FakeRequest, params: dict[str, str]) -> FakeResponse:
        return self.auth.token_endpoint(req, self.violations)

    async def _users_me(self, req: FakeRequest, params: dict[str, str], user_id: str) -> FakeResponse:
        fields = set((req.q("user.fields") or "").split(","))
        return self._ok({"data": self.users[user_id].as_json(fields)})

    # ------------------------------------------------------------------- media
    def _new_media(self, owner: str, category: str, media_type: str | None) -> MediaRec:
        rec = MediaRec(str(next(self._media_ids)), owner, category, media_type)
        self.media[rec.id] = rec
        return rec

    def _session(self, user_id: str, media_id: str) -> MediaRec | None:
        rec = self.media.get(media_id)
        return rec if rec is not None and rec.owner == user_id else None

    async def _upload_one_shot(self, req: FakeRequest, params: dict[str, str], user_id: str) -> FakeResponse:
        blob = req.field_file("media")
        if blob is None:
            return invalid("media must be sent as a multipart file part")
        rec = self._new_media(user_id, req.field_text("media_category") or "", req.field_text("media_type"))
        rec.data, rec.state = blob.data, "succeeded"
        return self._ok({"data": rec.as_json(self.clock)})

    async def _initialize(self, req: FakeRequest, params: dict[str, str], user_id: str) -> FakeResponse:
        body = req.json or {}
        rec = self._new_media(user_id, body.get("media_category", "tweet_image"), body.get("media_type"))
        rec.total_bytes = body.get("total_bytes")
        return self._ok({"data": rec.as_json(self.clock)})

    async def _append(self, req: FakeRequest, params: dict[str, str], user_id: str) -> FakeResponse:
        rec = self._session(user_id, params["id"])
        blob = req.field_file("media")
        if rec is None or rec.state != "initialized" or blob is None:
            return invalid("append needs an initialized upload and a media part")
        rec.segments[int(req.field_text("segment_index") or 0)] = blob.data
        return self._ok({"data": {"expires_at": int(self.clock()) + 86400}})

    async def _finalize(self, req: FakeRequest, params: dict[str, str], user_id: str) -> FakeResponse:
        rec = self._session(user_id, params["id"])
        if rec is None or rec.state != "initialized":
            return invalid("finalize needs an initialized upload")
        rec.data = b"".join(rec.segments[i] for i in sorted(rec.segments))
        if sorted(rec.segments) != list(range(len(rec.segments))) or len(rec.data) != rec.total_bytes:
            return invalid(f"segments do not add up to total_bytes ({len(rec.data)} != {rec.total_bytes})")
        rec.polls_left = self.video_processing_polls if rec.category in VIDEO_CATEGORIES else 0
        rec.state = "pending" if rec.polls_left else "succeeded"
        return self._ok({"data": rec.as_json(self.clock)})

    async def _upload_status(self, req: FakeRequest, params: dict[str, str], user_id: str) -> FakeResponse:
        rec = self._session(user_id, req.q("media_id") or "")
        if rec is None:
            return problem(404, "Not Found Error", "media not found", NOT_FOUND)
        if rec.state in ("pending", "in_progress"):
            rec.polls_left -= 1
            rec.state = "in_progress" if rec.polls_left > 0 else "succeeded"
        return self._ok({"data": rec.as_json(self.clock)})

    async def _metadata(self, req: FakeRequest, params: dict[str, str], user_id: str) -> FakeResponse:
        body = req.json or {}
        rec = self._session(user_id, str(body.get("id")))
        if rec is None:
            return invalid("media id not found")
        metadata = body.get("metadata") or {}
        if "alt_text" in metadata:
            rec.alt_text = metadata["alt_text"]["text"]
        if "sensitive_media_warning" in metadata:
            rec.sensitive = dict(metadata["sensitive_media_warning"])
        associated = {"alt_text": {"text": rec.alt_text or ""}}
        return self._ok({"data": {"id": rec.id, "associated_metadata": associated}})

    # ------------------------------------------------------------------ tweets
    async def _create_tweet(self, req: FakeRequest, params: dict[str, str], user_id: str) -> FakeResponse:
        body = req.json or {}
        text = str(body.get("text", ""))
        media_ids = list((body.get("media") or {}).get("media_ids") or [])
        parent_id = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        if weighted_length(text) > 280:
            return invalid("Your Tweet text is too long.")
        if any(self._session(user_id, m) is None or self.media[m].state != "succeeded" for m in media_ids):
            return invalid("Your media IDs are invalid.")
        if parent_id and parent_id not in self.tweets:
            return invalid("The Tweet you are replying to does not exist or has been deleted.")
        if any(t.author_id == user_id and t.raw == text for t in self.tweets.values()):
            return FakeResponse(403, dict(DUPLICATE), content_type=PROBLEM)
        rec = self._add_tweet(user_id, text, media_ids, parent_id)
        return self._ok({"data": {"id": rec.id, "text": render_text(text, media_ids)}}, 201)

    async def _delete_tweet(self, req: FakeRequest, params: dict[str, str], user_id: str) -> FakeResponse:
        rec = self.tweets.get(params["id"])
        if rec is None or rec.author_id != user_id:
            detail = f"Could not find tweet with id: [{params['id']}]."
            return problem(404, "Not Found Error", detail, NOT_FOUND)
        del self.tweets[rec.id]
        return self._ok({"data": {"deleted": True}})

    async def _lookup(self, req: FakeRequest, params: dict[str, str], user_id: str) -> FakeResponse:
        """`GET /2/tweets?ids=…`: the posts that exist, and a Not Found error for each one that does not."""
        ids = [i for i in (req.q("ids") or "").split(",") if i]
        fields = set((req.q("tweet.fields") or "").split(","))
        found = [self.tweets[i].as_json(set(), fields, self.users) for i in ids if i in self.tweets]
        body: dict[str, Any] = {"data": found} if found else {}
        missing = [i for i in ids if i not in self.tweets]
        if missing:
            body["errors"] = [{"value": i, "detail": f"Could not find tweet with ids: [{i}].",
                               "title": "Not Found Error", "resource_type": "tweet", "parameter": "ids",
                               "resource_id": i, "type": NOT_FOUND} for i in missing]
        return self._ok(body)

    def _listing(self, req: FakeRequest, tweets: list[TweetRec]) -> FakeResponse:
        tweets = sorted(tweets, key=lambda t: -int(t.id))
        if since := req.q("since_id"):
            tweets = [t for t in tweets if int(t.id) > int(since)]
        if until := req.q("until_id"):
            tweets = [t for t in tweets if int(t.id) < int(until)]
        if start := req.q("start_time"):  # the oldest creation time wanted (ISO 8601, `Z`)
            since = datetime.fromisoformat(start).timestamp()
            tweets = [t for t in tweets if t.created_at >= since]
        if token := req.q("pagination_token"):
            tweets = [t for t in tweets if int(t.id) <= int(token.lstrip("n"))]
        limit = int(req.q("max_results") or 10)
        page, rest = tweets[:limit], tweets[limit:]
        if not page:
            return self._ok({"meta": {"result_count": 0}})
        fields = set((req.q("tweet.fields") or "").split(","))
        expansions = set((req.q("expansions") or "").split(","))
        meta: dict[str, Any] = {"newest_id": page[0].id, "oldest_id": page[-1].id, "result_count": len(page)}
        if rest:
            meta["next_token"] = f"n{rest[0].id}"
        data = [t.as_json(expansions, fields, self.users) for t in page]
        body: dict[str, Any] = {"data": data, "meta": meta}
        if "author_id" in expansions:
            authors = sorted({t.author_id for t in page})
            body["includes"] = {"users": [self.users[a].as_json() for a in authors]}
        return self._ok(body)

    async def _mentions(self, req: FakeRequest, params: dict[str, str], user_id: str) -> FakeResponse:
        user = self.users.get(params["id"])
        if user is None:
            return problem(404, "Not Found Error", "user not found", NOT_FOUND)
        handle = f"@{user.username}"
        mentions = [t for t in self.tweets.values() if handle in t.raw and t.author_id != user.id]
        return self._listing(req, mentions)

    async def _user_tweets(self, req: FakeRequest, params: dict[str, str], user_id: str) -> FakeResponse:
        return self._listing(req, self.timeline(params["id"]))

    async def _mention_route(self, req: FakeRequest, params: dict[str, str]) -> FakeResponse:
        body = req.json or {}
        new_id = self.inject_mention(str(body["text"]), username=str(body.get("username", "alice")),
                                     in_reply_to=body.get("in_reply_to"))
        return FakeResponse(200, {"id": new_id})


if __name__ == "__main__":
    run_cli(FakeX, 8082)
