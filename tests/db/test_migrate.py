"""Start-up migrations: nothing of Alembic's runs (or loads) when the schema is already at head (issue 19)."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from server.config import Settings
from server.db import migrate
from server.db.engine import make_engine


def test_heads_read_from_the_files_are_alembics_heads() -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config())
    assert migrate.head_revisions() == frozenset(script.get_heads())


def test_heads_of_a_branching_history(tmp_path: Path) -> None:
    for name, rev, down in [("a", "0001", "None"), ("b", "0002", "'0001'"), ("c", "0003", "'0001'"),
                            ("d", "0004", "('0002', '0003')"), ("e", "0005", "'0004'"), ("f", "0006", "'0004'")]:
        (tmp_path / f"{name}.py").write_text(f"revision = '{rev}'\ndown_revision: str | None = {down}\n")
    assert migrate.head_revisions(tmp_path) == {"0005", "0006"}


async def test_a_database_at_head_is_left_alone(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(connection: object, revision: str) -> None:
        raise AssertionError("Alembic ran on a database already at head")

    monkeypatch.setattr(migrate, "_upgrade", refuse)
    engine = make_engine(settings)
    try:
        assert await migrate.at_head(engine)
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()


async def test_a_new_or_older_database_is_migrated(tmp_path: Path) -> None:
    engine = make_engine(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'new.db'}", data_dir=tmp_path))
    try:
        assert not await migrate.at_head(engine)  # no alembic_version table yet
        await migrate.upgrade(engine, "0004")
        assert not await migrate.at_head(engine)
        await migrate.upgrade(engine)
        assert await migrate.at_head(engine)
        assert await migrate.current_revision(engine) in migrate.head_revisions()
    finally:
        await engine.dispose()
