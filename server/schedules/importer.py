"""Importing a checked schedule into the database; re-importing an unchanged file changes nothing."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.service import get_user_by_username
from server.config import Settings
from server.db.session_scope import session_scope
from server.errors import LivecueError
from server.events import service as event_service
from server.events.schemas import ApprovalPolicy, EventCreate, EventUpdate, PlatformAccount
from server.journal import service as journal
from server.journal.kinds import JournalKind
from server.media.assets import media_store, store_upload
from server.media.store import MediaStore
from server.models import Authorization, Event, Item, User
from server.schedules.check import check_schedule, resolve_schedule_path
from server.schedules.format import ItemSpec, Schedule
from server.schedules.problems import Problem
from server.timeline import service as timeline
from server.timeline.content import parse_offset
from server.timeline.schemas import ItemContent, ItemCreate, MediaRef

T = TypeVar("T")


class ScheduleInvalid(Exception):
    """The schedule has problems; nothing was imported."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass
class ImportReport:
    """What an import changed."""

    event_id: int = 0
    created: list[str] = field(default_factory=list)
    new_versions: list[str] = field(default_factory=list)
    rescheduled: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether anything was written."""
        return bool(self.created or self.new_versions or self.rescheduled)


async def import_schedule(session: AsyncSession, *, path: Path, store: MediaStore,
                          actor: User | None) -> ImportReport:
    """Check and import a schedule file (or folder) within the caller's transaction."""
    schedule, problems = check_schedule(path)
    if problems or schedule is None:
        raise ScheduleInvalid(problems)
    base = resolve_schedule_path(path).parent
    report = ImportReport()
    event = await _upsert_event(session, schedule, actor, source=resolve_schedule_path(path).name)
    report.event_id = event.id
    await _upsert_authorizations(session, event, schedule, actor)
    for position, spec in enumerate(schedule.items, start=1):
        content = await _content(session, store, base, spec)
        await _upsert_item(session, event, report, actor, key=spec.id, kind="post", content=content,
                           position=position, offset=spec.at, cue=spec.cue)
    extras: list[tuple[str, str, str, str | None]] = []
    if schedule.holding_message is not None:
        extras.append((schedule.holding_message.id, "holding", schedule.holding_message.caption, None))
    for answer in schedule.answers:
        extras.append((answer.id, "answer", answer.caption, answer.question))
    if schedule.replies is not None:
        extras.append((schedule.replies.emergency.id, "reply_emergency", schedule.replies.emergency.caption, None))
        extras.append((schedule.replies.redirect.id, "reply_redirect", schedule.replies.redirect.caption, None))
    for position, (key, kind, caption, question) in enumerate(extras, start=1):
        await _upsert_item(session, event, report, actor, key=key, kind=kind,
                           content=ItemContent(caption=caption), position=position, question=question)
    if report.changed:
        await journal.record(session, actor=actor, kind=JournalKind.SCHEDULE_IMPORTED, subject_type="event",
                             subject_id=event.id, event_id=event.id,
                             payload={"file": resolve_schedule_path(path).name, "created": len(report.created),
                                      "new_versions": len(report.new_versions)})
    return report


async def _upsert_event(session: AsyncSession, schedule: Schedule, actor: User | None, *, source: str) -> Event:
    spec = schedule.event
    policy = ApprovalPolicy(**spec.approval_policy.model_dump())
    platforms = [PlatformAccount(platform=p.platform, account=p.account) for p in spec.platforms]
    event = await event_service.get_event_by_slug(session, spec.slug)
    if event is None:
        return await event_service.create_event(session, actor=actor, data=EventCreate(
            slug=spec.slug, title=spec.title, hashtag=spec.hashtag, timezone=spec.timezone,
            planned_start=spec.planned_start, date_everything=spec.date_everything,
            content_warning_text=spec.content_warning_text, staff_names=list(spec.staff_names),
            approval_policy=policy, platforms=platforms))
    current = await event_service.to_read(session, event)
    update = EventUpdate(
        title=_diff(spec.title, current.title), hashtag=_diff(spec.hashtag, current.hashtag),
        timezone=_diff(spec.timezone, current.timezone), planned_start=_diff(spec.planned_start,
                                                                             current.planned_start),
        date_everything=_diff(spec.date_everything, current.date_everything),
        content_warning_text=_diff(spec.content_warning_text, current.content_warning_text),
        staff_names=_diff(list(spec.staff_names), current.staff_names),
        approval_policy=_diff(policy, current.approval_policy), policy_reason=f"schedule import ({source})",
        platforms=None if [p.model_dump() for p in platforms] == [p.model_dump() for p in current.platforms]
        else platforms,
    )
    return await event_service.update_event(session, event=event, data=update, actor=actor)


