"""Request and response shapes for authorizations, the denylist and finding overrides."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Cover = Literal["photos", "video", "story", "name"]


class AuthorizationCreate(BaseModel):
    """A signed consent; `person` is a label (e.g. 'Patient A, form 2026-114'), never a full name."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(max_length=64, pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
    person: str = Field(min_length=1, max_length=200)
    role: Literal["patient", "family", "staff"]
    covers: list[Cover] = Field(min_length=1)
    signed_on: date
    expires_on: date | None = None

    @model_validator(mode="after")
    def _dates(self) -> AuthorizationCreate:
        if self.expires_on is not None and self.expires_on < self.signed_on:
            raise ValueError("expires_on is before signed_on")
        return self


class AuthorizationRead(BaseModel):
    """A consent record as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    event_id: int
    key: str
    person: str
    role: str
    covers: list[str]
    signed_on: date
    expires_on: date | None
    revoked_at: datetime | None
    revoked_reason: str | None
    created_at: datetime


class RevokeRequest(BaseModel):
    """Why a consent is withdrawn."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500)


class RevokeResult(BaseModel):
    """The revoked record and the items it blocked."""

    authorization: AuthorizationRead
    blocked_item_ids: list[int]


class DenylistUpdate(BaseModel):
    """The patient's identifiers, entered once; stored only as salted hashes."""

    model_config = ConfigDict(extra="forbid")

    entries: list[Annotated[str, Field(max_length=200)]] = Field(max_length=200, repr=False)


class DenylistStatus(BaseModel):
    """Whether a denylist is set, and how many entries (never the entries)."""

    configured: bool
    entry_count: int
    updated_at: datetime | None


class OverrideRequest(BaseModel):
    """A clinical reviewer's written reason to let one finding stand."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1)
    reason: str = Field(min_length=5, max_length=1000)
