"""Content versions: hashing, platform text rules, and building the read shape."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.errors import Invalid
from server.events.policy import Policy, effective_policy
from server.models import Approval, Event, Item, ItemVersion, User
from server.platforms.capabilities import get_capabilities
from server.textrules import MediaSpec, check_media, check_text, text_length
from server.textrules.warning import posted_text
from server.timeline import offsets
from server.timeline.render import content_checks, text_for, warning_text
from server.timeline.schemas import ApprovalRead, ItemContent, ItemRead
from server.timeline.timing import anchor, planned_time


def content_hash(content: ItemContent) -> str:
    """A stable hash of everything an approval is bound to."""
    canonical = content.model_dump(mode="json")
    canonical["platform_text"] = dict(sorted(canonical["platform_text"].items()))
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def version_content(version: ItemVersion) -> ItemContent:
    """The content stored in a version."""
    return ItemContent(
        caption=version.caption, platform_text=version.platform_text or {},
        media=version.media or [], clinical=version.clinical,
        content_warning=version.content_warning, authorizations=version.authorizations or [],
    )


def check_content(content: ItemContent, platforms: list[str], warning: str | None = None) -> None:
    """Refuse content that breaks a platform's text or media rules, naming the field.

    `warning` is the event's content-warning text: where a platform carries it as the post's first line
    (Bluesky), that line counts too, or the platform would refuse the post at the moment of posting.
    """
    for named in content.platform_text:
        if named not in platforms:
            raise Invalid(f"platform_text for '{named}', which this event does not post to",
                             field=f"platform_text.{named}")
    for platform in platforms:
        text = text_for(content, platform)
        problems = check_text(platform, text)
        if not problems and content.content_warning and warning:
            posted = posted_text(get_capabilities(platform), text, warning)
            problems = [f"{p} with the content-warning line" for p in check_text(platform, posted)]
        if problems:
            field = f"platform_text.{platform}" if platform in content.platform_text else "caption"
            raise Invalid(f"{problems[0]} ({platform})", field=field)
        specs = [MediaSpec(mime_type=m.mime_type, size_bytes=m.size_bytes, alt_text=m.alt_text,
                           width=m.width, height=m.height) for m in content.media]
        media_problems = check_media(platform, specs)
        if media_problems:
            raise Invalid(f"{media_problems[0]} ({platform})", field="media")


def text_lengths(content: ItemContent, platforms: list[str], warning: str | None = None) -> dict[str, int]:
    """Counter values per platform, as the platforms count them (with a warning line where one is added)."""
    warning = warning if content.content_warning else None
    return {p: text_length(p, posted_text(get_capabilities(p), text_for(content, p), warning)) for p in platforms}


def parse_offset(value: str | None, field: str = "offset") -> int | None:
    """`T+HH:MM[:SS]` to seconds."""
    if value is None:
        return None
    try:
        return int(offsets.parse_offset(value).total_seconds())
    except ValueError as exc:
        raise Invalid(f"{exc}", field=field) from None


def format_offset(seconds: int | None) -> str | None:
    """Seconds to `T+HH:MM` (with seconds when not whole minutes)."""
    if seconds is None:
        return None
    return offsets.format_offset(timedelta(seconds=seconds))


async def current_version(session: AsyncSession, item: Item) -> ItemVersion:
    """The item's current version."""
    query = select(ItemVersion).where(ItemVersion.item_id == item.id,
                                      ItemVersion.number == item.current_version)
    return (await session.execute(query)).scalar_one()


async def approvals_for(session: AsyncSession, item: Item, version: int | None = None) -> list[tuple[Approval, User]]:
    """Decisions on a version (default: the current one), oldest first."""
    query = (
        select(Approval, User).join(User, User.id == Approval.user_id)
        .where(Approval.item_id == item.id, Approval.version_number == (version or item.current_version))
        .order_by(Approval.id)
    )
    return [(a, u) for a, u in (await session.execute(query)).all()]


async def to_read(session: AsyncSession, event: Event, item: Item, platforms: list[str]) -> ItemRead:
    """Build the API shape of an item."""
    return _item_read(event, item, await current_version(session, item), await approvals_for(session, item),
                      platforms, effective_policy(session, event))


async def to_reads(session: AsyncSession, event: Event, items: list[Item], platforms: list[str]) -> list[ItemRead]:
    """The API shapes of items of one event in two queries (the event's current versions, their decisions)
    instead of two per item: the lists the console and the tablet load, for a run of show of 100 items."""
    if not items:
        return []
    current = (Item.id == ItemVersion.item_id) & (Item.current_version == ItemVersion.number)
    versions = {v.item_id: v for v in (await session.execute(
        select(ItemVersion).join(Item, current).where(Item.event_id == event.id))).scalars()}
    decided = (Item.id == Approval.item_id) & (Item.current_version == Approval.version_number)
    query = (select(Approval, User).join(User, User.id == Approval.user_id).join(Item, decided)
             .where(Item.event_id == event.id).order_by(Approval.id))
    decisions: dict[int, list[tuple[Approval, User]]] = {i.id: [] for i in items}
    for approval, user in (await session.execute(query)).all():
        decisions.setdefault(approval.item_id, []).append((approval, user))
    policy = effective_policy(session, event)
    return [_item_read(event, i, versions[i.id], decisions[i.id], platforms, policy) for i in items]


def _item_read(event: Event, item: Item, version: ItemVersion, decisions: list[tuple[Approval, User]],
               platforms: list[str], policy: Policy) -> ItemRead:
    content = version_content(version)
    approvals = [
        ApprovalRead(user_id=u.id, username=u.username, display_name=u.display_name, decision=a.decision,
                     as_clinical=a.as_clinical, note=a.note, version=a.version_number, at=a.created_at)
        for a, u in decisions
    ]
    approved = [a for a in approvals if a.decision == "approve"]
    clinical = sum(1 for a in approved if a.as_clinical)
    when = planned_time(event, item) or anchor(event)
    return ItemRead(
        id=item.id, event_id=item.event_id, key=item.key, kind=item.kind,
        position=item.position, offset=format_offset(item.offset_seconds), cue=item.cue,
        question=item.question, status=item.status, blocked_reason=item.blocked_reason,
        version=item.current_version, content=content,
        approvals=approvals, approvals_needed=max(0, policy.approvals_required - len(approved)),
        clinical_needed=max(0, policy.clinical_required - clinical), findings=version.findings or [],
        planned_at=planned_time(event, item), approved_at=item.approved_at, published_at=item.published_at,
        created_at=item.created_at, updated_at=item.updated_at,
        text_lengths=text_lengths(content, platforms, warning_text(event, content)),
        checks=content_checks(event, content, platforms, when),
    )
