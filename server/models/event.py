"""Events and the platform accounts they post to."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.clock import stamp
from server.db.base import Base, UTCDateTime

EVENT_STATUSES = ("draft", "rehearsal", "live", "held", "ended")


class Event(Base):
    """A live event: its identity, timing, approval policy and state."""

    __tablename__ = "event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    hashtag: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64))
    planned_start: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    approvals_required: Mapped[int] = mapped_column(Integer, default=2)
    clinical_required: Mapped[int] = mapped_column(Integer, default=1)
    date_everything: Mapped[bool] = mapped_column(Boolean, default=False)
    content_warning_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    staff_names: Mapped[list[str]] = mapped_column(JSON, default=list)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    live_since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    hold_kind: Mapped[str | None] = mapped_column(String(16), nullable=True)
    time_scale: Mapped[float] = mapped_column(Float, default=1.0)
    safety_delay_seconds: Mapped[int] = mapped_column(Integer, default=10, server_default="10")
    rehearsal_script: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp, onupdate=stamp)


class EventPlatform(Base):
    """One platform account an event posts to (credentials are referenced, never stored here)."""

    __tablename__ = "event_platform"
    __table_args__ = (UniqueConstraint("event_id", "platform", name="uq_event_platform_event_platform"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    account: Mapped[str] = mapped_column(String(128))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
