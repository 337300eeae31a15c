"""Schedule file format, version 1: the pydantic models of an event's run of show."""

from __future__ import annotations

import re
import zoneinfo
from datetime import date, datetime, timedelta
from pathlib import PurePosixPath
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic.json_schema import WithJsonSchema

from server.platforms.capabilities import PlatformName as Platform
from server.schedules.rules import cross_problems
from server.timeline.offsets import OFFSET_PATTERN, format_offset, parse_offset

Cover = Literal["photos", "video", "story", "name"]
Role = Literal["patient", "family", "staff"]

__all__ = [
    "AnswerSpec",
    "ApprovalPolicySpec",
    "AuthorizationSpec",
    "EventSpec",
    "HoldingSpec",
    "ItemSpec",
    "MediaRef",
    "PlatformAccountSpec",
    "RepliesSpec",
    "ReplySpec",
    "Schedule",
    "format_offset",
    "parse_offset",
]

ID_PATTERN = r"^[a-z0-9-]{1,64}$"
SLUG_PATTERN = r"^[a-z0-9-]{3,64}$"
HASHTAG_PATTERN = r"^#[^\s#]+$"
ACCOUNT_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
PLANNED_START_PATTERN = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$"


def _match(pattern: str, what: str) -> AfterValidator:
    regex = re.compile(pattern)

    def check(value: str) -> str:
        if not regex.match(value):
            raise ValueError(f"bad {what} {value!r}")
        return value

    return AfterValidator(check)


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


def _check_offset(value: str) -> str:
    parse_offset(value)
    return value


def _check_hashtag(value: str) -> str:
    if not value.startswith("#"):
        raise ValueError(f"hashtag must start with '#', got {value!r}")
    if not re.match(HASHTAG_PATTERN, value):
        raise ValueError(f"bad hashtag {value!r}: no spaces, one '#' at the start")
    return value


def _check_timezone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"unknown timezone {value!r}: use an IANA name like America/Toronto") from None
    return value


def _check_aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("planned_start must include a UTC offset, e.g. 2026-12-01T07:30:00-05:00")
    return value


def check_media_file(value: str) -> str:
    """Return `value` if it is a relative path that stays inside the schedule folder; else ValueError."""
    path = PurePosixPath(value.replace("\\", "/"))
    if not value.strip() or path.is_absolute() or ".." in path.parts or re.match(r"^[A-Za-z]:", value):
        raise ValueError(f"media file {value!r} must be a relative path inside the schedule folder")
    return value


