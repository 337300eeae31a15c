"""PostgreSQL helpers for the test suite: a private database per run, emptied between tests."""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import asyncpg

# The PostgreSQL the suite uses: a role that may create databases (trust auth by default) and a database `test`
# to connect to while it creates a private database per run. Setting: LIVECUE_TEST_DATABASE_URL.
DEFAULT_TEST_DATABASE_URL = "postgresql://root@127.0.0.1:5432/test"
ADMIN_DSN = os.environ.get("LIVECUE_TEST_DATABASE_URL", "").strip() or DEFAULT_TEST_DATABASE_URL
_ADMIN = urlsplit(ADMIN_DSN.replace("postgresql+asyncpg://", "postgresql://"))
PG_HOST, PG_PORT = _ADMIN.hostname or "127.0.0.1", _ADMIN.port or 5432
PG_WHERE = f"{PG_HOST}:{PG_PORT} (LIVECUE_TEST_DATABASE_URL)"


def pg_database_url(name: str) -> str:
    """The SQLAlchemy (asyncpg) URL of database `name` on the test server, with the test role."""
    return urlunsplit(_ADMIN._replace(scheme="postgresql+asyncpg", path=f"/{name}"))


async def create_pg_database(name: str) -> None:
    """Create an empty database."""
    conn = await asyncpg.connect(ADMIN_DSN)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def drop_pg_database(name: str) -> None:
    """Drop a test database, disconnecting leftovers."""
    conn = await asyncpg.connect(ADMIN_DSN)
    try:
        await conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            name,
        )
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
    finally:
        await conn.close()


async def reset_pg_tables(url: str) -> None:
    """Empty every table except the migration marker, and reset the journal head."""
    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
        )
        names = ", ".join(f'"{r["tablename"]}"' for r in rows)
        if names:
            await conn.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        await conn.execute("INSERT INTO journal_head (id, last_seq) VALUES (1, 0)")
    finally:
        await conn.close()
