"""Creating, editing and listing content items. Every edit is a new version and clears approvals."""

from __future__ import annotations

from functools import cache

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.errors import Conflict, Invalid, NotFound
from server.events import service as event_service
from server.journal import service as journal
from server.journal.kinds import JournalKind
from server.models import Event, Item, ItemVersion, User
from server.timeline.content import check_content, content_hash, current_version, parse_offset, version_content
from server.timeline.render import warning_text
from server.timeline.schemas import ItemContent, ItemCreate, ItemUpdate
from server.timeline.screening import screen_for_event

FROZEN_STATUSES = ("queued", "posted", "skipped")


async def get_item(session: AsyncSession, item_id: int) -> Item:
    """The item, or 404."""
    item = await session.get(Item, item_id)
    if item is None:
        raise NotFound(f"no item with id {item_id}")
    return item


@cache
def _item_and_event_query() -> Select[Item, Event]:
    """Built once (a cue's first statement; building it cost more than running it)."""
    return select(Item, Event).join(Event, Event.id == Item.event_id).where(Item.id == bindparam("item_id"))


async def get_item_and_event(session: AsyncSession, item_id: int) -> tuple[Item, Event]:
    """The item and its event in one statement, or 404 (a cue's first read; issue 19)."""
    row = (await session.execute(_item_and_event_query(), {"item_id": item_id})).first()
    if row is None:
        raise NotFound(f"no item with id {item_id}")
    return row[0], row[1]


async def list_items(session: AsyncSession, event_id: int, kind: str | None = None) -> list[Item]:
    """An event's items in timeline order."""
    query = select(Item).where(Item.event_id == event_id).order_by(Item.kind, Item.position, Item.id)
    if kind is not None:
        query = query.where(Item.kind == kind)
    return list((await session.execute(query)).scalars())


async def enabled_platforms(session: AsyncSession, event_id: int) -> list[str]:
    """Names of the platforms the event posts to."""
    return [p.platform for p in await event_service.platforms_of(session, event_id) if p.enabled]


def _warning(event: Event, content: ItemContent) -> str | None:
    """The warning text the item's posts will carry (counted where a platform puts it in the text)."""
    return warning_text(event, content)


async def screen_content(session: AsyncSession, event: Event, content: ItemContent) -> list[dict[str, object]]:
    """Findings of the privacy screen for this content."""
    return await screen_for_event(session, event, content)


async def create_item(session: AsyncSession, *, event: Event, data: ItemCreate, actor: User | None) -> Item:
    """Add an item (version 1, awaiting approval)."""
    if event.status == "ended":
        raise Conflict("the event has ended", extra={"state": event.status})
    content = ItemContent.model_validate(data.model_dump(include=set(ItemContent.model_fields)))
    platforms = await enabled_platforms(session, event.id)
    check_content(content, platforms, _warning(event, content))
    offset = parse_offset(data.offset)
    if data.kind == "post" and offset is None and not data.cue:
        raise Invalid("a timeline post needs a planned offset (T+HH:MM) or a cue label", field="offset")
    key = data.key or await _next_key(session, event.id, data.kind)
    if (await session.execute(select(Item.id).where(Item.event_id == event.id, Item.key == key))).first():
        raise Conflict(f"an item with key '{key}' exists on this event", field="key")
    position = data.position
    if position is None:
        query = select(func.max(Item.position)).where(Item.event_id == event.id, Item.kind == data.kind)
        position = int((await session.execute(query)).scalar() or 0) + 1
    item = Item(event_id=event.id, key=key, kind=data.kind, position=position, offset_seconds=offset,
                cue=data.cue, question=data.question, status="draft", current_version=1)
    session.add(item)
    await session.flush()
    findings = await screen_content(session, event, content)
    session.add(_version(item, 1, content, actor, findings))
    await session.flush()
    await journal.record(session, actor=actor, kind=JournalKind.ITEM_CREATED, subject_type="item", subject_id=item.id,
                         event_id=event.id, payload={"key": key, "kind": data.kind, "version": 1,
                                                     "findings": len(findings)})
    return item


async def update_item(session: AsyncSession, *, event: Event, item: Item, data: ItemUpdate,
                      actor: User | None) -> Item:
    """Apply an edit; new content makes a new version and clears the approvals."""
    if item.status in FROZEN_STATUSES:
        raise Conflict(f"the item is {item.status} and can no longer be edited", extra={"state": item.status})
    changed: list[str] = []
    if data.offset is not None:
        offset = parse_offset(data.offset)
        if offset != item.offset_seconds:
            item.offset_seconds = offset
            changed.append("offset")
    if data.cue is not None and data.cue != item.cue:
        item.cue = data.cue or None
        changed.append("cue")
    if data.position is not None and data.position != item.position:
        item.position = data.position
        changed.append("position")
    if data.content is not None:
        await set_content(session, event=event, item=item, content=data.content, actor=actor)
    if changed:
        await session.flush()
        await journal.record(session, actor=actor, kind=JournalKind.ITEM_RESCHEDULED, subject_type="item",
                             subject_id=item.id, event_id=event.id, payload={"changed": changed})
    return item


async def set_content(session: AsyncSession, *, event: Event, item: Item, content: ItemContent,
                      actor: User | None) -> int | None:
    """Store new content as a new version unless it is unchanged; returns the new number or None."""
    if item.status in FROZEN_STATUSES:
        raise Conflict(f"the item is {item.status} and can no longer be edited", extra={"state": item.status})
    current = await current_version(session, item)
    new_hash = content_hash(content)
    if new_hash == current.content_hash:
        return None
    check_content(content, await enabled_platforms(session, event.id), _warning(event, content))
    findings = await screen_content(session, event, content)
    number = item.current_version + 1
    session.add(_version(item, number, content, actor, findings))
    previous_status = item.status
    item.current_version = number
    item.status = "draft"
    item.approved_at = None
    item.blocked_reason = None
    await session.flush()
    await journal.record(session, actor=actor, kind=JournalKind.ITEM_EDITED, subject_type="item", subject_id=item.id,
                         event_id=event.id, payload={"version": number, "previous_status": previous_status,
                                                     "approvals_cleared": True, "findings": len(findings)})
    return number


async def versions(session: AsyncSession, item: Item) -> list[ItemVersion]:
    """Every version of an item, oldest first."""
    query = select(ItemVersion).where(ItemVersion.item_id == item.id).order_by(ItemVersion.number)
    return list((await session.execute(query)).scalars())


def _version(item: Item, number: int, content: ItemContent, actor: User | None,
             findings: list[dict[str, object]]) -> ItemVersion:
    data = content.model_dump(mode="json")
    return ItemVersion(
        item_id=item.id, number=number, caption=content.caption, platform_text=data["platform_text"],
        media=data["media"], clinical=content.clinical, content_warning=content.content_warning,
        authorizations=list(content.authorizations), content_hash=content_hash(content),
        created_by=actor.id if actor else None, findings=findings, overrides=[],
    )


async def _next_key(session: AsyncSession, event_id: int, kind: str) -> str:
    count = (await session.execute(select(func.count(Item.id)).where(Item.event_id == event_id))).scalar() or 0
    return f"{kind.replace('_', '-')}-{int(count) + 1}"


__all__ = ["create_item", "get_item", "list_items", "set_content", "update_item", "version_content", "versions"]
