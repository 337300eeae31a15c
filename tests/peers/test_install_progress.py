"""The Bluesky peer's install says what it does: a line per step with its time, a line while a step still runs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.peers import bluesky


def test_a_step_is_announced_kept_alive_and_timed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bluesky, "HEARTBEAT", 0.1)
    lines: list[str] = []
    log = tmp_path / "install.log"
    bluesky._run_logged(["sh", "-c", "echo compiling; sleep 0.35"], tmp_path, dict(os.environ), log,
                        label="npm ci", progress=lines.append)
    assert lines[0] == "livecue: Bluesky peer: npm ci ..."
    assert any("npm ci: still running" in line for line in lines[1:-1])
    assert lines[-1].startswith("livecue: Bluesky peer: npm ci: done (") and lines[-1].endswith(" s)")
    assert "compiling" in log.read_text()


def test_a_failed_step_says_so_with_the_logs_tail(tmp_path: Path) -> None:
    lines: list[str] = []
    with pytest.raises(bluesky.PeerUnavailable, match="gyp ERR"):
        bluesky._run_logged(["sh", "-c", "echo gyp ERR; exit 3"], tmp_path, dict(os.environ), tmp_path / "log",
                            label="npm ci", progress=lines.append)
    assert "FAILED (3)" in lines[-1]
