"""Request and response shapes of the sandbox web API."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from server.db.ids import MAX_ID
from server.platforms.sandbox.faults import FaultKind

HANDLE = re.compile(r"^[a-z0-9_]{1,30}$")


class AuthorRead(BaseModel):
    """Who wrote a post."""

    handle: str
    display_name: str
    is_audience: bool


class MediaRead(BaseModel):
    """An attached file, served from `/sandbox/media/{sha256}` while its post stands."""

    url: str
    alt: str
    mime_type: str
    width: int | None = None
    height: int | None = None


class ReplyRead(BaseModel):
    """A reply shown under a timeline post."""

    id: int
    url: str
    author: AuthorRead
    text: str
    content_warning: str | None
    media: list[MediaRead]
    created_at: datetime
    rehearsal: bool
    in_reply_to_id: int | None
    in_reply_to_handle: str | None


class PostRead(ReplyRead):
    """A timeline post; `thread_parent_id` is set when it continues its author's own thread."""

    thread_parent_id: int | None = None
    replies: list[ReplyRead] = Field(default_factory=list)


class FeedRead(BaseModel):
    """The public timeline, newest first."""

    posts: list[PostRead]


class ReplyCreate(BaseModel):
    """An audience member's reply; the text is stored and shown as plain text."""

    model_config = ConfigDict(extra="forbid")

    in_reply_to: int = Field(ge=1, le=MAX_ID, description="Id of the sandbox post replied to.")
    handle: str = Field(min_length=1, max_length=31, description="1-30 letters, digits or _, an @ is dropped.")
    display_name: str = Field(min_length=1, max_length=64)
    text: str = Field(min_length=1, max_length=500)

    @field_validator("handle")
    @classmethod
    def _handle(cls, value: str) -> str:
        handle = value.strip().removeprefix("@").lower()
        if not HANDLE.fullmatch(handle):
            raise ValueError("use 1-30 letters, digits or underscores")
        return handle

    @field_validator("display_name", "text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class FaultRequest(BaseModel):
    """Queue faults for the next sandbox calls of one operation, and/or set a latency for every call."""

    model_config = ConfigDict(extra="forbid")

    op: Literal["publish", "upload", "fetch"] = "publish"
    kind: FaultKind | None = None
    count: int = Field(default=1, ge=1, le=100)
    retry_after: float = Field(default=1.0, ge=0, le=3600)
    latency_seconds: float | None = Field(default=None, ge=0, le=30)

    @model_validator(mode="after")
    def _something(self) -> FaultRequest:
        if self.kind is None and self.latency_seconds is None:
            raise ValueError("give a fault kind, a latency_seconds, or both")
        return self


class FaultPlanRead(BaseModel):
    """The faults in force."""

    latency_seconds: float
    queued: dict[str, list[str]]
