"""Tests for `livecue screen` (`run_screen`)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from server.privacy.screen_cli import run_screen


def run(argv: list[str], stdin: str = "") -> tuple[int, list[dict[str, Any]], str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_screen(argv, io.StringIO(stdin), out, err)
    return code, [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue()


def test_plain_lines_from_stdin() -> None:
    code, rows, err = run([], "Call 416-555-0142\nUpdate 10:15 — chest open\n")
    assert code == 0
    assert err == ""
    assert [r["text"] for r in rows] == ["Call 416-555-0142", "Update 10:15 — chest open"]
    assert rows[0]["findings"] == [
        {"kind": "phone", "start": 5, "end": 17, "reason": "looks like a phone number"}
    ]
    assert rows[1]["findings"] == []


def test_one_output_line_per_input_line_including_blank() -> None:
    code, rows, _ = run([], "a\n\nb")
    assert code == 0
    assert [r["text"] for r in rows] == ["a", "", "b"]


def test_file_argument(tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_text("Mrs. Chen is awake\n", encoding="utf-8")
    code, rows, _ = run([str(src)])
    assert code == 0
    assert rows[0]["findings"][0]["kind"] == "name"


def test_jsonl_with_bad_lines_reports_and_continues() -> None:
    stdin = '{"text": "MRN 00482913"}\n{"text": "ok"}\nnot json\n[1]\n{"id": 3}\n{"text": "fine"}\n'
    code, rows, err = run(["--jsonl"], stdin)
    assert code == 1
    assert len(rows) == 6
    assert rows[0]["findings"][0]["kind"] == "record_number"
    assert rows[2] == {"text": None, "error": "line 3: not valid JSON"}
    assert rows[3] == {"text": None, "error": "line 4: expected a JSON object"}
    assert rows[4] == {"text": None, "error": "line 5: missing string field 'text'"}
    assert rows[5] == {"text": "fine", "findings": []}
    assert "line 3: not valid JSON" in err


def test_denylist_file_and_allow_names(tmp_path: Path) -> None:
    deny = tmp_path / "deny.txt"
    deny.write_text("# event 42\nLou Marchetti\n\n", encoding="utf-8")
    code, rows, err = run(
        ["--denylist", str(deny), "--allow-name", "Anna Lee"], "marchetti, lou\nThanks Anna Lee!\n"
    )
    assert code == 0, err
    assert [f["kind"] for f in rows[0]["findings"]] == ["denylist"]
    assert "marchetti" not in json.dumps(rows[0]["findings"]).casefold()
    assert rows[1]["findings"] == []


def test_unicode_output_is_not_escaped() -> None:
    out = io.StringIO()
    assert run_screen([], io.StringIO("Zoë\n"), out, io.StringIO()) == 0
    assert '"Zoë"' in out.getvalue()


def test_usage_and_file_errors(tmp_path: Path) -> None:
    code, rows, err = run(["--bogus"])
    assert code == 2
    assert rows == []
    assert "unrecognized arguments" in err
    code, _, err = run([str(tmp_path / "missing.txt")])
    assert code == 2
    assert "cannot read" in err
    code, _, err = run(["--denylist", str(tmp_path / "missing.txt")])
    assert code == 2
    assert "cannot read" in err


def test_help_goes_to_stdout() -> None:
    out, err = io.StringIO(), io.StringIO()
    assert run_screen(["--help"], io.StringIO(), out, err) == 0
    assert "livecue screen" in out.getvalue()
    assert "--jsonl" in out.getvalue()


def test_non_utf8_files_are_a_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\xfa not utf-8\n")
    code, _, err = run([str(bad)])
    assert code == 2
    assert "UTF-8" in err
    code, _, err = run(["--denylist", str(bad)], "x\n")
    assert code == 2
    assert "UTF-8" in err
