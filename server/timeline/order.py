"""The run of show's order: which earlier items a timeline post would overtake.

Surgery runs late. An automatic item ("…which only happens after step one") must never post while an earlier
step is still waiting — for its cue, its approvals or the operator — and "post now" on an item that jumps earlier
ones must say which. Both the scheduler and the outgoing gate ask this one function.
"""

from __future__ import annotations

from collections.abc import Collection
from functools import cache

from sqlalchemy import BindParameter, Select, bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.models import Item

WAITING = ("draft", "rejected", "approved", "blocked")  # not posted, not queued, not skipped


async def earlier_waiting(session: AsyncSession, item: Item, *, done: Collection[int] = ()) -> list[Item]:
    """Timeline posts before `item` in the run of show that have not gone out and were not skipped.

    `done` lists items to treat as gone out anyway (a rehearsal's already rehearsed items).
    """
    if item.kind != "post":
        return []
    rows = (await session.execute(_earlier_query(), {"order_event": item.event_id, "order_item": item.id,
                                                      "order_position": item.position})).scalars()
    return [row for row in rows if row.id not in done]


@cache
def _earlier_query() -> Select[Item]:
    """Built once: every post's check asks it (building a statement costs more than running it; issue 19)."""
    position: BindParameter[int] = bindparam("order_position")
    item_id: BindParameter[int] = bindparam("order_item")
    return (select(Item).where(
        Item.event_id == bindparam("order_event"), Item.kind == "post", Item.status.in_(WAITING), Item.id != item_id,
        or_(Item.position < position, (Item.position == position) & (Item.id < item_id)))
        .order_by(Item.position, Item.id))


def label(item: Item) -> str:
    """How the console names an item in a sentence: its cue label when it waits for one, else its key."""
    return item.cue or item.key


def waiting_for_text(earlier: list[Item]) -> str | None:
    """"waiting for ‘incision made’" (the first earlier step still waiting: the one holding the line), or None."""
    return f"waiting for ‘{label(earlier[0])}’" if earlier else None
