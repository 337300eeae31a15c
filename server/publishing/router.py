"""Delivery visibility and operator actions on failed deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from server.auth.deps import AnyUser, CommsUser
from server.clock import session_now
from server.db.ids import IdPath
from server.db.session import DbSession
from server.errors import Conflict, NotFound
from server.events.deps import EventDep
from server.journal import service as journal
from server.journal.kinds import JournalKind
from server.models import Delivery
from server.models.publishing import DeliveryStatus
from server.publishing import pullback
from server.publishing.outbox import deliveries_for_event
from server.state import StateDep

router = APIRouter(tags=["publishing"])


class DeliveryRead(BaseModel):
    """One delivery: where it stands, its link or its failure reason."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    event_id: int
    item_id: int | None
    question_id: int | None
    purpose: str
    platform: str
    account: str
    thread_seq: int
    status: DeliveryStatus
    attempts: int
    last_error: str | None
    remote_url: str | None
    remote: dict[str, Any] | None
    rehearsal: bool
    confirmed: bool
    next_attempt_at: datetime | None
    created_at: datetime
    posted_at: datetime | None


async def _delivery(session: Any, delivery_id: int) -> Delivery:
    row = await session.get(Delivery, delivery_id)
    if row is None:
        raise NotFound(f"no delivery with id {delivery_id}")
    assert isinstance(row, Delivery)
    return row


@router.get("/api/events/{event_id}/deliveries", response_model=list[DeliveryRead])
async def list_deliveries(_user: AnyUser, event: EventDep, session: DbSession) -> list[Delivery]:
    """Every delivery of the event, per platform in thread order."""
    return await deliveries_for_event(session, event.id)


@router.post("/api/deliveries/{delivery_id}/retry", response_model=DeliveryRead)
async def retry_delivery(delivery_id: IdPath, state: StateDep, user: CommsUser, session: DbSession) -> Delivery:
    """Try a failed delivery again (after reconnecting the account, for one that needs re-authentication)."""
    row = await _delivery(session, delivery_id)
    if row.status not in ("failed", "needs_reauth"):
        raise Conflict(f"only failed deliveries can be retried; this one is {row.status}",
                       extra={"state": row.status})
    row.status, row.attempts, row.next_attempt_at, row.last_error = "unknown", 0, session_now(session), None
    await session.flush()
    await journal.record(session, actor=user, kind=JournalKind.DELIVERY_RETRY_REQUESTED, subject_type="delivery",
                         subject_id=row.id, event_id=row.event_id, payload={"platform": row.platform})
    state.dispatcher.wake_after_commit(session)
    return row


@router.post("/api/deliveries/{delivery_id}/abandon", response_model=DeliveryRead)
async def abandon_delivery(delivery_id: IdPath, user: CommsUser, session: DbSession) -> Delivery:
    """Give up on a delivery that has not been posted."""
    row = await _delivery(session, delivery_id)
    if row.status not in ("failed", "needs_reauth", "pending", "unknown"):
        raise Conflict(f"a {row.status} delivery cannot be abandoned", extra={"state": row.status})
    row.status = "abandoned"
    await session.flush()
    await journal.record(session, actor=user, kind=JournalKind.DELIVERY_ABANDONED, subject_type="delivery",
                         subject_id=row.id, event_id=row.event_id, payload={"platform": row.platform})
    return row


@router.post("/api/deliveries/{delivery_id}/pull-back", response_model=DeliveryRead)
async def pull_back_delivery(delivery_id: IdPath, user: CommsUser, session: DbSession) -> Delivery:
    """Pull a post back before it leaves (in its safety delay); 409 once it may be on the platform."""
    row = await _delivery(session, delivery_id)
    await pullback.pull_back(session, row, actor=user, reason=f"by {user.username}")
    return row
