"""Everything Livecue writes in its data directory is the owner's alone: the directory 0700, the SQLite file and its
WAL/SHM, the secret key and the media 0600, whatever the umask (server/datadir.py)."""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from server.config import Settings
from server.datadir import private_sqlite
from server.db.engine import make_engine
from server.media.assets import media_store
from server.secret_key import settings_key


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that would make everything world-readable (0644 / 0755) if Livecue relied on it."""
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.mark.usefixtures("open_umask")
def test_data_directory_database_wal_key_and_media_are_owner_only(tmp_path: Path) -> None:
    data = tmp_path / "deep" / "livecue-data"
    settings = Settings(data_dir=data, database_url=None, secret_key=None, _env_file=None)

    async def _write() -> None:
        engine = make_engine(settings)
        try:
            async with engine.begin() as conn:
                await conn.execute(text("CREATE TABLE t (x INTEGER)"))
                await conn.execute(text("INSERT INTO t VALUES (1)"))
            db = data / "livecue.db"
            for path in (db, db.with_name("livecue.db-wal"), db.with_name("livecue.db-shm")):
                assert path.exists(), path
                assert _mode(path) == 0o600, (path, oct(_mode(path)))
        finally:
            await engine.dispose()

    asyncio.run(_write())
    assert _mode(data) == 0o700
    settings_key(settings)
    assert _mode(data / "secret.key") == 0o600
    store = media_store(data)
    sha = store.put(b"not really a photo")
    path = store.path(sha)
    assert _mode(path) == 0o600
    for folder in (data / "media", path.parent.parent, path.parent):
        assert _mode(folder) == 0o700, folder


@pytest.mark.usefixtures("open_umask")
def test_a_world_readable_database_from_before_is_tightened(tmp_path: Path) -> None:
    db = tmp_path / "livecue.db"
    for path in (db, tmp_path / "livecue.db-wal"):
        path.write_bytes(b"")
        os.chmod(path, 0o644)
    private_sqlite(db)
    assert _mode(db) == 0o600
    assert _mode(tmp_path / "livecue.db-wal") == 0o600