def _diff(new: T, old: T) -> T | None:
    return None if new == old else new


async def _upsert_authorizations(session: AsyncSession, event: Event, schedule: Schedule,
                                 actor: User | None) -> None:
    for spec in schedule.authorizations:
        query = select(Authorization).where(Authorization.event_id == event.id, Authorization.key == spec.id)
        row = (await session.execute(query)).scalar_one_or_none()
        values = {"person": spec.person, "role": spec.role, "covers": list(spec.covers),
                  "signed_on": spec.signed, "expires_on": spec.expires}
        if row is None:
            row = Authorization(event_id=event.id, key=spec.id, **values)
            session.add(row)
            await session.flush()
            await journal.record(session, actor=actor, kind=JournalKind.AUTHORIZATION_RECORDED,
                                 subject_type="authorization", subject_id=row.id, event_id=event.id,
                                 payload={"key": spec.id, "role": spec.role, "covers": list(spec.covers)})
        elif any(getattr(row, k) != v for k, v in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            await session.flush()
            await journal.record(session, actor=actor, kind=JournalKind.AUTHORIZATION_UPDATED,
                                 subject_type="authorization", subject_id=row.id, event_id=event.id,
                                 payload={"key": spec.id})


async def _content(session: AsyncSession, store: MediaStore, base: Path, spec: ItemSpec) -> ItemContent:
    media = []
    for ref in spec.media:
        file = base / ref.file
        asset = await store_upload(session, store, data=file.read_bytes(), filename=file.name)
        media.append(MediaRef(sha256=asset.sha256, alt_text=ref.alt, mime_type=asset.mime_type,
                              size_bytes=asset.size_bytes, width=asset.width, height=asset.height,
                              filename=ref.file, authorizations=list(ref.authorizations)))
    return ItemContent(caption=spec.caption, platform_text=dict(spec.platform_text),
                       media=media, clinical=spec.clinical, content_warning=spec.content_warning,
                       authorizations=list(spec.authorizations))


async def _upsert_item(session: AsyncSession, event: Event, report: ImportReport, actor: User | None, *,
                       key: str, kind: str, content: ItemContent, position: int, offset: str | None = None,
                       cue: str | None = None, question: str | None = None) -> None:
    query = select(Item).where(Item.event_id == event.id, Item.key == key)
    item = (await session.execute(query)).scalar_one_or_none()
    if item is None:
        data = ItemCreate(key=key, kind=kind, position=position, offset=offset, cue=cue,
                          question=question, **content.model_dump())
        await timeline.create_item(session, event=event, data=data, actor=actor)
        report.created.append(key)
        return
    if item.status in timeline.FROZEN_STATUSES:
        report.unchanged.append(key)
        return
    if await timeline.set_content(session, event=event, item=item, content=content, actor=actor) is not None:
        report.new_versions.append(key)
    timing = {"offset_seconds": parse_offset(offset), "cue": cue, "position": position, "question": question}
    moved = [name for name, value in timing.items() if getattr(item, name) != value]
    if moved:
        for name in moved:
            setattr(item, name, timing[name])
        await session.flush()
        await journal.record(session, actor=actor, kind=JournalKind.ITEM_RESCHEDULED, subject_type="item",
                             subject_id=item.id, event_id=event.id, payload={"changed": moved})
        report.rescheduled.append(key)
    if key not in report.new_versions and key not in report.rescheduled:
        report.unchanged.append(key)


async def run_import(settings: Settings, path: Path, as_user: str | None = None) -> int:
    """CLI: import a schedule, printing problems as FILE:LINE: field: message."""
    try:
        async with session_scope(settings) as session:
            actor = await get_user_by_username(session, as_user) if as_user else None
            if as_user and actor is None:
                print(f"livecue schedule import: no user '{as_user}'", file=sys.stderr)
                return 1
            report = await import_schedule(session, path=path, store=media_store(settings.data_dir), actor=actor)
    except ScheduleInvalid as exc:
        for problem in exc.problems:
            print(problem)
        print(f"{len(exc.problems)} problem(s); nothing imported", file=sys.stderr)
        return 1
    except LivecueError as exc:  # e.g. a policy below the server's floor, or changed while the event is live
        print(f"{path}: {exc.field or 'schedule'}: {exc.detail}", file=sys.stderr)
        return 1
    print(f"event {report.event_id}: {len(report.created)} created, {len(report.new_versions)} new versions, "
          f"{len(report.rescheduled)} rescheduled, {len(report.unchanged)} unchanged")
    return 0
