"""Records kept by FakeX (users, tweets, media) and their X API v2 JSON renderings."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tests.fakes.x_support import render_text


def iso(ts: float) -> str:
    """Format a Unix time as X does (`2021-01-06T18:40:40.000Z`)."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(ts * 1000) % 1000:03d}Z"


@dataclass
class UserRec:
    """An X user."""

    id: str
    username: str
    name: str
    followers: int = 0  # set by tests to read `public_metrics.followers_count` back

    def as_json(self, fields: AbstractSet[str] = frozenset()) -> dict[str, Any]:
        """Render the default User fields plus the requested `user.fields` (only `public_metrics` here)."""
        out: dict[str, Any] = {"id": self.id, "name": self.name, "username": self.username}
        if "public_metrics" in fields:
            out["public_metrics"] = {"followers_count": self.followers, "following_count": 0,
                                     "tweet_count": 0, "listed_count": 0}
        return out


@dataclass
class TweetRec:
    """A stored post; `raw` is the text as sent, the API returns it rendered (t.co, escaped)."""

    id: str
    author_id: str
    raw: str
    created_at: float
    media_ids: list[str]
    in_reply_to: str | None
    conversation_id: str | None = None
    reply_user_id: str | None = None
    likes: int = 0  # set by tests: what the audience did with the post (`public_metrics`)
    retweets: int = 0
    quotes: int = 0
    replies: int = 0

    def as_json(self, expansions: set[str], fields: set[str], users: dict[str, UserRec]) -> dict[str, Any]:
        """Render a Tweet with the default fields plus the requested `tweet.fields`."""
        out: dict[str, Any] = {
            "id": self.id,
            "text": render_text(self.raw, self.media_ids),
            "edit_history_tweet_ids": [self.id],
        }
        if "created_at" in fields:
            out["created_at"] = iso(self.created_at)
        if "author_id" in fields or "author_id" in expansions:
            out["author_id"] = self.author_id
        if "conversation_id" in fields:
            out["conversation_id"] = self.conversation_id or self.id
        if "in_reply_to_user_id" in fields and self.reply_user_id:
            out["in_reply_to_user_id"] = self.reply_user_id
        if "referenced_tweets" in fields and self.in_reply_to:
            out["referenced_tweets"] = [{"type": "replied_to", "id": self.in_reply_to}]
        if "lang" in fields:
            out["lang"] = "en"
        if "public_metrics" in fields:
            out["public_metrics"] = {"retweet_count": self.retweets, "reply_count": self.replies,
                                     "like_count": self.likes, "quote_count": self.quotes,
                                     "impression_count": 0, "bookmark_count": 0}
        if "attachments" in fields and self.media_ids:
            out["attachments"] = {"media_keys": [f"3_{m}" for m in self.media_ids]}
        return out


@dataclass
class MediaRec:
    """An upload (one-shot or chunked session)."""

    id: str
    owner: str
    category: str
    media_type: str | None
    data: bytes = b""
    total_bytes: int | None = None
    segments: dict[int, bytes] = field(default_factory=dict)
    state: str = "initialized"
    polls_left: int = 0
    alt_text: str | None = None
    sensitive: dict[str, bool] | None = None
    processed: bool = False

    @property
    def media_key(self) -> str:
        """X media key: `<type prefix>_<id>` (3 image, 7 video, 16 gif)."""
        prefix = {"tweet_video": 7, "amplify_video": 7, "tweet_gif": 16}.get(self.category, 3)
        return f"{prefix}_{self.id}"

    def as_json(self, clock: Callable[[], float]) -> dict[str, Any]:
        """Render MediaUploadResponse.data."""
        out: dict[str, Any] = {"id": self.id, "media_key": self.media_key, "expires_after_secs": 86400}
        if self.state != "initialized":
            out["size"] = len(self.data)
        if self.state in ("pending", "in_progress") or (self.state == "succeeded" and self.processed):
            self.processed = True
            progress = {"pending": 0, "in_progress": 50, "succeeded": 100}[self.state]
            out["processing_info"] = {"state": self.state, "progress_percent": progress}
            if self.state != "succeeded":
                out["processing_info"]["check_after_secs"] = 1
        return out
