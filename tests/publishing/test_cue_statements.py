"""The cue path in database statements (issue 19): from a cue's request to its platform request, on Mastodon with
the image uploaded ahead, counted with a `before_cursor_execute` listener. A count does not depend on the
machine's speed as a timing does, and each statement is a round trip to the database's thread (~0.3-1 ms on the
bench's machine with SQLAlchemy's ORM around it). The feed's journal readers, woken by the commit, run beside
the cue and are not counted."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import event

from server.clock import FakeClock
from server.publishing.dispatcher import Dispatcher
from tests.publishing.platform_kit import ACCOUNT, add_items, go_live, prepare_event, wire_platforms

# Statements, BEGIN left out (SQLite sends one per transaction, PostgreSQL's driver none that a listener sees).
# Before issue 19's cue work: 20 in the request before its commit (none after), 7 in the round before the request
# (and a token read in it with the Mastodon adapter's stored credentials, not used here).
REQUEST_BEFORE_COMMIT = 10
REQUEST_AFTER_COMMIT = 3  # the answer's reads, once the claim is handed over
ROUND_BEFORE_PUBLISH = 2  # one read: the delivery with everything its check needs, the files' uploads
# On SQLite the cue's transaction holds the write lock, so it reads those two itself, before its commit, and the
# round sends what it read when nothing else was committed since (`Dispatcher.claim_ahead`).
SQLITE_BEFORE_COMMIT = REQUEST_BEFORE_COMMIT + ROUND_BEFORE_PUBLISH


@contextmanager
def counting(app: FastAPI) -> Iterator[list[str]]:
    """Every statement the app's engine executes meanwhile (journal reads and BEGIN left out), and "COMMIT" marks."""
    statements: list[str] = []
    engine = app.state.livecue.engine.sync_engine

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.startswith(("SELECT journal_entry.", "BEGIN")):
            statements.append(" ".join(statement.split())[:100])

    def committed(_conn: Any) -> None:
        statements.append("COMMIT")

    event.listen(engine, "before_cursor_execute", note)
    event.listen(engine, "commit", committed)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", note)
        event.remove(engine, "commit", committed)


async def test_statements_from_the_cue_to_the_platform_request(client: AsyncClient, app: FastAPI,
                                                               clock: FakeClock, sessionmaker: Any) -> None:
    async with wire_platforms(app, clock, ["mastodon"]) as wired:
        kit = await prepare_event(client, app, clock, sessionmaker, ["mastodon"])
        items = await add_items(kit, 3)
        await go_live(kit)
        await kit.state.preuploader.run_once()
        dispatcher: Dispatcher = kit.state.dispatcher
        dispatcher.claims_ahead = True
        sqlite = app.state.livecue.engine.dialect.name == "sqlite"
        adapter = kit.state.registry.overrides[("mastodon", ACCOUNT)]
        publish = adapter.publish
        for item in items:
            with counting(app) as statements:
                async def noted(request: Any, seen: list[str] = statements) -> Any:
                    seen.append("PUBLISH")
                    return await publish(request)

                adapter.publish = noted  # type: ignore[method-assign]
                assert (await kit.post(f"/api/items/{item['id']}/post-now")).status_code == 200
                answered = len(statements)
                assert await dispatcher.run_once() == 1
            if os.environ.get("LIVECUE_SHOW_STATEMENTS"):
                print("", *statements, sep="\n")
            commit = statements.index("COMMIT")
            assert commit + 1 + REQUEST_AFTER_COMMIT + 1 == answered  # its reads, then the read's own COMMIT
            assert all(s.startswith(("BEGIN", "SELECT")) for s in statements[commit + 1:answered - 1])
            assert commit <= (SQLITE_BEFORE_COMMIT if sqlite else REQUEST_BEFORE_COMMIT)
            # On SQLite nothing is read again before the request (the answer's reads commit nothing).
            assert statements.index("PUBLISH") - answered <= (0 if sqlite else ROUND_BEFORE_PUBLISH)
        assert wired["mastodon"].publish_calls() == 3
