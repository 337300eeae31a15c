"""The migrations build exactly the tables the models describe (a model change without a new revision fails)."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from server.config import Settings
from server.db.base import Base
from server.db.engine import make_engine


async def test_migrated_schema_matches_the_models(settings: Settings) -> None:
    import server.models  # noqa: F401  (registers every table on Base.metadata)

    engine = make_engine(settings)

    def differences(connection: Any) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    try:
        async with engine.connect() as connection:
            diff = await connection.run_sync(differences)
    finally:
        await engine.dispose()
    assert diff == [], "the models differ from the migrated schema: add an Alembic revision\n" + "\n".join(
        map(str, diff))
