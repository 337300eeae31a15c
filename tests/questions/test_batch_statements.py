"""Statements per form batch (issue 19): a batch of the public form costs a fixed handful of statements, not
one per question, and its multi-row inserts still give each message the right group. Counting statements is
the machine-independent measure of bench/form_bench.py's per-batch cost. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import event, select
from sqlalchemy.engine import Connection

from server.clock import FakeClock
from server.db.engine import READ_ONLY
from server.db.session_scope import transaction
from server.models import Event, Message, QuestionGroup
from server.platforms.base import IncomingMessage
from server.questions.intake import FormIntake

MAX_STATEMENTS = 10  # per batch, whatever its size (BEGIN and COMMIT not counted)


@pytest.fixture
def statements(app: FastAPI) -> Iterator[list[str]]:
    """The statements written through the app's engine (the feed's read-only sessions left out)."""
    seen: list[str] = []
    engine = app.state.livecue.sessionmaker.kw["bind"].sync_engine

    def _count(conn: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
        if not conn.get_execution_options().get(READ_ONLY) and not statement.startswith("BEGIN"):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", _count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", _count)


async def _event(sessionmaker: Any, clock: FakeClock, slug: str) -> int:
    async with transaction(sessionmaker) as session:
        row = Event(slug=slug, title=slug, hashtag=f"#{slug}", timezone="UTC", status="live",
                    planned_start=clock.now())
        session.add(row)
        await session.flush()
        return int(row.id)


def _message(clock: FakeClock, n: int, text: str, sender: str | None = None) -> IncomingMessage:
    return IncomingMessage(platform="form", external_id=f"m{n}", author_handle=sender or f"form:s{n}",
                           author_name="Guest", text=text, received_at=clock.now())


async def _batch(intake: FormIntake, slug: str, messages: list[IncomingMessage]) -> None:
    before = intake.batches
    await asyncio.gather(*(intake.submit(slug, m) for m in messages))
    assert intake.batches - before == 1


async def test_a_batch_costs_the_same_few_statements_whatever_its_size(app: FastAPI, clock: FakeClock,
                                                                       sessionmaker: Any,
                                                                       statements: list[str]) -> None:
    await _event(sessionmaker, clock, "st")
    intake: FormIntake = app.state.livecue.form_intake
    await _batch(intake, "st", [_message(clock, 0, "How long does the warm-up take?")])
    statements.clear()
    await _batch(intake, "st", [_message(clock, 1, "How long does the surgery 1 take?")])
    one = len(statements)
    statements.clear()
    await _batch(intake, "st", [_message(clock, n, f"Why is anaesthesia number {n} needed for the {n} kidney?")
                                for n in range(2, 18)])
    assert len(statements) <= MAX_STATEMENTS, statements
    assert len(statements) <= one + 1, statements  # + at most the size increments of joined groups


async def test_each_message_of_a_batch_gets_its_own_group_or_the_one_it_joined(app: FastAPI, clock: FakeClock,
                                                                              sessionmaker: Any) -> None:
    event_id = await _event(sessionmaker, clock, "gr")
    intake: FormIntake = app.state.livecue.form_intake
    same = "Buy cheap followers now at example dot com"  # not a question: every copy is a group of its own
    messages = [_message(clock, n, same) for n in range(4)]
    messages += [_message(clock, 10 + n, "How long does the bypass surgery take?") for n in range(3)]
    messages += [_message(clock, 20, "What are the risks of the heart valve operation?")]
    clock.advance(5)
    messages.append(_message(clock, 21, same))  # same text, later: its own group, asked later
    await _batch(intake, "gr", messages)
    async with sessionmaker() as session:
        rows = (await session.execute(select(Message.external_id, Message.group_id, Message.text, Message.label,
                                             Message.received_at).where(Message.event_id == event_id))).all()
        groups = {g.id: g for g in (await session.execute(
            select(QuestionGroup).where(QuestionGroup.event_id == event_id))).scalars()}
    by_id = {r.external_id: r for r in rows}
    members: dict[int, list[str]] = {}
    for row in rows:
        members.setdefault(row.group_id, []).append(row.external_id)
        group = groups[row.group_id]
        assert (group.text, group.label) == (row.text, row.label) or group.label == "question", row
    for group_id, ids in members.items():
        assert groups[group_id].size == len(ids)
        assert groups[group_id].last_asked_at == max(by_id[i].received_at for i in ids)
    assert len({by_id[f"m{n}"].group_id for n in (0, 1, 2, 3, 21)}) == 5
    assert by_id["m10"].group_id == by_id["m11"].group_id == by_id["m12"].group_id != by_id["m20"].group_id


async def test_questions_arriving_over_the_next_turns_of_the_loop_share_the_batch(app: FastAPI, clock: FakeClock,
                                                                                   sessionmaker: Any) -> None:
    await _event(sessionmaker, clock, "turns")
    intake: FormIntake = app.state.livecue.form_intake

    async def later(n: int) -> None:
        for _ in range(n):  # a request whose body is read a few turns of the event loop after the first
            await asyncio.sleep(0)
        await intake.submit("turns", _message(clock, n, f"How long does step {n} take?"))

    before = intake.batches
    await asyncio.gather(*(later(n) for n in range(8)))
    assert intake.batches - before == 1  # the writer waited while the queue grew, not one batch per arrival
