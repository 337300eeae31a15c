"""Importing schedules: idempotent re-import, new versions for changed items, approvals kept elsewhere."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from server.db.session_scope import transaction
from server.errors import Invalid
from server.media.store import MediaStore
from server.models import Approval, Item, JournalEntry, MediaAsset
from server.schedules.importer import ScheduleInvalid, import_schedule
from server.timeline import approvals
from tests.factories import create_user

DEMO = Path(__file__).resolve().parents[2] / "schedules" / "sunnybrook-bypass"


async def _import(sessionmaker: Any, path: Path, store: MediaStore) -> Any:
    async with transaction(sessionmaker) as session:
        return await import_schedule(session, path=path, store=store, actor=None)


async def _count(sessionmaker: Any, model: Any) -> int:
    async with sessionmaker() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar() or 0)


async def test_reimport_changes_nothing_and_edits_make_versions(sessionmaker: Any, tmp_path: Path) -> None:
    folder = tmp_path / "sched"
    shutil.copytree(DEMO, folder)
    store = MediaStore(tmp_path / "media")
    first = await _import(sessionmaker, folder, store)
    assert len(first.created) >= 20
    items = await _count(sessionmaker, Item)
    media = await _count(sessionmaker, MediaAsset)
    assert media >= 1
    # Approve one item so we can see that untouched items keep their approvals.
    reviewer = await create_user(sessionmaker, "comms")
    nurse = await create_user(sessionmaker, "clinical")
    async with transaction(sessionmaker) as session:
        keep = (await session.execute(select(Item).where(Item.kind == "post").order_by(Item.position))).scalars().all()
        from server.events import service as event_service

        event = await event_service.get_event(session, keep[1].event_id)
        for user in (reviewer, nurse):
            await approvals.approve(session, event=event, item=keep[1], version=1, user=user)
        first_key, second_key = keep[0].key, keep[1].key
    journal_before = await _count(sessionmaker, JournalEntry)

    again = await _import(sessionmaker, folder, store)
    assert again.created == [] and again.new_versions == [] and again.rescheduled == []
    assert await _count(sessionmaker, JournalEntry) == journal_before
    assert await _count(sessionmaker, Item) == items
    assert await _count(sessionmaker, MediaAsset) == media

    schedule = folder / "schedule.yaml"
    text = schedule.read_text()
    async with sessionmaker() as session:
        item0 = (await session.execute(select(Item).where(Item.key == first_key))).scalar_one()
        from server.timeline.content import current_version

        caption = (await current_version(session, item0)).caption
    assert caption.split("\n")[0][:30] in text
    schedule.write_text(text.replace(caption.split("\n")[0][:30], caption.split("\n")[0][:30] + " (edited)", 1))
    third = await _import(sessionmaker, folder, store)
    assert third.new_versions == [first_key]
    async with sessionmaker() as session:
        edited = (await session.execute(select(Item).where(Item.key == first_key))).scalar_one()
        untouched = (await session.execute(select(Item).where(Item.key == second_key))).scalar_one()
        assert edited.current_version == 2 and edited.status == "draft"
        assert untouched.status == "approved"
        kept = (await session.execute(select(func.count()).select_from(Approval).where(
            Approval.item_id == untouched.id))).scalar()
        assert kept == 2


async def test_invalid_schedule_imports_nothing(sessionmaker: Any, tmp_path: Path) -> None:
    folder = tmp_path / "sched"
    shutil.copytree(DEMO, folder)
    schedule = folder / "schedule.yaml"
    schedule.write_text(schedule.read_text().replace("caption:", "captoin:", 1))
    try:
        await _import(sessionmaker, folder, MediaStore(tmp_path / "media"))
    except ScheduleInvalid as exc:
        assert any("captoin" in p.message for p in exc.problems)
    else:
        raise AssertionError("expected ScheduleInvalid")
    assert await _count(sessionmaker, Item) == 0


async def test_reimport_changing_the_policy_is_journaled_and_never_below_the_floor(sessionmaker: Any,
                                                                                   tmp_path: Path) -> None:
    folder = tmp_path / "sched"
    shutil.copytree(DEMO, folder)
    store = MediaStore(tmp_path / "media")
    report = await _import(sessionmaker, folder, store)
    schedule = folder / "schedule.yaml"
    text = schedule.read_text()
    old = "approval_policy: {approvals_required: 2, clinical_required: 1}"
    assert old in text
    schedule.write_text(text.replace(old, "approval_policy: {approvals_required: 3, clinical_required: 2}"))
    await _import(sessionmaker, folder, store)
    async with sessionmaker() as session:
        (entry,) = (await session.execute(select(JournalEntry).where(
            JournalEntry.kind == "event.policy_changed", JournalEntry.event_id == report.event_id))).scalars()
    assert entry.payload == {"from": {"approvals_required": 2, "clinical_required": 1},
                             "to": {"approvals_required": 3, "clinical_required": 2},
                             "reason": "schedule import (schedule.yaml)"}
    schedule.write_text(text.replace(old, "approval_policy: {approvals_required: 1, clinical_required: 1}"))
    with pytest.raises(Invalid, match="at least 2"):
        await _import(sessionmaker, folder, store)
