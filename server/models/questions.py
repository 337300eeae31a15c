"""Audience messages, their near-duplicate groups, ingest cursors and muted authors."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false, true
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column

from server.clock import stamp
from server.db.base import Base, UTCDateTime

LABELS = ("question", "personal_medical", "emergency", "comment", "spam", "abuse")


class Message(Base):
    """One incoming reply, mention or form question, stored exactly as received."""

    __tablename__ = "message"
    __table_args__ = (
        UniqueConstraint("event_id", "platform", "external_id", name="uq_message_event_platform_external"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(300))
    author_handle: Mapped[str] = mapped_column(String(200))
    author_name: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(16), nullable=True)
    in_reply_to: Mapped[str | None] = mapped_column(String(300), nullable=True)
    url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    remote: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    visibility: Mapped[str | None] = mapped_column(String(16), nullable=True)  # Mastodon: public … direct
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ingested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp)
    label: Mapped[str] = mapped_column(String(20))
    label_reason: Mapped[str] = mapped_column(Text, default="")
    relabeled_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"), nullable=True)
    phi: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    reject_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("question_group.id"), nullable=True, index=True)
    rehearsal: Mapped[bool] = mapped_column(Boolean, default=False)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # A possible emergency, whatever the label: queued for clinicians first, with the reasons that raised it.
    alert: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    alert_reasons: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=sql_text("'[]'"))
    # False when written in a language the triage has no risk cues for: clinicians read it themselves.
    screened: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class QuestionGroup(Base):
    """Near-duplicate questions answered once; claimed by one clinician at a time (a lease)."""

    __tablename__ = "question_group"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    claimed_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"), nullable=True)
    claim_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("user.id"), nullable=True)
    answer_item_id: Mapped[int | None] = mapped_column(ForeignKey("item.id"), nullable=True)
    rehearsal: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp)
    last_asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp)
    # Set when a member raised an alert or is in an unscreened language: the default queue shows the group
    # whatever its label (alerts first).
    alert: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    unscreened: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class GroupKey(Base):
    """Bucket keys of grouped questions: candidates are found by indexed lookup, never by a full scan."""

    __tablename__ = "group_key"
    __table_args__ = (Index("ix_group_key_event_key", "event_id", "key", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    group_id: Mapped[int] = mapped_column(ForeignKey("question_group.id", ondelete="CASCADE"))
    message_id: Mapped[int] = mapped_column(ForeignKey("message.id", ondelete="CASCADE"))


class IngestCursor(Base):
    """Where polling of one platform account for one event got to."""

    __tablename__ = "ingest_cursor"
    __table_args__ = (UniqueConstraint("event_id", "platform", "account", name="uq_ingest_cursor_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(16))
    account: Mapped[str] = mapped_column(String(128))
    cursor: Mapped[str | None] = mapped_column(String(300), nullable=True)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp, onupdate=stamp)


class MutedAuthor(Base):
    """An author muted for an event: messages are kept but not queued."""

    __tablename__ = "muted_author"
    __table_args__ = (UniqueConstraint("event_id", "platform", "handle", name="uq_muted_author_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(16))
    handle: Mapped[str] = mapped_column(String(200))
    muted_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp)
