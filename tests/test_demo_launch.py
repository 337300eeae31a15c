"""Launching the demo: the port is taken before anything is printed (a conflict is named, exit 1), the event is
planned shortly after the first launch and kept on later ones, `--reset` removes only the demo's own data."""

from __future__ import annotations

import asyncio
import io
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from server.config import Settings
from server.demo import FIRST_START_MINUTES, prepare_demo
from server.demo_launch import PortUnavailable, banner, bind, reset, run_demo


def _taken_port() -> tuple[socket.socket, int]:
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen(1)
    return holder, holder.getsockname()[1]


def test_a_taken_port_is_named_and_nothing_is_printed_or_prepared(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    holder, port = _taken_port()
    out = io.StringIO()
    try:
        with pytest.raises(PortUnavailable, match=f"port {port} is already in use"):
            bind("127.0.0.1", port)
        assert run_demo(host="127.0.0.1", port=port, data_dir=tmp_path / "data", out=out) == 1
    finally:
        holder.close()
    assert out.getvalue() == ""  # no banner, no URL leading to someone else's server
    assert f"port {port} is already in use" in capsys.readouterr().err
    assert not (tmp_path / "data").exists()


def test_bind_listens_at_once_so_the_printed_url_answers() -> None:
    sock = bind("127.0.0.1", 0)
    try:
        with socket.create_connection(sock.getsockname()[:2], timeout=2):
            pass  # queued in the backlog until the server accepts
    finally:
        sock.close()


def test_first_launch_plans_the_event_ahead_later_launches_keep_it_start_in_moves_it(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", database_url=None, _env_file=None)
    before = datetime.now(UTC)
    first = asyncio.run(prepare_demo(settings))
    assert settings.data_dir.stat().st_mode & 0o777 == 0o700
    start = first.planned_start.replace(tzinfo=first.planned_start.tzinfo or UTC)
    assert timedelta(minutes=FIRST_START_MINUTES) <= start - before <= timedelta(minutes=FIRST_START_MINUTES + 2)
    again = asyncio.run(prepare_demo(settings))
    assert again.planned_start == first.planned_start and again.event_id == first.event_id
    assert again.logins == first.logins
    moved = asyncio.run(prepare_demo(settings, start_in=0))
    moved_start = moved.planned_start.replace(tzinfo=moved.planned_start.tzinfo or UTC)
    assert moved_start - datetime.now(UTC) < timedelta(minutes=2)
    text = banner(again, host="0.0.0.0", port=8123, data_dir=settings.data_dir, now=before)
    assert "http://127.0.0.1:8123/console" in text and "every address, port 8123" in text
    assert f"in {FIRST_START_MINUTES:.0f} min" in text or f"in {FIRST_START_MINUTES + 1:.0f} min" in text
    assert "--start-in" in text and "--reset" in text
    for login in first.logins.values():
        assert login.username in text and login.password in text


def test_reset_removes_only_the_demos_own_files(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "media" / "ab").mkdir(parents=True)
    for name in ("livecue.db", "livecue.db-wal", "secret.key", "demo-logins.json", "notes.txt"):
        (data / name).write_text("x")
    removed = reset(Settings(data_dir=data, database_url=None, _env_file=None))
    assert set(removed) == {"livecue.db", "livecue.db-wal", "secret.key", "demo-logins.json", "media/"}
    assert [p.name for p in data.iterdir()] == ["notes.txt"]
    with pytest.raises(PortUnavailable, match="SQLite data only"):
        reset(Settings(data_dir=data, database_url="postgresql://x@127.0.0.1/db", _env_file=None))
