"""SQLite connections get a page cache sized for a large store (issue 19: ingest cost flat with the store)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from server.config import Settings
from server.db.engine import SQLITE_CACHE_KIB, make_engine


async def test_every_sqlite_connection_has_the_larger_page_cache(tmp_path: Path) -> None:
    engine = make_engine(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'c.db'}", data_dir=tmp_path))
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("PRAGMA cache_size"))).scalar_one() == -SQLITE_CACHE_KIB
    finally:
        await engine.dispose()
    assert SQLITE_CACHE_KIB >= 32_768
