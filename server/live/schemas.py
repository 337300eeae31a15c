"""Request and response shapes for live control."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from server.db.ids import IdField
from server.models.item import ItemStatus


class GoLiveRequest(BaseModel):
    """Start the run of show now, or count offsets from the planned start (late start)."""

    model_config = ConfigDict(extra="forbid")

    clock: Literal["now", "planned"] = "now"


class ConfirmRequest(BaseModel):
    """Manual posts during a hold need `confirm: true`; jumping earlier steps needs `confirm_out_of_order`."""

    model_config = ConfigDict(extra="forbid")

    confirm: bool = False
    confirm_out_of_order: bool = False


class EmergencyHoldRequest(BaseModel):
    """Stop everything; optionally post the pre-approved holding message everywhere."""

    model_config = ConfigDict(extra="forbid")

    post_holding_message: bool = True


class ReorderRequest(BaseModel):
    """Upcoming item ids in their new order."""

    model_config = ConfigDict(extra="forbid")

    item_ids: list[IdField] = Field(min_length=1)


class LiveItem(BaseModel):
    """An upcoming item with its timing."""

    id: int
    key: str
    status: ItemStatus
    planned_at: datetime | None
    automatic: bool
    overdue: bool
    cue: str | None
    waiting_for: str | None = Field(default=None, description="e.g. \"waiting for ‘incision made’\"")


class CountdownEntry(BaseModel):
    """A post in its safety delay: one click pulls it back before it leaves."""

    delivery_id: int
    item_id: int | None
    item_key: str | None
    purpose: str
    platform: str
    text: str
    sends_at: datetime
    seconds_left: int


class LiveStatus(BaseModel):
    """Where the live run stands."""

    event_id: int
    status: str
    hold_kind: str | None
    now: datetime
    started_at: datetime | None
    elapsed_seconds: int | None
    held_at: datetime | None
    time_scale: float
    timezone: str
    next_automatic: LiveItem | None
    seconds_to_next: int | None
    upcoming: list[LiveItem]
    platforms: dict[str, bool]
    patient_authorization: bool
    posting_rule: str = Field(description="What goes out now, in the server's words (pages quote it).")
    safety_delay_seconds: int
    countdown: list[CountdownEntry]
    resume_preview: list[str] = Field(description="What resuming would do (only while held).")
