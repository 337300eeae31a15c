"""One clock: nothing in server/ reads the machine's clock but server/clock.py, and rows follow the app's clock.

The suite once went red when the calendar passed the fake clock's start date: deliveries were stamped with the
wall clock and compared with the injected one. These tests keep a second clock from creeping back in.
"""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

from httpx import AsyncClient
from sqlalchemy import select, update

from server.clock import FakeClock
from server.models import Event, User
from tests.factories import create_event, create_user, login

SERVER = Path(__file__).resolve().parents[1] / "server"
WALL_CLOCK = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"),
              ("time", "time"), ("time", "time_ns")}


def _wall_clock_uses(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and (node.value.id, node.attr) in WALL_CLOCK):
            found.append(f"{path}:{node.lineno}: {node.value.id}.{node.attr}")
        if isinstance(node, ast.ImportFrom) and node.module == "time":
            names = {alias.name for alias in node.names}
            if names & {"time", "time_ns"}:
                found.append(f"{path}:{node.lineno}: from time import time")
    return found


def test_no_wall_clock_outside_server_clock() -> None:
    uses = [use for path in sorted(SERVER.rglob("*.py")) if path.name != "clock.py" or path.parent != SERVER
            for use in _wall_clock_uses(path)]
    assert uses == [], "read time from the injected clock (server/clock.py), not the machine:\n" + "\n".join(uses)


def test_the_scan_would_catch_a_wall_clock_call(tmp_path: Path) -> None:
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text("from datetime import datetime, UTC\nstamp = datetime.now(UTC)\nimport time\nt = time.time()\n")
    assert len(_wall_clock_uses(sneaky)) == 2


async def test_rows_are_stamped_by_the_apps_clock_even_years_away(client: AsyncClient, sessionmaker: object,
                                                                 clock: FakeClock) -> None:
    long_ago = datetime(2019, 3, 4, 5, 6, 7, tzinfo=UTC)
    clock.set(long_ago)
    admin = await create_user(sessionmaker, "admin", "comms")  # type: ignore[arg-type]
    assert admin.created_at == long_ago
    event = await create_event(client, await login(client, admin))

    clock.advance(hours=3)
    async with sessionmaker() as session:  # type: ignore[operator]
        # A Core UPDATE (no ORM flush) still takes `onupdate` from the session's clock.
        await session.execute(update(Event).where(Event.id == event["id"]).values(title="Renamed"))
        await session.commit()
        row = (await session.execute(select(Event).where(Event.id == event["id"]))).scalar_one()
        user = (await session.execute(select(User).where(User.id == admin.id))).scalar_one()
    assert row.created_at == long_ago
    assert row.updated_at == clock.now()
    assert user.created_at == long_ago
