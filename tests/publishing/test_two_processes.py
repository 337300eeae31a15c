"""Two Livecue server processes sharing one PostgreSQL database never send the same delivery.

Both run their dispatchers (`LIVECUE_RUN_WORKERS=true`); the sandbox adds latency so their sends overlap; cues
go to both processes at once. Every sandbox publish request is logged by the process that made it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.chaos.scenario import create_users, inspect, login, read_send_log, seed_event, wait_until_settled
from tests.chaos.servers import (
    ServerConfig,
    ServerProcess,
    create_pg_database,
    drop_pg_database,
    migrate,
    postgres_reachable,
)
from tests.dbutil import PG_WHERE

EVENTS, ITEMS = 3, 10


@pytest.fixture
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test, dropped afterwards."""
    if not postgres_reachable():
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but PostgreSQL is not reachable at {PG_WHERE}")
        pytest.skip(f"PostgreSQL is not reachable at {PG_WHERE} (and CI is not set)")
    url = create_pg_database("livecue_twoproc")
    yield url
    drop_pg_database(url)


def test_two_processes_never_send_the_same_delivery(pg_database: str, tmp_path: Path) -> None:
    migrate(pg_database, tmp_path / "data")
    users = create_users(pg_database, tmp_path / "data")
    config = ServerConfig(workdir=tmp_path, database_url=pg_database, latency_ms=150, lease_seconds=30)
    servers = [ServerProcess(config, "a"), ServerProcess(config, "b")]
    try:
        for server in servers:
            server.start()
        with httpx.Client(timeout=20) as http:
            headers = {role: login(http, servers[0].base_url, name) for role, name in users.items()}
            events = [seed_event(http, servers[0].base_url, headers, account=f"hospital-{k}", items=ITEMS,
                                 tag="ABC"[k]) for k in range(EVENTS)]
        cues = [(servers[n % 2].base_url, item_id) for n, item_id in
                enumerate(i for e in events for i in e.item_ids)]

        def post_now(target: tuple[str, int]) -> int:
            response = httpx.post(f"{target[0]}/api/items/{target[1]}/post-now", headers=headers["comms"],
                                  json={"confirm_out_of_order": True}, timeout=20)
            return response.status_code

        with ThreadPoolExecutor(max_workers=6) as pool:
            assert list(pool.map(post_now, cues)) == [200] * len(cues)
        assert wait_until_settled(pg_database, EVENTS * ITEMS, timeout=90), "deliveries still open"
    finally:
        for server in servers:
            server.stop()
    findings = inspect(pg_database, events, config.send_log)
    assert findings.problems == []
    sends = read_send_log(config.send_log)
    assert sorted(s["key"] for s in sends) == sorted({s["key"] for s in sends})  # no delivery sent twice
    assert len(sends) == findings.sandbox_posts == EVENTS * ITEMS
    pids = {server.proc.pid for server in servers if server.proc is not None}
    assert set(findings.sends_by_pid) == pids, f"both processes should have sent: {findings.sends_by_pid}"
