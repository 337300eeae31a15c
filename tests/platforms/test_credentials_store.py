"""The credential store behind every adapter: stored (rotated) tokens over the secrets file. A platform whose
token never rotates (Mastodon) is read from the database once (issue 19: a read before every request)."""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet
from fastapi import FastAPI
from sqlalchemy import event

from server.platforms.credentials import CredentialsConfig, DbCredentialStore


def counting_reads(app: FastAPI) -> tuple[list[str], Any]:
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "platform_token" in statement:
            seen.append(statement.split()[0])

    return seen, note


async def test_a_store_that_never_rotates_reads_once_and_follows_its_own_saves(app: FastAPI, sessionmaker: Any) -> None:
    config = CredentialsConfig(key=Fernet.generate_key(), accounts={"mastodon:hospital": {"access_token": "a"}})
    engine = app.state.livecue.engine.sync_engine
    seen, note = counting_reads(app)
    event.listen(engine, "before_cursor_execute", note)
    try:
        kept = DbCredentialStore(sessionmaker, config, "mastodon", "hospital", rotates=False)
        assert (await kept.load())["access_token"] == "a"
        assert (await kept.load())["access_token"] == "a"
        assert seen == ["SELECT"]  # once
        await kept.save({"access_token": "b"})
        assert (await kept.load())["access_token"] == "b"  # its own save, without reading again
        fresh = DbCredentialStore(sessionmaker, config, "mastodon", "hospital", rotates=False)
        assert (await fresh.load())["access_token"] == "b"  # and it was stored
        seen.clear()
        rotating = DbCredentialStore(sessionmaker, config, "x", "hospital")
        await rotating.load()
        await rotating.load()
        assert seen == ["SELECT", "SELECT"]  # X and Bluesky rotate theirs, maybe on another replica: every time
    finally:
        event.remove(engine, "before_cursor_execute", note)


async def test_the_copy_handed_out_cannot_change_what_is_kept(app: FastAPI, sessionmaker: Any) -> None:
    config = CredentialsConfig(key=Fernet.generate_key(), accounts={"mastodon:hospital": {"access_token": "a"}})
    store = DbCredentialStore(sessionmaker, config, "mastodon", "hospital", rotates=False)
    (await store.load())["access_token"] = "changed by a caller"
    assert (await store.load())["access_token"] == "a"
