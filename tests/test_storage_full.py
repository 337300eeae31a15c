"""A full disk is a clear 503 (`StorageFull`, nothing saved) with one log line, never a 500; see also the
process-level drill `tests.chaos.diskfull`."""

from __future__ import annotations

import errno
import io
import logging
import os
import shutil
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from PIL import Image
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from server.app import create_app
from server.config import Settings
from server.db import diskfull
from server.db.diskfull import storage_full
from server.errors import STORAGE_FULL_DETAIL
from server.media.store import MediaStore
from tests.factories import create_user, event_payload, login

BODY = {"error": "StorageFull", "detail": STORAGE_FULL_DETAIL}


def real_sqlite_full(tmp_path: Path) -> OperationalError:
    """A real SQLITE_FULL from the driver, wrapped by SQLAlchemy (the database may not grow past one page)."""
    engine = create_engine(f"sqlite:///{tmp_path / 'full.db'}")
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (b BLOB)"))
        with engine.begin() as conn:
            conn.execute(text("PRAGMA max_page_count = 2"))
            conn.execute(text("INSERT INTO t VALUES (randomblob(100000))"))
    except OperationalError as exc:
        return exc
    finally:
        engine.dispose()
    raise AssertionError("SQLite did not report a full database")


class PgDiskFull(Exception):
    """Stands in for asyncpg's DiskFullError as SQLAlchemy's asyncpg adapter exposes it."""

    sqlstate = "53100"


def test_storage_full_recognises_every_backend(tmp_path: Path) -> None:
    sqlite_full = real_sqlite_full(tmp_path)
    assert isinstance(sqlite_full.orig, sqlite3.OperationalError)
    assert sqlite_full.orig.sqlite_errorcode == diskfull.SQLITE_FULL
    assert storage_full(sqlite_full)
    assert storage_full(OperationalError("COMMIT", None, PgDiskFull("could not extend file")))
    wrapped = RuntimeError("commit failed")
    wrapped.__cause__ = OSError(errno.ENOSPC, "No space left on device")
    assert storage_full(wrapped)
    assert storage_full(OSError(errno.EDQUOT, "Disk quota exceeded"))


def test_other_errors_are_not_storage_full() -> None:
    assert not storage_full(OSError(errno.EACCES, "Permission denied"))
    assert not storage_full(OperationalError("INSERT", None, sqlite3.OperationalError("database is locked")))
    assert not storage_full(ValueError("database or disk"))
    unrelated = IntegrityError("INSERT INTO message (text) VALUES (?)", ("database or disk is full",),
                               sqlite3.IntegrityError("UNIQUE constraint failed: message.external_id"))
    assert not storage_full(unrelated)  # the audience's text never makes an error look like a full disk


