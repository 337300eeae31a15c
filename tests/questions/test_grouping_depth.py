"""Grouping reads each bucket key only as deep as a question looks (issue 19: ingest cost flat with the store).

`place` compares a question with the first `per_key(keys)` rows of each of its keys; `load` used to read
CANDIDATES rows of every key, so once buckets filled, a batch read and joined ~6x the rows it used and the
ingest cost grew with the store. Counted (rows loaded), never timed; the groups must not change.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI

from server.db.session_scope import transaction
from server.models import Event
from server.platforms.base import IncomingMessage
from server.questions import grouping_db, ingest
from server.questions.grouping_db import CANDIDATES, BatchGrouper, keys_of, per_key, rows_needed

TOPICS = "aspirin statin valve drain".split()


def _texts(count: int, offset: int = 0) -> list[str]:
    """Questions of three core words (four bucket keys each, so `per_key` is 12), few keys shared by many."""
    return [f"Does the {TOPICS[n % 4]} affect the {TOPICS[(n + 1 + offset % 3) % 4]}?" for n in range(count)]


def test_rows_needed_is_the_deepest_look_of_any_question_at_each_key() -> None:
    assert rows_needed([["a", "b"], ["a"], []]) == {"a": per_key(["a"]), "b": per_key(["a", "b"])}
    assert rows_needed([]) == {}


async def test_a_batch_reads_no_deeper_than_it_looks_and_groups_the_same(app: FastAPI, monkeypatch: Any) -> None:
    maker = app.state.livecue.sessionmaker
    now = datetime.now(UTC)
    async with transaction(maker) as session:
        event = Event(slug="depth", title="Depth", hashtag="#d", timezone="UTC", status="live", planned_start=now)
        session.add(event)
    loaded: list[bool] = []

    class Recording(BatchGrouper):
        async def load(self, session: Any, keys: Any) -> None:
            await super().load(session, keys)  # ingest names each key's depth; a plain set read CANDIDATES of each
            loaded.append(isinstance(keys, Mapping) and all(len(self.candidates[k]) <= keys[k] for k in keys))

    monkeypatch.setattr(ingest, "BatchGrouper", Recording)
    for batch in range(6):  # fills the buckets well past CANDIDATES rows a key
        page = [IncomingMessage(platform="sandbox", external_id=f"b{batch}-{n}", author_handle=f"fan{n}",
                                author_name="Fan", text=text, received_at=now)
                for n, text in enumerate(_texts(50, batch))]
        async with transaction(maker) as session:
            await ingest.ingest(session, event=await session.get(Event, event.id), messages=page)
    assert len(loaded) == 6 and all(loaded)
    probe = _texts(50, 99)
    wanted = rows_needed(keys_of(t, "question") for t in probe)
    async with transaction(maker) as session:
        deep, shallow = BatchGrouper(event.id), BatchGrouper(event.id)
        await deep.load(session, set(wanted))  # every key CANDIDATES deep, as before
        await shallow.load(session, wanted)
    assert all(len(shallow.candidates[k]) <= wanted[k] for k in wanted)
    assert sum(map(len, deep.candidates.values())) > 2 * sum(map(len, shallow.candidates.values()))
    assert probe and max(wanted.values()) < CANDIDATES
    for text in probe:
        keys = keys_of(text, "question")
        assert deep.place(text=text, label="question", keys=keys, received_at=now, rehearsal=False) == \
            shallow.place(text=text, label="question", keys=keys, received_at=now, rehearsal=False)
    assert grouping_db.CANDIDATES == CANDIDATES
