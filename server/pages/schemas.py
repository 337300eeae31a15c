"""The shapes of what the pages read in one request on first load."""

from __future__ import annotations

from pydantic import BaseModel, Field

from server.auth.schemas import UserRead
from server.consent.schemas import AuthorizationRead
from server.events.schemas import EventRead
from server.journal.schemas import JournalPage
from server.live.schemas import LiveStatus
from server.live.setup_router import StaffName
from server.publishing.router import DeliveryRead
from server.questions.schemas import GroupRead, Summary
from server.timeline.schemas import ItemRead


class PageSnapshot(BaseModel):
    """Everything the console and the tablet render first, each part as its own endpoint gives it."""

    me: UserRead = Field(description="As `GET /api/auth/me`.")
    events: list[EventRead] = Field(description="As `GET /api/events` (the event pickers).")
    event: EventRead = Field(description="As `GET /api/events/{event_id}`.")
    live: LiveStatus = Field(description="As `GET /api/events/{event_id}/live`.")
    items: list[ItemRead] = Field(description="As `GET /api/events/{event_id}/items`.")
    deliveries: list[DeliveryRead] = Field(description="As `GET /api/events/{event_id}/deliveries`.")
    question_summary: Summary = Field(description="As `GET /api/events/{event_id}/questions/summary`.")
    questions: list[GroupRead] = Field(description="As `GET /api/events/{event_id}/questions`: the queue's first page.")
    authorizations: list[AuthorizationRead] = Field(description="As `GET /api/events/{event_id}/authorizations`.")
    staff: list[StaffName] = Field(description="As `GET /api/events/{event_id}/staff`.")
    journal: JournalPage = Field(description=(
        "The newest entries of the event's journal the caller may read (up to 1,000, oldest first), read before "
        "everything else: `last_seq` is where the live feed resumes (`/api/ws?after=`), so a change made after "
        "these reads reaches the page on the feed."))
