"""Journal entries as the API and the live feed show them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class JournalRead(BaseModel):
    """One journal entry."""

    model_config = ConfigDict(from_attributes=True)

    seq: int
    at: datetime
    actor_id: int | None
    actor_name: str
    kind: str
    event_id: int | None
    subject_type: str
    subject_id: int | None
    payload: dict[str, Any]


class JournalPage(BaseModel):
    """A page of entries and where to continue."""

    entries: list[JournalRead]
    last_seq: int
    more: bool
