"""Request and response shapes for events."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from server.platforms.capabilities import PlatformName

StaffName = Annotated[str, Field(max_length=128)]


class PlatformAccount(BaseModel):
    """A platform and the account reference whose credentials are configured outside the API."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)

    platform: PlatformName
    account: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:@-]+$")
    enabled: bool = True


class ApprovalPolicy(BaseModel):
    """How many approvals an item needs, and how many of them from clinical reviewers.

    Never below the server's floor (LIVECUE_MIN_APPROVALS, LIVECUE_MIN_CLINICAL_APPROVALS): see server/events/policy.py.
    """

    model_config = ConfigDict(extra="forbid")

    approvals_required: int = Field(default=2, ge=1, le=5)
    clinical_required: int = Field(default=1, ge=0, le=5)


def _check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone '{value}' (use an IANA name like America/Toronto)") from None
    return value


SAFETY_DELAY = ("Seconds every post waits in a visible countdown during which the operator can pull it back "
                "(0 = none); the holding message and emergency replies skip it.")

EARLIEST_START = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_START = datetime(2100, 1, 1, tzinfo=UTC)


def _check_aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("must include a UTC offset, e.g. 2026-12-01T07:30:00-05:00")
    if value is not None and not EARLIEST_START <= value < LATEST_START:
        raise ValueError("must be between the years 2000 and 2099")
    return value


class EventCreate(BaseModel):
    """A new event."""

    model_config = ConfigDict(extra="forbid")

    slug: str = Field(max_length=64, pattern=r"^[a-z0-9][a-z0-9-]{2,63}$")
    title: str = Field(min_length=1, max_length=200)
    hashtag: str = Field(max_length=100, pattern=r"^#\w{1,99}$")
    timezone: str = Field(max_length=64)
    planned_start: datetime
    date_everything: bool = False
    safety_delay_seconds: int = Field(default=10, ge=0, le=600, description=SAFETY_DELAY)
    content_warning_text: str | None = Field(default=None, max_length=200)
    staff_names: list[StaffName] = Field(default_factory=list, max_length=100)
    approval_policy: ApprovalPolicy = Field(default_factory=ApprovalPolicy)
    platforms: list[PlatformAccount] = Field(default_factory=list)

    _tz = field_validator("timezone")(_check_timezone)
    _aware = field_validator("planned_start")(_check_aware)


class EventUpdate(BaseModel):
    """Changes to an event; omitted fields stay as they are."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=1, max_length=200)
    hashtag: str | None = Field(default=None, max_length=100, pattern=r"^#\w{1,99}$")
    timezone: str | None = Field(default=None, max_length=64)
    planned_start: datetime | None = None
    date_everything: bool | None = None
    safety_delay_seconds: int | None = Field(default=None, ge=0, le=600, description=SAFETY_DELAY)
    content_warning_text: str | None = Field(default=None, max_length=200)
    staff_names: list[StaffName] | None = Field(default=None, max_length=100)
    approval_policy: ApprovalPolicy | None = None
    policy_reason: str | None = Field(
        default=None, max_length=500,
        description="Why the approval policy changes: required (non-empty) with a change to approval_policy, "
                    "which only an admin makes, never while the event is live or held; journaled.")
    platforms: list[PlatformAccount] | None = None

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str | None) -> str | None:
        return None if value is None else _check_timezone(value)

    _aware = field_validator("planned_start")(_check_aware)


class EventRead(BaseModel):
    """An event as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    slug: str
    title: str
    hashtag: str
    timezone: str
    planned_start: datetime
    status: str
    date_everything: bool
    safety_delay_seconds: int
    content_warning_text: str | None
    staff_names: list[str]
    approval_policy: ApprovalPolicy
    platforms: list[PlatformAccount]
    started_at: datetime | None
    ended_at: datetime | None
    created_at: datetime
    updated_at: datetime
