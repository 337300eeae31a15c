"""What the dispatcher reads right before a platform request: one statement against the committed state.

The delivery, its event, its item with the item's current version, the event's consent records and the reply
target's remotes (previous posted post and root of its thread) come back together, and the gate's send-time rule
runs over them (`gate.verdict_at_send`, the same rule as `gate.verdict(..., at_send=True)`). The files' stored
uploads are a second statement in the same read. Before (issue 19) the same facts took eight statements, two
of them BEGIN IMMEDIATE that waited behind any writer; this is read in a snapshot that waits for none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Row, Select, and_, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.models import Authorization, Delivery, Event, Item, ItemVersion, MediaUpload
from server.platforms.base import RemoteRef
from server.publishing.gate import Facts
from server.publishing.media import cached_uploads, cached_uploads_of
from server.publishing.thread import reply_target_of, thread_remotes


@dataclass(frozen=True)
class Sending:
    """A delivery about to be sent and everything its send-time check and request need."""

    delivery: Delivery
    event: Event
    item: Item | None
    facts: Facts | None  # None when the delivery has no item (or the item's version is missing)
    reply_to: RemoteRef | None
    uploads: dict[tuple[str, str], MediaUpload]


@cache
def _sending_query(many: bool = False) -> Select[Any]:
    """Built once: constructing it (aliases, correlated subqueries) cost more than running it (py-spy, issue 19)."""
    parent, root = thread_remotes()
    which = (Delivery.id.in_(bindparam("delivery_ids", expanding=True)) if many
             else Delivery.id == bindparam("delivery_id"))
    return (select(Delivery, Event, Item, ItemVersion, Authorization, parent, root)
            .join(Event, Event.id == Delivery.event_id)
            .outerjoin(Item, Item.id == Delivery.item_id)
            .outerjoin(ItemVersion, and_(ItemVersion.item_id == Item.id,
                                         ItemVersion.number == Item.current_version))
            .outerjoin(Authorization, Authorization.event_id == Delivery.event_id)
            .where(which)
            .order_by(Delivery.id, Authorization.id))


def _sending_of(rows: Sequence[Any], uploads: dict[tuple[str, str], MediaUpload]) -> Sending:
    delivery, event, item, version, _, parent_remote, root_remote = rows[0]
    facts = Facts(version, [row[4] for row in rows if row[4] is not None]) if version is not None else None
    return Sending(delivery=delivery, event=event, item=item, facts=facts,
                   reply_to=reply_target_of(delivery, parent_remote, root_remote), uploads=uploads)


async def read_sending(session: AsyncSession, delivery_id: int) -> Sending:
    """Read a delivery for sending (LookupError when it does not exist)."""
    rows = (await session.execute(_sending_query(), {"delivery_id": delivery_id})).all()
    if not rows:
        raise LookupError(f"no delivery {delivery_id}")
    return _sending_of(rows, await cached_uploads(session, rows[0][0]))


async def read_sendings(session: AsyncSession, delivery_ids: Sequence[int]) -> dict[int, Sending]:
    """The same for deliveries a transaction has just claimed, read in that transaction (a cue's: the values it
    wrote, not what the session's objects held before), in two statements whatever their number."""
    rows = (await session.execute(_sending_query(many=True), {"delivery_ids": list(delivery_ids)},
                                  execution_options={"populate_existing": True})).all()
    by_delivery: dict[int, list[Row[Any]]] = {}
    for row in rows:
        by_delivery.setdefault(row[0].id, []).append(row)
    uploads = await cached_uploads_of(session, [found[0][0] for found in by_delivery.values()])
    return {delivery_id: _sending_of(found, uploads.get(delivery_id, {}))
            for delivery_id, found in by_delivery.items()}
