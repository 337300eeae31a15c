"""Shared fixtures: every database test runs on SQLite and, when reachable, on PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from server.app import create_app
from server.clock import FakeClock
from server.config import Settings
from server.db.engine import make_engine, make_sessionmaker
from server.db.migrate import upgrade
from tests.dbutil import (
    PG_HOST,
    PG_PORT,
    PG_WHERE,
    create_pg_database,
    drop_pg_database,
    pg_database_url,
    reset_pg_tables,
)


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing() -> Iterator[None]:
    """Cheap argon2 parameters in tests (production keeps the library's defaults)."""
    from argon2 import PasswordHasher

    from server.auth import passwords

    original = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    yield
    passwords._hasher = original


def _postgres_reachable() -> bool:
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=1):
            return True
    except OSError:
        return False


def _backends() -> list[str]:
    wanted = os.environ.get("LIVECUE_TEST_DATABASES", "sqlite,postgresql").split(",")
    backends = [b for b in wanted if b == "sqlite"]
    if "postgresql" in wanted:
        if _postgres_reachable():
            backends.append("postgresql")
        elif os.environ.get("CI"):
            raise RuntimeError(f"CI=true but PostgreSQL is not reachable at {PG_WHERE}")
    return backends


BACKENDS = _backends()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    settings = Settings(database_url=f"sqlite+aiosqlite:///{path}", data_dir=path.parent)

    async def _migrate() -> None:
        engine = make_engine(settings)
        await upgrade(engine)
        await engine.dispose()

    asyncio.run(_migrate())
    return path


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A migrated PostgreSQL database of this test run, dropped at the end."""
    name = f"livecue_test_{uuid.uuid4().hex[:10]}"
    asyncio.run(create_pg_database(name))
    url = pg_database_url(name)

    async def _migrate() -> None:
        engine = make_engine(Settings(database_url=url))
        await upgrade(engine)
        await engine.dispose()

    asyncio.run(_migrate())
    yield url
    asyncio.run(drop_pg_database(name))


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database for one test."""
    if request.param == "sqlite":
        path = tmp_path / "livecue.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite+aiosqlite:///{path}"
    else:
        url = request.getfixturevalue("pg_url")
        asyncio.run(reset_pg_tables(url))
        yield url


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Extra settings for one test's app: `@pytest.mark.parametrize("settings_overrides", [{"min_approvals": 1}])`."""
    return {}


@pytest.fixture
def settings(database_url: str, tmp_path: Path, settings_overrides: dict[str, Any]) -> Settings:
    """Settings for a test app on the test database.

    The pre-flight checklist is not required here (tests of other features go live with a bare event);
    tests/live/test_preflight.py turns it on with `settings_overrides`.
    """
    overrides = {"preflight_required": False, **settings_overrides}
    return Settings(database_url=database_url, data_dir=tmp_path, migrate_on_start=False, run_workers=False,
                    _env_file=None, **overrides)


@pytest.fixture
def clock() -> FakeClock:
    """A controllable clock, the app's notion of now."""
    return FakeClock()


@pytest.fixture
async def app(settings: Settings, clock: FakeClock) -> AsyncIterator[FastAPI]:
    """A started app (lifespan run) with background loops off: tests drive them."""
    application = create_app(settings, clock=clock)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    """An HTTP client talking to the app in-process."""
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver") as http:
        yield http


@pytest.fixture
async def session(app: FastAPI) -> AsyncIterator[AsyncSession]:
    """A session on the app's database; commit explicitly in tests that need it."""
    async with app.state.livecue.sessionmaker() as db:
        yield db


@pytest.fixture
def sessionmaker(app: FastAPI):  # type: ignore[no-untyped-def]
    """The app's session factory."""
    return app.state.livecue.sessionmaker


@pytest.fixture
def shared_dir() -> Path:
    """The shared/ folder beside the repository (contracts, docs)."""
    return Path(os.environ.get("LIVECUE_SHARED_DIR", Path(__file__).resolve().parents[1].parent / "shared"))


_ = make_sessionmaker
