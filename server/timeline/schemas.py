"""Request and response shapes for content items, versions and approvals."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from server.events.schemas import PlatformName
from server.models.item import ItemKind, ItemStatus

ConsentKey = Annotated[str, Field(max_length=64)]
PlatformText = Annotated[str, Field(max_length=5000)]
MAX_CITED = 50  # consents one item or file may cite


class MediaRef(BaseModel):
    """A stored (sanitized) media file attached to an item, with its alt text."""

    model_config = ConfigDict(extra="forbid")

    sha256: str = Field(max_length=64, pattern=r"^[0-9a-f]{64}$")
    alt_text: str = Field(min_length=1, max_length=2000)
    mime_type: str = Field(max_length=100, pattern=r"^(image|video)/[a-z0-9.+-]+$")
    size_bytes: int = Field(ge=1)
    width: int | None = Field(default=None, ge=1)
    height: int | None = Field(default=None, ge=1)
    filename: str | None = Field(default=None, max_length=255)
    authorizations: list[ConsentKey] = Field(default_factory=list, max_length=MAX_CITED)

    @field_validator("alt_text")
    @classmethod
    def _alt_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("alt text is required")
        return value


class ItemContent(BaseModel):
    """The part of an item that approvals are bound to."""

    model_config = ConfigDict(extra="forbid")


    caption: str = Field(min_length=1, max_length=5000)
    platform_text: dict[PlatformName, PlatformText] = Field(default_factory=dict)
    media: list[MediaRef] = Field(default_factory=list, max_length=4)
    clinical: bool = False
    content_warning: bool = False
    authorizations: list[ConsentKey] = Field(default_factory=list, max_length=MAX_CITED)


class ItemCreate(ItemContent):
    """A new item on an event."""

    key: str | None = Field(default=None, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
    kind: ItemKind = "post"
    position: int | None = Field(default=None, ge=0, le=1_000_000)
    offset: str | None = Field(default=None, max_length=32, description="Planned offset from start, e.g. T+00:45.")
    cue: str | None = Field(default=None, max_length=200)
    question: str | None = Field(default=None, max_length=500)


class ItemUpdate(BaseModel):
    """An edit: new content makes a new version and clears approvals; timing fields do not."""

    model_config = ConfigDict(extra="forbid")


    content: ItemContent | None = None
    offset: str | None = Field(default=None, max_length=32)
    cue: str | None = Field(default=None, max_length=200)
    position: int | None = Field(default=None, ge=0, le=1_000_000)


class ApproveRequest(BaseModel):
    """Approve the given version (it must be the current one)."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, le=1_000_000)


class RejectRequest(BaseModel):
    """Reject the given version with a note for the author."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, le=1_000_000)
    note: str = Field(min_length=1, max_length=2000)


class ApprovalRead(BaseModel):
    """One reviewer's decision."""

    user_id: int
    username: str
    display_name: str
    decision: str
    as_clinical: bool
    note: str | None
    version: int
    at: datetime


class VersionRead(BaseModel):
    """One version of an item's content."""

    number: int
    content: ItemContent
    content_hash: str
    created_by: int | None
    created_at: datetime
    findings: list[dict[str, Any]] = Field(default_factory=list)


class ItemRead(BaseModel):
    """An item with its current content, approvals and dates."""

    id: int
    event_id: int
    key: str
    kind: ItemKind
    position: int
    offset: str | None
    cue: str | None
    question: str | None
    status: ItemStatus
    blocked_reason: str | None = None
    version: int
    content: ItemContent
    approvals: list[ApprovalRead]
    approvals_needed: int
    clinical_needed: int
    findings: list[dict[str, Any]]
    planned_at: datetime | None
    approved_at: datetime | None
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime
    text_lengths: dict[str, int]
    checks: list[str] = Field(default_factory=list, description=(
        "What approvers should know about how the item will go out, one sentence each (e.g. a time line "
        "that does not fit on a platform and will be left out)."))
