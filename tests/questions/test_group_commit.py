"""Group commit of the public form (server/questions/intake.py): many questions, one transaction, each
acknowledged only after that transaction committed; a refused commit fails every waiting question and
stores none of them. Runs on SQLite and PostgreSQL (the `app` fixture)."""

from __future__ import annotations

import asyncio
import errno
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from server.clock import FakeClock
from server.db.engine import ClockedSession
from server.db.session_scope import transaction
from server.errors import NotFound
from server.models import Event, JournalEntry, Message
from server.platforms.base import IncomingMessage
from server.questions.intake import FormIntake, NotStored

N = 24


class NoLimit:
    """A form limiter that lets every question through (this test posts many from one address)."""

    def allow(self, _client: str) -> bool:
        return True

    def admit(self, _client: str, _what: str) -> None:
        return None


async def _event(sessionmaker: Any, clock: FakeClock, slug: str, status: str = "live") -> int:
    async with transaction(sessionmaker) as session:
        row = Event(slug=slug, title=slug, hashtag=f"#{slug}", timezone="UTC", status=status,
                    planned_start=clock.now())
        session.add(row)
        await session.flush()
        return int(row.id)


def _message(clock: FakeClock, n: int, external_id: str | None = None) -> IncomingMessage:
    return IncomingMessage(platform="form", external_id=external_id or f"q{n}", author_handle=f"form:s{n}",
                           author_name="Guest", text=f"How long does step {n} of the surgery take?",
                           received_at=clock.now())


async def _stored(sessionmaker: Any, event_id: int) -> list[str]:
    async with sessionmaker() as session:
        query = select(Message.external_id).where(Message.event_id == event_id).order_by(Message.id)
        return list((await session.execute(query)).scalars())


@pytest.fixture
def refuse_commits() -> Iterator[list[BaseException]]:
    """While the list holds an error, every commit of the app's sessions raises it (nothing commits)."""
    errors: list[BaseException] = []

    def _refuse(_session: Session) -> None:
        if errors:
            raise errors[0]

    event.listen(ClockedSession, "before_commit", _refuse)
    try:
        yield errors
    finally:
        event.remove(ClockedSession, "before_commit", _refuse)


async def test_concurrent_questions_share_one_commit_each_stored_once(app: FastAPI, clock: FakeClock,
                                                                      sessionmaker: Any) -> None:
    live = await _event(sessionmaker, clock, "gc-live")
    await _event(sessionmaker, clock, "gc-ended", status="ended")
    intake: FormIntake = app.state.livecue.form_intake
    commits: list[int] = []

    def _count(_session: Session) -> None:
        commits.append(1)

    event.listen(ClockedSession, "after_commit", _count)
    acknowledged: list[int] = []  # how many commits had happened when each question was acknowledged

    async def ask(n: int, slug: str = "gc-live", external_id: str | None = None) -> None:
        await intake.submit(slug, _message(clock, n, external_id))
        acknowledged.append(len(commits))

    try:
        before = intake.batches
        tasks = [asyncio.create_task(ask(n)) for n in range(N)]
        tasks += [asyncio.create_task(ask(n, external_id="s-resent")) for n in (N, N + 1)]
        refused = asyncio.create_task(ask(N + 2, slug="gc-ended"))
        await asyncio.gather(*tasks)
        with pytest.raises(NotFound):
            await refused
    finally:
        event.remove(ClockedSession, "after_commit", _count)
    assert intake.batches - before == 1  # all were waiting when the writer woke: one transaction
    assert len(acknowledged) == N + 2 and min(acknowledged) >= 1  # none answered before its commit
    stored = await _stored(sessionmaker, live)
    assert sorted(stored) == sorted([f"q{n}" for n in range(N)] + ["s-resent"])  # each once, the resent once
    async with sessionmaker() as session:
        journaled = (await session.execute(select(func.count()).select_from(JournalEntry).where(
            JournalEntry.kind == "questions.ingested", JournalEntry.event_id == live))).scalar_one()
    assert journaled == 1  # the journal entry is batched with the rows


async def test_a_refused_commit_fails_every_waiting_question_and_stores_none(
        app: FastAPI, clock: FakeClock, sessionmaker: Any, refuse_commits: list[BaseException]) -> None:
    live = await _event(sessionmaker, clock, "gc-fail")
    intake: FormIntake = app.state.livecue.form_intake
    refuse_commits.append(OperationalError("COMMIT", {}, Exception("disk I/O error")))
    results = await asyncio.gather(*(intake.submit("gc-fail", _message(clock, n)) for n in range(N)),
                                   return_exceptions=True)
    assert all(isinstance(r, NotStored) and "not stored" in r.detail for r in results), results
    assert await _stored(sessionmaker, live) == []

    refuse_commits[0] = OperationalError("COMMIT", {}, Exception("database or disk is full"))
    with pytest.raises(OSError) as full:  # the app answers it with the usual storage-full 503 and log line
        await intake.submit("gc-fail", _message(clock, 99))
    assert full.value.errno == errno.ENOSPC

    refuse_commits.clear()  # the writer survives a failed batch: the next question is stored
    await intake.submit("gc-fail", _message(clock, 100))
    assert await _stored(sessionmaker, live) == ["q100"]


async def test_the_form_answers_503_naming_the_failure_when_its_batch_fails(
        app: FastAPI, client: AsyncClient, clock: FakeClock, sessionmaker: Any,
        refuse_commits: list[BaseException]) -> None:
    live = await _event(sessionmaker, clock, "gc-http")
    app.state.livecue.form_limiter = NoLimit()
    url = "/api/public/events/gc-http/questions"
    refuse_commits.append(OperationalError("COMMIT", {}, Exception("disk I/O error")))
    answers = await asyncio.gather(*(client.post(url, json={"text": f"Is step {n} safe?"}) for n in range(8)))
    assert {a.status_code for a in answers} == {503}
    assert answers[0].json()["error"] == "NotStored" and "send it again" in answers[0].json()["detail"]
    assert await _stored(sessionmaker, live) == []
    refuse_commits[0] = OperationalError("COMMIT", {}, Exception("database or disk is full"))
    full = await client.post(url, json={"text": "Is it safe?"})
    assert full.status_code == 503 and full.json()["error"] == "StorageFull"
    refuse_commits.clear()
    answers = await asyncio.gather(*(client.post(url, json={"text": f"Is step {n} safe?"}) for n in range(8)))
    assert {a.status_code for a in answers} == {202}
    assert len(await _stored(sessionmaker, live)) == 8
    assert (await client.post("/api/public/events/nope/questions", json={"text": "hi?"})).status_code == 404


async def test_stopping_commits_what_waits_and_refuses_new_questions(app: FastAPI, clock: FakeClock,
                                                                    sessionmaker: Any) -> None:
    live = await _event(sessionmaker, clock, "gc-stop")
    intake = FormIntake(app.state.livecue.sessionmaker)
    waiting = [asyncio.create_task(intake.submit("gc-stop", _message(clock, n))) for n in range(5)]
    await asyncio.sleep(0)  # the questions are queued
    await intake.stop()
    await asyncio.gather(*waiting)  # committed, then acknowledged
    assert len(await _stored(sessionmaker, live)) == 5
    with pytest.raises(NotStored):
        await intake.submit("gc-stop", _message(clock, 9))
