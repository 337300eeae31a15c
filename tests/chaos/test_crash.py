"""The chaos run at full size (100 items, 20 SIGKILLs, a stream of audience messages) on SQLite and PostgreSQL: on
the sandbox and in the database nothing is missing or duplicated, threads are in order, no audience message is
lost or doubled and the journal is gap-free (see `tests.chaos.driver`)."""

from __future__ import annotations

import os
import warnings

import pytest

from tests.chaos.driver import run_chaos
from tests.chaos.servers import create_pg_database, drop_pg_database, postgres_reachable
from tests.dbutil import PG_WHERE

pytestmark = pytest.mark.slow


def test_sigkill_during_a_run_on_sqlite() -> None:
    report = run_chaos(items=100, kills=20, seed=20261201, database_url=None)
    print(report.verdict)
    assert report.ok, report.verdict + "\n" + "\n".join(report.problems)
    if report.slow:  # a timing goal: reported, never asserted (the drill's command fails on it)
        warnings.warn(report.verdict, stacklevel=1)
    assert report.sandbox_posts == report.posted == 100
    assert report.audience_sent > 0 and report.audience_stored >= report.audience_sent


def test_sigkill_during_a_run_on_postgresql() -> None:
    if not postgres_reachable():
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but PostgreSQL is not reachable at {PG_WHERE}")
        pytest.skip(f"PostgreSQL is not reachable at {PG_WHERE}")
    url = create_pg_database()
    try:
        report = run_chaos(items=100, kills=20, seed=7, database_url=url)
    finally:
        drop_pg_database(url)
    print(report.verdict)
    assert report.ok, report.verdict + "\n" + "\n".join(report.problems)
    if report.slow:  # a timing goal: reported, never asserted (the drill's command fails on it)
        warnings.warn(report.verdict, stacklevel=1)
    assert report.sandbox_posts == report.posted == 100
    assert report.audience_sent > 0 and report.audience_stored >= report.audience_sent
