"""Find the local PostgreSQL that peers with a database (the Bluesky AppView) use in tests."""

from __future__ import annotations

import asyncio
import getpass
import os
from concurrent.futures import ThreadPoolExecutor

import asyncpg


class PostgresUnavailable(RuntimeError):
    """No usable PostgreSQL at the expected address."""


async def _probe(url: str) -> None:
    conn = await asyncpg.connect(url, timeout=5)
    try:
        await conn.fetchval("SELECT 1")
    finally:
        await conn.close()


def _can_connect(url: str) -> str | None:
    try:
        asyncio.run(_probe(url))
    except Exception as exc:  # any failure means "not this one"
        return f"{type(exc).__name__}: {exc}"
    return None


def find_postgres_url() -> str:
    """Return `$LIVECUE_PG_URL` or `$LIVECUE_TEST_DATABASE_URL`, else the first of
    root/postgres/<user>@127.0.0.1:5432/test that connects."""
    explicit = os.environ.get("LIVECUE_PG_URL") or os.environ.get("LIVECUE_TEST_DATABASE_URL")
    if explicit:
        return explicit
    users = dict.fromkeys(["root", "postgres", getpass.getuser()])
    errors = []
    with ThreadPoolExecutor(max_workers=1) as pool:  # own thread: safe under a running event loop
        for user in users:
            url = f"postgresql://{user}@127.0.0.1:5432/test"
            error = pool.submit(_can_connect, url).result()
            if error is None:
                return url
            errors.append(f"{user}: {error}")
    raise PostgresUnavailable("no PostgreSQL at 127.0.0.1:5432/test (trust auth): " + "; ".join(errors))
