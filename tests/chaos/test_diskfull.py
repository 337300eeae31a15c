"""Fill the disk under the SQLite file and the media store during a live run: clear 503s while full, nothing
lost, duplicated or corrupted, and the run finishes once space is back (see `tests.chaos.diskfull`)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from tests.chaos.diskfull import DiskFullUnavailable, run_diskfull

pytestmark = pytest.mark.slow


def test_disk_full_during_a_run_on_sqlite() -> None:
    try:
        report = run_diskfull(items=30, size_mb=48, full_seconds=6.0)
    except DiskFullUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but the disk-full drill cannot run: {exc}")
        pytest.skip(str(exc))
    print(report.verdict)
    assert report.ok, report.verdict + "\n" + "\n".join(report.problems)
    assert report.refused > 0 and report.while_full.get("upload 503") == 1
    assert report.posted == report.sandbox_posts == report.expected == 31


def test_without_root_the_drill_says_why_and_leaves_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(DiskFullUnavailable, match="needs root"):
        run_diskfull()
    assert not list(tmp_path.iterdir())
