"""Background loops log a bug with its traceback, and an outage (full disk, database gone) as one line a minute."""

from __future__ import annotations

import logging
import sqlite3

import pytest
from sqlalchemy.exc import OperationalError

from server.loopfailures import LoopFailures


def _disk_full() -> OperationalError:
    return OperationalError("INSERT INTO journal_entry", {}, sqlite3.OperationalError("database or disk is full"))


def test_an_outage_is_one_line_a_minute_and_recovery_is_said(caplog: pytest.LogCaptureFixture) -> None:
    seconds = [0.0]
    failures = LoopFailures(logging.getLogger("livecue.test"), "dispatcher", now=lambda: seconds[0])
    with caplog.at_level(logging.WARNING, logger="livecue.test"):
        for _ in range(120):  # two rounds a second for a minute
            failures.failed(_disk_full())
            seconds[0] += 0.5
        failures.failed(_disk_full())
        failures.succeeded()
    lines = [r.getMessage() for r in caplog.records]
    assert lines == ["dispatcher round failed: the disk is full; retrying",
                     "dispatcher round failed: the disk is full; retrying (119 more failed rounds since the last "
                     "message)",
                     "dispatcher works again after 121 failed rounds"]
    assert all(r.exc_info is None for r in caplog.records)  # no traceback, and no SQL parameters, in the log


def test_a_bug_keeps_its_traceback_every_time(caplog: pytest.LogCaptureFixture) -> None:
    failures = LoopFailures(logging.getLogger("livecue.test"), "scheduler")
    with caplog.at_level(logging.ERROR, logger="livecue.test"):
        for _ in range(3):
            try:
                raise KeyError("missing")
            except KeyError as exc:
                failures.failed(exc)
    assert [r.getMessage() for r in caplog.records] == ["scheduler round failed"] * 3
    assert all(r.exc_info for r in caplog.records)
