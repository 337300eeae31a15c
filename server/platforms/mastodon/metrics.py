"""Reading a Mastodon account's follower count and its statuses' engagement back, for the recap.

Followers come from `verify_credentials.followers_count`; engagement from each status
(`GET /api/v1/statuses/:id`: `favourites_count`, `reblogs_count`, `replies_count`; Mastodon has no quote
count in every version, so quotes are read as `quotes_count` where present, else 0). One status per request
works on every instance version (the batch `GET /api/v1/statuses?id[]=` needs 4.3); with at most `max_posts`
statuses per round and a round every few minutes that stays far inside 300 requests / 5 min per account.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import httpx

from server.platforms.base import EngagementCounts, MetricsLimits, RemoteRef
from server.platforms.mastodon.http import json_body

LIMITS = MetricsLimits(posts_per_request=1, max_posts=40, min_interval_seconds=60.0)
GONE = (404, 410)


class _Calls(Protocol):
    async def _call(self, method: str, path: str, action: str, *, creates: bool = False,
                    ok_statuses: tuple[int, ...] = (), token: str | None = None,
                    **kwargs: Any) -> httpx.Response: ...


def _count(body: dict[str, Any], key: str) -> int:
    value = body.get(key)
    return value if isinstance(value, int) and value >= 0 else 0


class MastodonMetrics:
    """`MetricsReader` methods of the Mastodon adapter (mixed into `MastodonAdapter`)."""

    metrics_limits = LIMITS

    async def read_followers(self: _Calls) -> int:
        """`followers_count` of the account the token belongs to."""
        resp = await self._call("GET", "/api/v1/accounts/verify_credentials", "read followers")
        return _count(json_body(resp, "read followers"), "followers_count")

    async def read_engagement(self: _Calls, refs: Sequence[RemoteRef]) -> dict[str, EngagementCounts]:
        """Counts of each status; deleted ones (404/410) are left out."""
        out: dict[str, EngagementCounts] = {}
        for ref in refs:
            resp = await self._call("GET", f"/api/v1/statuses/{ref.remote_id}", "read engagement",
                                    ok_statuses=GONE)
            if resp.status_code in GONE:
                continue
            body = json_body(resp, "read engagement")
            out[ref.remote_id] = EngagementCounts(
                likes=_count(body, "favourites_count"), reposts=_count(body, "reblogs_count"),
                replies=_count(body, "replies_count"), quotes=_count(body, "quotes_count"))
        return out