def test_an_sqlite_io_error_counts_only_when_the_disk_is_nearly_full(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    io_error = OperationalError("COMMIT", None, sqlite3.OperationalError("disk I/O error"))
    assert not storage_full(io_error, tmp_path)  # a real I/O error with plenty of space stays a 500
    assert not storage_full(io_error, None)
    monkeypatch.setattr(os, "statvfs", lambda _path: SimpleNamespace(f_bavail=3, f_frsize=4096))
    assert storage_full(io_error, tmp_path)


@pytest.fixture
def storage_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Captured `livecue.errors` records."""
    with caplog.at_level(logging.ERROR, logger="livecue.errors"):
        yield caplog


def _one_clear_line(caplog: pytest.LogCaptureFixture, path: str) -> None:
    records = [r for r in caplog.records if r.name == "livecue.errors"]
    assert len(records) == 1, [r.getMessage() for r in records]
    assert records[0].getMessage().startswith(f"storage full: POST {path} was refused and nothing was saved")
    assert records[0].exc_info is None and "\n" not in records[0].getMessage()


@pytest.fixture
async def sqlite_app(sqlite_template: Path, tmp_path: Path) -> AsyncIterator[FastAPI]:
    """A started app on a SQLite copy of the template, whatever backends the other tests use."""
    shutil.copy(sqlite_template, tmp_path / "livecue.db")
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'livecue.db'}", data_dir=tmp_path,
                        migrate_on_start=False, run_workers=False, _env_file=None)
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


async def test_a_full_sqlite_database_is_a_503_and_writes_resume_after(
        sqlite_app: FastAPI, storage_log: pytest.LogCaptureFixture) -> None:
    engine = sqlite_app.state.livecue.engine

    def cap(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA max_page_count = 1")  # SQLite keeps the current size: the file may not grow
        cursor.close()

    async with AsyncClient(transport=ASGITransport(app=sqlite_app), base_url="http://testserver") as client:
        headers = await login(client, await create_user(sqlite_app.state.livecue.sessionmaker, "comms"))
        event.listen(engine.sync_engine, "connect", cap)
        await engine.dispose()
        try:
            for _ in range(200):  # until a write needs a new page
                response = await client.post("/api/events", json=event_payload(title="x" * 200), headers=headers)
                if response.status_code != 201:
                    break
        finally:
            event.remove(engine.sync_engine, "connect", cap)
            await engine.dispose()
        assert response.status_code == 503, response.text
        assert response.json() == BODY
        assert response.headers["x-content-type-options"] == "nosniff"
        _one_clear_line(storage_log, "/api/events")
        assert (await client.post("/api/events", json=event_payload(), headers=headers)).status_code == 201


@pytest.mark.parametrize("driver_error", [sqlite3.OperationalError("database or disk is full"),
                                          PgDiskFull("could not extend file: No space left on device")],
                         ids=["SQLITE_FULL", "pg-disk_full"])
async def test_a_commit_refused_for_space_is_a_503(client: AsyncClient, sessionmaker: Any,
                                                   monkeypatch: pytest.MonkeyPatch, driver_error: Exception,
                                                   storage_log: pytest.LogCaptureFixture) -> None:
    headers = await login(client, await create_user(sessionmaker, "comms"))
    before = len((await client.get("/api/events", headers=headers)).json())

    async def refuse(_self: AsyncSession) -> None:
        raise OperationalError("COMMIT", None, driver_error)

    monkeypatch.setattr(AsyncSession, "commit", refuse)
    response = await client.post("/api/events", json=event_payload(), headers=headers)
    monkeypatch.undo()
    assert response.status_code == 503 and response.json() == BODY
    _one_clear_line(storage_log, "/api/events")
    assert len((await client.get("/api/events", headers=headers)).json()) == before  # nothing was saved


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 90, 150)).save(buffer, format="PNG")
    return buffer.getvalue()


def _no_space(_fd: int) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


async def test_a_media_upload_onto_a_full_disk_is_a_503_leaving_no_partial_file(
        app: FastAPI, client: AsyncClient, sessionmaker: Any, monkeypatch: pytest.MonkeyPatch,
        storage_log: pytest.LogCaptureFixture) -> None:
    headers = await login(client, await create_user(sessionmaker, "comms"))
    media = Path(app.state.livecue.settings.data_dir) / "media"
    monkeypatch.setattr(os, "fsync", _no_space)  # the bytes are in the temporary file when the disk refuses
    response = await client.post("/api/media", files={"file": ("a.png", _png(), "image/png")}, headers=headers)
    monkeypatch.undo()
    assert response.status_code == 503 and response.json() == BODY
    _one_clear_line(storage_log, "/api/media")
    assert not [p for p in media.rglob("*") if p.is_file()]
    assert (await client.post("/api/media", files={"file": ("a.png", _png(), "image/png")},
                              headers=headers)).status_code == 201


def test_media_store_removes_its_temporary_file_on_enospc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = MediaStore(tmp_path)
    monkeypatch.setattr(os, "fsync", _no_space)
    with pytest.raises(OSError) as raised:
        store.put(b"x" * 10_000)
    assert raised.value.errno == errno.ENOSPC
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]