Id = Annotated[str, _match(ID_PATTERN, "id"), WithJsonSchema({"type": "string", "pattern": ID_PATTERN})]
Text = Annotated[str, AfterValidator(_not_blank), WithJsonSchema({"type": "string", "pattern": r"\S"})]
Offset = Annotated[
    str,
    AfterValidator(_check_offset),
    WithJsonSchema({"type": "string", "pattern": OFFSET_PATTERN, "examples": ["T+01:30"]}),
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ApprovalPolicySpec(_Model):
    """How many approvals a post needs before it may go out."""

    approvals_required: int = Field(2, ge=1, le=10, description="Approvals needed for every post.")
    clinical_required: int = Field(
        1, ge=0, le=10, description="Of those, approvals by clinicians needed for clinical posts."
    )

    @model_validator(mode="after")
    def _clinical_within_total(self) -> ApprovalPolicySpec:
        if self.clinical_required > self.approvals_required:
            raise ValueError("clinical_required cannot exceed approvals_required")
        return self


class PlatformAccountSpec(_Model):
    """One platform account the event posts to (credentials are configured elsewhere)."""

    platform: Platform = Field(description="Platform name.")
    account: Annotated[str, _match(ACCOUNT_PATTERN, "account reference")] = Field(
        description="Name of an account configured in Livecue; never a credential.",
        json_schema_extra={"pattern": ACCOUNT_PATTERN},
    )


class EventSpec(_Model):
    """The event: identity, hashtag, timing and where it is posted."""

    slug: Annotated[str, _match(SLUG_PATTERN, "slug")] = Field(
        description="URL-safe event name.", json_schema_extra={"pattern": SLUG_PATTERN}
    )
    title: Text = Field(description="Human title of the event.")
    hashtag: Annotated[str, AfterValidator(_check_hashtag)] = Field(
        description="Event hashtag, starting with '#', without spaces.",
        json_schema_extra={"pattern": HASHTAG_PATTERN},
    )
    timezone: Annotated[str, AfterValidator(_check_timezone)] = Field(
        description="IANA timezone name, e.g. America/Toronto."
    )
    planned_start: Annotated[datetime, AfterValidator(_check_aware)] = Field(
        description="Planned start, ISO 8601 with a UTC offset.",
        json_schema_extra={"pattern": PLANNED_START_PATTERN},
    )
    date_everything: bool = Field(False, description="Add a local time line (e.g. '10:15 EST') to posts.")
    content_warning_text: Text | None = Field(None, description="Standing content-warning text.")
    staff_names: list[Text] = Field(
        default_factory=list, description="Clinicians and staff who may be named in posts."
    )
    approval_policy: ApprovalPolicySpec = Field(
        default_factory=ApprovalPolicySpec, description="Approvals needed per post."
    )
    platforms: list[PlatformAccountSpec] = Field(min_length=1, description="Accounts to post to.")


class AuthorizationSpec(_Model):
    """A consent record, stored minimally: a label, never a full patient name."""

    id: Id = Field(description="Id that media and items refer to.")
    person: Text = Field(description="Label for the person, e.g. 'Patient A (form on file)'; never a name.")
    role: Role = Field(description="Who signed: patient, family or staff.")
    covers: list[Cover] = Field(min_length=1, description="What the consent covers.")
    signed: date = Field(description="Date signed (YYYY-MM-DD).", json_schema_extra={"format": "date"})
    expires: date | None = Field(None, description="Expiry date (YYYY-MM-DD), if any.")

    @model_validator(mode="after")
    def _expires_after_signed(self) -> AuthorizationSpec:
        if self.expires is not None and self.expires < self.signed:
            raise ValueError("expires is before signed")
        return self


class MediaRef(_Model):
    """A media file attached to an item."""

    file: Annotated[str, AfterValidator(check_media_file)] = Field(
        description="Path relative to the schedule file."
    )
    alt: Text = Field(description="Alt text describing the image or video; required.")
    authorizations: list[Id] = Field(default_factory=list, description="Consents of the people shown.")


class ItemSpec(_Model):
    """One planned post on the timeline; needs `at`, `cue`, or both."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"anyOf": [{"required": ["at"]}, {"required": ["cue"]}]}
    )

    id: Id = Field(description="Unique id across items, holding message, answers and replies.")
    at: Offset | None = Field(None, description="Planned offset from the start, T+HH:MM or T+HH:MM:SS.")
    cue: Text | None = Field(None, description="What happens in the room that triggers this post.")
    caption: Text = Field(description="Post text.")
    platform_text: dict[Platform, Text] = Field(
        default_factory=dict, description="Per-platform replacement for the caption."
    )
    media: list[MediaRef] = Field(default_factory=list, description="Images or video to attach.")
    clinical: bool = Field(False, description="Clinical content: needs clinical approval.")
    content_warning: bool = Field(False, description="Graphic content: post behind a content warning.")
    authorizations: list[Id] = Field(
        default_factory=list, description="Story/name consents this item relies on."
    )

    @property
    def offset(self) -> timedelta | None:
        """The planned offset as a timedelta, or None when the item is cue-only."""
        return parse_offset(self.at) if self.at is not None else None

    def text_for(self, platform: str) -> str:
        """The text to post on `platform`: its override, or the caption."""
        for name, text in self.platform_text.items():
            if name == platform:
                return text
        return self.caption


class HoldingSpec(_Model):
    """A pre-approved message for an emergency hold."""

    id: Id = Field(description="Unique id.")
    caption: Text = Field(description="Post text.")


class AnswerSpec(_Model):
    """A pre-approved answer to a common audience question."""

    id: Id = Field(description="Unique id.")
    question: Text = Field(description="The question this answers.")
    caption: Text = Field(description="Answer text.")


class ReplySpec(_Model):
    """A pre-approved reply used for a triage outcome."""

    id: Id = Field(description="Unique id.")
    caption: Text = Field(description="Reply text.")


class RepliesSpec(_Model):
    """Pre-approved replies for triage outcomes."""

    emergency: ReplySpec = Field(description="Reply to someone describing an emergency.")
    redirect: ReplySpec = Field(description="Reply to a personal medical question.")


class Schedule(_Model):
    """A whole schedule file: the event, consents, timeline and pre-approved texts."""

    version: Literal[1] = Field(description="Format version; must be 1.")
    event: EventSpec
    authorizations: list[AuthorizationSpec] = Field(default_factory=list, description="Consent records.")
    items: list[ItemSpec] = Field(min_length=1, description="The timeline, in order.")
    holding_message: HoldingSpec | None = Field(None, description="Pre-approved emergency hold message.")
    answers: list[AnswerSpec] = Field(default_factory=list, description="Bank of pre-approved answers.")
    replies: RepliesSpec | None = Field(None, description="Pre-approved triage replies.")

    @model_validator(mode="after")
    def _cross_checks(self) -> Schedule:
        problems = cross_problems(self.model_dump())
        if problems:
            raise ValueError("; ".join(message for _path, message in problems))
        return self

    def authorization(self, auth_id: str) -> AuthorizationSpec | None:
        """The authorization with this id, if any."""
        return next((a for a in self.authorizations if a.id == auth_id), None)

    def texts(self) -> list[tuple[str, str]]:
        """Every (id, caption) of pre-approved text: items, holding message, answers, replies."""
        out = [(item.id, item.caption) for item in self.items]
        if self.holding_message is not None:
            out.append((self.holding_message.id, self.holding_message.caption))
        out += [(answer.id, answer.caption) for answer in self.answers]
        if self.replies is not None:
            out += [(r.id, r.caption) for r in (self.replies.emergency, self.replies.redirect)]
        return out
