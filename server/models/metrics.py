"""Metrics sampled from the platforms while an event runs and after it: followers and engagement per post.

Samples are kept as a series (never overwritten) so the recap can plot growth over time; the sampler's own
bookkeeping (whose turn it is, when an account may be read again) lives in `MetricsAccount`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, UTCDateTime


class FollowerSample(Base):
    """The follower count of one platform account of an event, read at `at`."""

    __tablename__ = "follower_sample"
    __table_args__ = (Index("ix_follower_sample_event_platform_at", "event_id", "platform", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(16))
    account: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    followers: Mapped[int] = mapped_column(Integer)


class EngagementSample(Base):
    """Likes, reposts, replies and quotes of one posted delivery, read at `at`."""

    __tablename__ = "engagement_sample"
    __table_args__ = (Index("ix_engagement_sample_delivery_at", "delivery_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("delivery.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    likes: Mapped[int] = mapped_column(Integer, default=0)
    reposts: Mapped[int] = mapped_column(Integer, default=0)
    replies: Mapped[int] = mapped_column(Integer, default=0)
    quotes: Mapped[int] = mapped_column(Integer, default=0)


class MetricsAccount(Base):
    """The sampler's schedule for one account of one event: when it is due, and who holds it (a lease).

    The lease makes one sampler read an account at a time even with several server processes, so the
    platform's rate limits are spent once; `due_at` spaces the reads by the sampling interval or by the
    platform's own Retry-After.
    """

    __tablename__ = "metrics_account"
    __table_args__ = (UniqueConstraint("event_id", "platform", "account", name="uq_metrics_account_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(16))
    account: Mapped[str] = mapped_column(String(128))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    samples: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
