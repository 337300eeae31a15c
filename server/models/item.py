"""Content items (timeline posts, holding message, bank answers, reply templates), versions, approvals."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, get_args

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.clock import stamp
from server.db.base import Base, UTCDateTime

ItemKind = Literal["post", "holding", "answer", "reply_emergency", "reply_redirect", "reply"]
ITEM_KINDS: tuple[ItemKind, ...] = get_args(ItemKind)
# The one vocabulary of item statuses: the column, the services and the schemas use this type (mypy checks it).
ItemStatus = Literal["draft", "rejected", "approved", "blocked", "queued", "posted", "skipped"]
ITEM_STATUSES: tuple[ItemStatus, ...] = get_args(ItemStatus)


class Item(Base):
    """A piece of content; its words and media live in versions."""

    __tablename__ = "item"
    __table_args__ = (UniqueConstraint("event_id", "key", name="uq_item_event_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[ItemKind] = mapped_column(String(24), default="post")
    position: Mapped[int] = mapped_column(Integer, default=0)
    offset_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cue: Mapped[str | None] = mapped_column(String(200), nullable=True)
    question: Mapped[str | None] = mapped_column(Text, nullable=True)
    group_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    reply_mode: Mapped[str | None] = mapped_column(String(12), nullable=True)
    status: Mapped[ItemStatus] = mapped_column(String(16), default="draft")
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    blocked_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp, onupdate=stamp)


class ItemVersion(Base):
    """The exact content an approval is bound to; every edit makes a new one."""

    __tablename__ = "item_version"
    __table_args__ = (UniqueConstraint("item_id", "number", name="uq_item_version_item_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    caption: Mapped[str] = mapped_column(Text)
    platform_text: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    media: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    clinical: Mapped[bool] = mapped_column(Boolean, default=False)
    content_warning: Mapped[bool] = mapped_column(Boolean, default=False)
    authorizations: Mapped[list[str]] = mapped_column(JSON, default=list)
    content_hash: Mapped[str] = mapped_column(String(64))
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    overrides: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp)


class Approval(Base):
    """One reviewer's decision on one version: approve, or reject with a note."""

    __tablename__ = "approval"
    __table_args__ = (
        UniqueConstraint("item_id", "version_number", "user_id", name="uq_approval_item_version_user"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"), index=True)
    version_number: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    decision: Mapped[str] = mapped_column(String(8))
    as_clinical: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp)
