"""The outbox (one delivery per item and platform), pre-uploaded media and platform tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, get_args

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from server.clock import stamp
from server.db.base import Base, UTCDateTime

# The one vocabulary of delivery statuses: the column, the dispatcher and the schemas use this type (mypy checks it).
DeliveryStatus = Literal["pending", "sending", "unknown", "posted", "failed", "needs_reauth", "abandoned"]
DELIVERY_STATUSES: tuple[DeliveryStatus, ...] = get_args(DeliveryStatus)


class Delivery(Base):
    """One post to one platform; created in the same transaction as the state change that asks for it."""

    __tablename__ = "delivery"
    __table_args__ = (UniqueConstraint("idempotency_key", name="uq_delivery_idempotency_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("item.id", ondelete="SET NULL"), nullable=True,
                                                index=True)
    question_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    purpose: Mapped[str] = mapped_column(String(16), default="thread")
    platform: Mapped[str] = mapped_column(String(16))
    account: Mapped[str] = mapped_column(String(128))
    idempotency_key: Mapped[str] = mapped_column(String(64))
    version_number: Mapped[int] = mapped_column(Integer, default=1)
    thread_seq: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    media: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    content_warning: Mapped[str | None] = mapped_column(Text, nullable=True)
    reply_to: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    status: Mapped[DeliveryStatus] = mapped_column(String(12), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    lease_owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    remote: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    remote_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    rehearsal: Mapped[bool] = mapped_column(default=False)
    manual: Mapped[bool] = mapped_column(default=False)
    confirmed: Mapped[bool] = mapped_column(default=False, server_default=false())
    visibility: Mapped[str | None] = mapped_column(String(16), nullable=True)  # a reply's: never above the question's
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp)
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class MediaUpload(Base):
    """A file already uploaded to a platform account, valid until `expires_at`."""

    __tablename__ = "media_upload"
    __table_args__ = (UniqueConstraint("platform", "account", "sha256", "alt_hash",
                                       name="uq_media_upload_platform_account_sha"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    account: Mapped[str] = mapped_column(String(128))
    sha256: Mapped[str] = mapped_column(String(64))
    alt_hash: Mapped[str] = mapped_column(String(64))
    remote_id: Mapped[str] = mapped_column(String(200))
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp)


class PlatformToken(Base):
    """Rotated platform tokens of an account, encrypted at rest."""

    __tablename__ = "platform_token"
    __table_args__ = (UniqueConstraint("platform", "account", name="uq_platform_token_platform_account"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    account: Mapped[str] = mapped_column(String(128))
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16), default="ready")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp, onupdate=stamp)
