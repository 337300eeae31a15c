"""The sandbox's audience numbers: followers and likes that grow plausibly, deterministic under the clock.

Nothing is stored: each count is a function of the sandbox's own posts and the injected clock (the one the
sessionmaker carries), so a rehearsal on a fake clock produces the same recap every run and a test can
recompute what the sandbox "has". Every post of the hospital's account brings followers over the next
minutes (an exponential approach to a per-post peak), and each post's likes approach their own peak the same
way; reposts follow likes; replies are the audience replies really written under the post.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.clock import session_now
from server.models import SandboxAccount, SandboxPost
from server.platforms.base import EngagementCounts, MetricsLimits, RemoteRef

LIMITS = MetricsLimits(posts_per_request=200, max_posts=200, min_interval_seconds=0.0)
BASE_FOLLOWERS = 120
RISE_SECONDS = 300.0  # a post has earned ~63 % of its followers and likes five minutes after it went out


class _Sandbox(Protocol):
    sessionmaker: async_sessionmaker[AsyncSession]
    handle: str


def rise(peak: int, created_at: datetime, now: datetime) -> int:
    """How much of `peak` a post created at `created_at` has earned by `now` (0 before it existed)."""
    elapsed = (now - created_at).total_seconds()
    return 0 if elapsed <= 0 else math.floor(peak * (1.0 - math.exp(-elapsed / RISE_SECONDS)))


def follower_peak(post_id: int) -> int:
    """Followers one post eventually brings (20–49, varied by post)."""
    return 20 + (post_id * 7919) % 30


def like_peak(post_id: int) -> int:
    """Likes one post eventually gets (5–29, varied by post)."""
    return 5 + (post_id * 31) % 25


def followers_at(posts: Sequence[tuple[int, datetime]], now: datetime) -> int:
    """The hospital account's follower count at `now`, given its posts as (id, created_at)."""
    return BASE_FOLLOWERS + sum(rise(follower_peak(pid), created, now) for pid, created in posts)


def engagement_at(post_id: int, created_at: datetime, replies: int, now: datetime) -> EngagementCounts:
    """One post's counts at `now`."""
    likes = rise(like_peak(post_id), created_at, now)
    return EngagementCounts(likes=likes, reposts=likes // 4, replies=replies, quotes=0)


class SandboxMetrics:
    """`MetricsReader` methods of the sandbox adapter (mixed into `SandboxPlatform`)."""

    metrics_limits = LIMITS

    async def read_followers(self: _Sandbox) -> int:
        """Followers of the hospital account now (by the sandbox's clock)."""
        async with self.sessionmaker() as session:
            now = session_now(session)
            posts = (await session.execute(
                select(SandboxPost.id, SandboxPost.created_at)
                .join(SandboxAccount, SandboxAccount.id == SandboxPost.account_id)
                .where(SandboxAccount.handle == self.handle, SandboxPost.deleted.is_(False)))).all()
        return followers_at([(pid, created) for pid, created in posts], now)

    async def read_engagement(self: _Sandbox, refs: Sequence[RemoteRef]) -> dict[str, EngagementCounts]:
        """Counts of these posts now; deleted posts are left out."""
        ids = [int(ref.remote_id) for ref in refs if ref.remote_id.isdigit()]
        if not ids:
            return {}
        async with self.sessionmaker() as session:
            now = session_now(session)
            posts = (await session.execute(select(SandboxPost.id, SandboxPost.created_at).where(
                SandboxPost.id.in_(ids), SandboxPost.deleted.is_(False)))).all()
            replies = dict((await session.execute(
                select(SandboxPost.reply_to_id, func.count())
                .join(SandboxAccount, SandboxAccount.id == SandboxPost.account_id)
                .where(SandboxPost.reply_to_id.in_(ids), SandboxAccount.is_audience.is_(True),
                       SandboxPost.deleted.is_(False))
                .group_by(SandboxPost.reply_to_id))).all())
        return {str(pid): engagement_at(pid, created, int(replies.get(pid, 0)), now) for pid, created in posts}
