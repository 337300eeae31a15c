"""The demo's logins: user names and passwords nobody can guess, made once per data directory and kept."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

from server.demo import DEMO_USERS, demo_logins


def test_demo_logins_are_random_and_kept(tmp_path: Path) -> None:
    first = demo_logins(tmp_path / "a")
    assert set(first) == {part for part, _, _ in DEMO_USERS}
    for part, login in first.items():
        assert re.fullmatch(rf"{part}-[0-9a-f]{{8}}", login.username)
        assert len(login.password) >= 20
    assert demo_logins(tmp_path / "a") == first  # re-running reuses the data
    other = demo_logins(tmp_path / "b")
    assert {login.username for login in other.values()}.isdisjoint(login.username for login in first.values())
    assert stat.S_IMODE((tmp_path / "a" / "demo-logins.json").stat().st_mode) == 0o600


def test_a_data_directory_from_before_keeps_its_accounts(tmp_path: Path) -> None:
    (tmp_path / "demo-logins.json").write_text(json.dumps({"admin": "old-password"}))
    assert demo_logins(tmp_path)["admin"].username == "admin"
    assert demo_logins(tmp_path)["admin"].password == "old-password"
