"""Applying Alembic migrations, from the CLI or at startup.

Alembic (with Mako and Pygments behind it) costs a few hundred milliseconds of CPU to import, and every
server start used to pay it to learn that there was nothing to do. `upgrade` first compares the database's
`alembic_version` with the head revisions read from the migration files' own `revision =` /
`down_revision =` lines (one small query, no Alembic), and loads Alembic only when the schema is behind:
a restart after `kill -9` (issue 19) serves sooner. A schema never moves backwards, so the check needs no lock;
when it does find work, concurrent starters on PostgreSQL still take turns under the advisory lock and Alembic
checks again under it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
_ASSIGNMENT = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(.+)$", re.MULTILINE)
_QUOTED = re.compile(r"""['"]([^'"]+)['"]""")


def alembic_config(url: str | None = None) -> Config:
    """An Alembic config pointing at the packaged migrations."""
    from alembic.config import Config  # noqa: F811  Alembic loads only when there is migration work (module docstring)

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url:
        config.set_main_option("sqlalchemy.url", url)
    return config


def head_revisions(versions: Path = MIGRATIONS / "versions") -> frozenset[str]:
    """The revisions no other migration builds on, read from the files' `revision`/`down_revision` lines."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in versions.glob("*.py"):
        for name, value in _ASSIGNMENT.findall(path.read_text(encoding="utf-8")):
            found = set(_QUOTED.findall(value))
            (revisions if name == "revision" else parents).update(found)
    return frozenset(revisions - parents)


async def at_head(engine: AsyncEngine) -> bool:
    """True when the database's recorded revisions are exactly the migration files' heads (nothing to do)."""
    heads = head_revisions()
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalars().all()
    except DBAPIError:  # no alembic_version table yet: a new database
        return False
    return bool(heads) and frozenset(rows) == heads


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema up to `revision`; concurrent starters on PostgreSQL take turns."""
    if revision == "head" and await at_head(engine):
        return
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text("SELECT pg_advisory_xact_lock(72001)"))
        await conn.run_sync(_upgrade, revision)


def _upgrade(connection: Any, revision: str) -> None:
    from alembic import command  # Alembic loads only when there is migration work (module docstring)

    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


async def current_revision(engine: AsyncEngine) -> str | None:
    """The schema revision the database is at."""
    from alembic.runtime.migration import MigrationContext  # only the CLI asks

    async with engine.connect() as conn:
        return await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())
