"""Reading a Bluesky account's follower count and its posts' engagement back, for the recap.

`app.bsky.actor.getProfile` gives `followersCount`; `app.bsky.feed.getPosts` (up to 25 URIs a call) gives
`likeCount`, `repostCount`, `replyCount`, `quoteCount`. Both are AppView reads the PDS proxies: a PDS with no
AppView answers 400 "No service configured" (a `Rejected` here, like any refusal): the sampler keeps it as the
account's last error, tries again next round, and the recap shows what it has. Reads count against the
3,000 requests / 5 min per address, not the write budget.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from server.platforms.base import EngagementCounts, MetricsLimits, RemoteRef
from server.platforms.bluesky.client import JsonObject, Params, XrpcError, to_platform_error
from server.platforms.bluesky.session import SessionManager

LIMITS = MetricsLimits(posts_per_request=25, max_posts=100, min_interval_seconds=60.0)
POST_COLLECTION = "app.bsky.feed.post"


class _Queries(Protocol):
    sessions: SessionManager

    async def _query(self, nsid: str, params: Params) -> JsonObject: ...


def _count(post: dict[str, Any], key: str) -> int:
    value = post.get(key)
    return value if isinstance(value, int) and value >= 0 else 0


class BlueskyMetrics:
    """`MetricsReader` methods of the Bluesky adapter (mixed into `BlueskyAdapter`)."""

    metrics_limits = LIMITS

    async def read_followers(self: _Queries) -> int:
        """`followersCount` of the account's profile."""
        session = await self.sessions.current()
        try:
            profile = await self._query("app.bsky.actor.getProfile", {"actor": session.did})
        except XrpcError as err:
            raise to_platform_error(err) from err
        return _count(profile, "followersCount")

    async def read_engagement(self: _Queries, refs: Sequence[RemoteRef]) -> dict[str, EngagementCounts]:
        """Counts of each post, 25 URIs per call; posts the AppView does not return (deleted) are left out."""
        session = await self.sessions.current()
        by_uri = {(ref.uri or f"at://{session.did}/{POST_COLLECTION}/{ref.remote_id}"): ref.remote_id
                  for ref in refs}
        uris = list(by_uri)
        out: dict[str, EngagementCounts] = {}
        for start in range(0, len(uris), LIMITS.posts_per_request):
            try:
                data = await self._query("app.bsky.feed.getPosts",
                                         {"uris": uris[start:start + LIMITS.posts_per_request]})
            except XrpcError as err:
                raise to_platform_error(err) from err
            for post in data.get("posts") or []:
                if not isinstance(post, dict) or post.get("uri") not in by_uri:
                    continue
                out[by_uri[str(post["uri"])]] = EngagementCounts(
                    likes=_count(post, "likeCount"), reposts=_count(post, "repostCount"),
                    replies=_count(post, "replyCount"), quotes=_count(post, "quoteCount"))
        return out
