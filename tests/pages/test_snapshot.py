"""The first-load snapshot (GET /api/events/{id}/snapshot): every part as its own endpoint gives it, for the roles
those endpoints admit; the journal's newest entries the caller may read and where the live feed resumes."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import event as sa_event

from server.clock import FakeClock
from server.db.session_scope import transaction
from server.journal import service as journal
from tests.factories import create_item, create_user, login
from tests.livekit import prepare

PARTS = {"me": "/api/auth/me", "events": "/api/events", "event": "/api/events/{id}", "live": "/api/events/{id}/live",
         "items": "/api/events/{id}/items", "deliveries": "/api/events/{id}/deliveries",
         "question_summary": "/api/events/{id}/questions/summary", "questions": "/api/events/{id}/questions",
         "authorizations": "/api/events/{id}/authorizations", "staff": "/api/events/{id}/staff"}


async def test_snapshot_is_what_the_endpoints_give(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                   sessionmaker: Any) -> None:
    kit = await prepare(client, app, clock, sessionmaker, offsets=["T+00:00", "T+00:10"])
    eid = kit.event["id"]
    assert (await kit.post(f"/api/events/{eid}/live/go")).status_code == 200
    await kit.pump()
    for headers in (kit.comms, kit.clinical):
        snap = await client.get(f"/api/events/{eid}/snapshot", headers=headers)
        assert snap.status_code == 200, snap.text
        body = snap.json()
        for part, path in PARTS.items():
            alone = await client.get(path.format(id=eid), headers=headers)
            assert alone.status_code == 200, (part, alone.text)
            assert body[part] == alone.json(), part
        assert body["deliveries"] and len(body["items"]) == 3  # something went out; two posts and the holding one
        whole = (await client.get(f"/api/events/{eid}/journal?after=0&limit=1000", headers=headers)).json()
        assert body["journal"] == {**whole, "more": False}
        assert body["journal"]["last_seq"] > 0


async def test_snapshot_is_for_staff(client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any) -> None:
    kit = await prepare(client, app, clock, sessionmaker, offsets=["T+00:00"])
    url = f"/api/events/{kit.event['id']}/snapshot"
    assert (await client.get(url)).status_code == 401
    nobody = await login(client, await create_user(sessionmaker))
    assert (await client.get(url, headers=nobody)).status_code == 403
    assert (await client.get("/api/events/999999/snapshot", headers=kit.comms)).status_code == 404


async def test_journal_part_keeps_to_the_callers_entries(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                         sessionmaker: Any) -> None:
    """Clinicians do not see denylist entries; the newest entries are read from the end, skipping hidden ones."""
    kit = await prepare(client, app, clock, sessionmaker, offsets=["T+00:00"])
    eid = kit.event["id"]
    for headers, hidden in ((kit.comms, False), (kit.clinical, True)):
        kinds = [e["kind"] for e in (await client.get(f"/api/events/{eid}/snapshot", headers=headers)).json()[
            "journal"]["entries"]]
        assert ("denylist.replaced" not in kinds) is hidden and "event.created" in kinds
    async with transaction(sessionmaker) as session:
        for kind in ("item.note", "denylist.replaced", "denylist.replaced", "denylist.replaced", "item.noted"):
            await journal.record(session, actor=None, kind=kind, subject_type="event", event_id=eid)  # type: ignore[arg-type]
    async with sessionmaker() as session:
        every = await journal.entries_after(session, event_id=eid, limit=1000)
        shown, last = await journal.newest_entries(session, event_id=eid, keep=2,
                                                   accept=lambda e: not e.kind.startswith("denylist."))
        assert last == every[-1].seq
        assert [e.kind for e in shown] == ["item.note", "item.noted"]  # read back past three hidden ones
        none, nothing = await journal.newest_entries(session, event_id=eid + 1000, keep=5, accept=lambda e: True)
        assert none == [] and nothing == 0


async def test_items_are_read_in_a_fixed_number_of_statements(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                              sessionmaker: Any) -> None:
    """Two queries for all the items' versions and decisions, not two per item (the console's list of 100)."""
    kit = await prepare(client, app, clock, sessionmaker, offsets=["T+00:00", "T+00:10"])
    eid = kit.event["id"]
    statements: list[str] = []

    def count(*_args: Any) -> None:
        statements.append("")

    async def statements_of(path: str) -> int:
        """The fewer of two reads (the app's journal tail may read in between)."""
        found = []
        for _ in range(2):
            statements.clear()
            response = await client.get(path, headers=kit.comms)
            assert response.status_code == 200, response.text
            found.append(len(statements))
        return min(found)

    engine = app.state.livecue.engine.sync_engine
    sa_event.listen(engine, "before_cursor_execute", count)
    try:
        counts = []
        for n in range(4):
            await create_item(client, kit.author, eid, key=f"more-{n}", offset=f"T+01:{n:02d}", caption=f"More {n}.")
            counts += [await statements_of(f"/api/events/{eid}/items"),
                       await statements_of(f"/api/events/{eid}/snapshot")]
    finally:
        sa_event.remove(engine, "before_cursor_execute", count)
    for series in (counts[0::2], counts[1::2]):  # before: two statements more per item, +6 from first to last
        assert series[-1] <= series[0] + 1, counts
