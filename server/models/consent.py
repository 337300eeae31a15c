"""Consent records (authorizations) and stored media assets."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.clock import stamp
from server.db.base import Base, UTCDateTime

AUTHORIZATION_COVERS = ("photos", "video", "story", "name")


class Authorization(Base):
    """A signed consent from a person who appears (patient, family, staff), stored minimally."""

    __tablename__ = "authorization"
    __table_args__ = (UniqueConstraint("event_id", "key", name="uq_authorization_event_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    person: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    covers: Mapped[list[str]] = mapped_column(JSON, default=list)
    signed_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp)


class MediaAsset(Base):
    """A sanitized file in the content-addressed store."""

    __tablename__ = "media_asset"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    mime_type: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(8))
    size_bytes: Mapped[int] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer, nullable=True)
    height: Mapped[int | None] = mapped_column(Integer, nullable=True)
    original_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp)


class EventDenylist(Base):
    """The patient's identifiers for an event, as salted hashes only (never plaintext)."""

    __tablename__ = "event_denylist"

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), primary_key=True)
    storage: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    entry_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp, onupdate=stamp)
