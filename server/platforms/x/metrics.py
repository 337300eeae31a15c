"""Reading an X account's follower count and its posts' engagement back, for the recap.

`GET /2/users/me?user.fields=public_metrics` gives `followers_count`; `GET /2/tweets?ids=…` (up to 100 ids)
with `tweet.fields=public_metrics` gives `like_count`, `retweet_count`, `reply_count`, `quote_count`. Both
are user-context reads with their own 15-minute windows (users/me 75, tweet lookup 900 per user on the paid
tiers): one users/me and one lookup per round, rounds minutes apart, spend a small share of either.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from server.platforms.base import EngagementCounts, MetricsLimits, RemoteRef

LIMITS = MetricsLimits(posts_per_request=100, max_posts=100, min_interval_seconds=60.0)


class _Json(Protocol):
    async def _json(self, method: str, path: str, action: str, **kwargs: Any) -> dict[str, Any]: ...


def _count(metrics: dict[str, Any], key: str) -> int:
    value = metrics.get(key)
    return value if isinstance(value, int) and value >= 0 else 0


class XMetrics:
    """`MetricsReader` methods of the X adapter (mixed into `XAdapter`)."""

    metrics_limits = LIMITS

    async def read_followers(self: _Json) -> int:
        """`public_metrics.followers_count` of the authenticated user."""
        body = await self._json("GET", "/2/users/me", "read followers", params={"user.fields": "public_metrics"})
        data = body.get("data") or {}
        return _count(data.get("public_metrics") or {}, "followers_count")

    async def read_engagement(self: _Json, refs: Sequence[RemoteRef]) -> dict[str, EngagementCounts]:
        """Counts of each post, 100 ids per request; deleted posts come back as `errors` and are left out."""
        out: dict[str, EngagementCounts] = {}
        ids = [ref.remote_id for ref in refs]
        for start in range(0, len(ids), LIMITS.posts_per_request):
            chunk = ids[start:start + LIMITS.posts_per_request]
            body = await self._json("GET", "/2/tweets", "read engagement",
                                    params={"ids": ",".join(chunk), "tweet.fields": "public_metrics"})
            for tweet in body.get("data") or []:
                metrics = tweet.get("public_metrics") or {}
                out[str(tweet["id"])] = EngagementCounts(
                    likes=_count(metrics, "like_count"), reposts=_count(metrics, "retweet_count"),
                    replies=_count(metrics, "reply_count"), quotes=_count(metrics, "quote_count"))
        return out
