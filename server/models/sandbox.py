"""The built-in sandbox social network: accounts and posts, kept in Livecue's own database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.clock import stamp
from server.db.base import Base, UTCDateTime


class SandboxAccount(Base):
    """A sandbox account: the hospital's, or an audience member's."""

    __tablename__ = "sandbox_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    handle: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    is_audience: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp)


class SandboxPost(Base):
    """A sandbox post; replies point at their parent and the thread root."""

    __tablename__ = "sandbox_post"
    __table_args__ = (UniqueConstraint("idempotency_key", name="uq_sandbox_post_idempotency_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("sandbox_account.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    media: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    content_warning: Mapped[str | None] = mapped_column(Text, nullable=True)
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("sandbox_post.id"), nullable=True, index=True)
    root_id: Mapped[int | None] = mapped_column(ForeignKey("sandbox_post.id"), nullable=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    rehearsal: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp)
