"""Every mutation writes exactly one journal row, in the same transaction."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select

from server.db.session_scope import transaction
from server.journal import service as journal
from server.models import Event, JournalEntry
from tests.factories import create_event, create_item, create_user, login


async def _count(sessionmaker: Any) -> int:
    async with sessionmaker() as session:
        return int((await session.execute(select(func.count(JournalEntry.seq)))).scalar() or 0)


async def test_each_mutation_writes_one_row(client: AsyncClient, sessionmaker: Any) -> None:
    author = await create_user(sessionmaker, "comms")
    nurse = await create_user(sessionmaker, "clinical")
    h_author, h_nurse = await login(client, author), await login(client, nurse)
    before = await _count(sessionmaker)
    event = await create_event(client, h_author)
    assert await _count(sessionmaker) == before + 1
    item = await create_item(client, h_author, event["id"])
    assert await _count(sessionmaker) == before + 2
    await client.post(f"/api/items/{item['id']}/approve", json={"version": 1}, headers=h_nurse)
    assert await _count(sessionmaker) == before + 3
    await client.patch(f"/api/items/{item['id']}", json={"content": {"caption": "New words"}}, headers=h_author)
    assert await _count(sessionmaker) == before + 4
    # A refused request writes nothing.
    await client.post(f"/api/items/{item['id']}/approve", json={"version": 2}, headers=h_author)
    assert await _count(sessionmaker) == before + 4
    page = (await client.get(f"/api/events/{event['id']}/journal", headers=h_nurse)).json()
    kinds = [e["kind"] for e in page["entries"]]
    assert kinds == ["event.created", "item.created", "item.approved", "item.edited"]
    assert [e["actor_name"] for e in page["entries"]][2] == nurse.username
    seqs = [e["seq"] for e in page["entries"]]
    assert seqs == sorted(seqs)
    after = (await client.get(f"/api/events/{event['id']}/journal?after={seqs[1]}", headers=h_nurse)).json()
    assert [e["seq"] for e in after["entries"]] == seqs[2:]


async def test_failure_midway_leaves_neither_row(sessionmaker: Any) -> None:
    before = await _count(sessionmaker)
    with pytest.raises(RuntimeError):
        async with transaction(sessionmaker) as session:
            from datetime import UTC, datetime

            event = Event(slug="half-written", title="t", hashtag="#t", timezone="UTC",
                          planned_start=datetime.now(UTC))
            session.add(event)
            await session.flush()
            await journal.record(session, actor=None, kind="event.created", subject_type="event",
                                 subject_id=event.id, event_id=event.id)
            raise RuntimeError("crash between the change and the commit")
    assert await _count(sessionmaker) == before
    async with sessionmaker() as session:
        assert (await session.execute(select(Event).where(Event.slug == "half-written"))).first() is None


async def test_sequence_is_gap_free_after_a_rollback(sessionmaker: Any) -> None:
    async with transaction(sessionmaker) as session:
        first = await journal.record(session, actor=None, kind="test.one", subject_type="test")
    with pytest.raises(RuntimeError):
        async with transaction(sessionmaker) as session:
            await journal.record(session, actor=None, kind="test.lost", subject_type="test")
            raise RuntimeError("rolled back")
    async with transaction(sessionmaker) as session:
        second = await journal.record(session, actor=None, kind="test.two", subject_type="test")
    assert second.seq == first.seq + 1
