"""Request and response shapes for the audience-question queue."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from server.db.ids import IdField

Label = Literal["question", "personal_medical", "emergency", "comment", "spam", "abuse"]


class MessageRead(BaseModel):
    """One audience message (its text is untrusted: render as text)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    platform: str
    author_handle: str
    author_name: str
    text: str
    url: str | None
    received_at: datetime
    label: str
    label_reason: str
    phi: list[dict[str, Any]]
    status: str
    group_id: int | None
    replied_at: datetime | None
    alert: bool = Field(default=False, description="A possible emergency, whatever the label.")
    alert_reasons: list[str] = Field(default_factory=list, description="Why the alert was raised.")
    language: str | None = None
    screened: bool = Field(default=True, description="False: a language triage has no risk cues for.")


class GroupRead(BaseModel):
    """A group of near-duplicate messages with its askers."""

    id: int
    event_id: int
    label: str
    text: str
    size: int
    status: str
    claimed_by: int | None
    claimed_by_name: str | None
    claim_until: datetime | None
    assigned_to: int | None
    assigned_to_name: str | None = Field(description="The assignee's display name (null when unassigned).")
    answer_item_id: int | None
    created_at: datetime
    last_asked_at: datetime
    alert: bool = Field(default=False, description="A member raised an alert: shown first, whatever the label.")
    unscreened: bool = Field(default=False, description="A member is in a language nobody screens.")
    messages: list[MessageRead]


class Summary(BaseModel):
    """Counts for the console's questions panel."""

    by_label: dict[str, int]
    open_groups: int
    open_emergencies: list[int]
    rejected: int


class StatusChange(BaseModel):
    """Close a group without a drafted answer."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["answered_in_thread", "offline", "dismissed", "open"]


class AssignRequest(BaseModel):
    """Assign a group to a named clinician, or unassign it (`user_id: null`)."""

    model_config = ConfigDict(extra="forbid")

    user_id: IdField | None = Field(description="An active clinician's id (see /api/events/{id}/clinicians); "
                                                "null to unassign.")


class ClinicianRead(BaseModel):
    """An entry of the staff directory: whom a question can be assigned to (names only)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str


class RelabelRequest(BaseModel):
    """Correct the triage label (kept as evaluation data)."""

    model_config = ConfigDict(extra="forbid")

    label: Label
    reason: str = Field(default="", max_length=500)


class AnswerRequest(BaseModel):
    """A clinician's answer: new text, or a pre-approved bank answer; to each asker or once to the thread."""

    model_config = ConfigDict(extra="forbid")

    caption: str | None = Field(default=None, min_length=1, max_length=2000)
    bank_item_id: IdField | None = None
    mode: Literal["reply_each", "thread"] = "reply_each"


class TemplateReply(BaseModel):
    """Send the event's pre-approved emergency or redirect reply to one message."""

    model_config = ConfigDict(extra="forbid")

    template: Literal["emergency", "redirect"]
    confirm_emergency: bool = Field(default=False, description="During an emergency hold: send this one anyway.")


class MuteRequest(BaseModel):
    """Mute an author for the event."""

    model_config = ConfigDict(extra="forbid")

    platform: str = Field(min_length=1, max_length=16)
    handle: str = Field(min_length=1, max_length=200)


class Suggestion(BaseModel):
    """A bank answer and how well it matches."""

    item_id: int
    question: str | None
    caption: str
    score: float


class PublicQuestion(BaseModel):
    """A question from the public web form (stored as text, never markup)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(default="", max_length=80)
    text: str = Field(min_length=1, max_length=1000)
    submission_id: str | None = Field(
        default=None, max_length=64, pattern=r"^[A-Za-z0-9_-]{8,64}$",
        description="A random id the form makes once per question: sending it again (say after a lost answer) "
                    "stores the question once.")
