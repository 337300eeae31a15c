"""Tests for `livecue triage [FILE] [--jsonl]` (run_triage)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from server.triage.triage_cli import run_triage


def _run(argv: list[str], stdin_text: str = "") -> tuple[int, list[dict[str, object]]]:
    """Run the command; return the exit code and the parsed output lines."""
    out = io.StringIO()
    code = run_triage(argv, io.StringIO(stdin_text), out)
    return code, [json.loads(line) for line in out.getvalue().splitlines()]


def test_plain_lines_from_stdin() -> None:
    """One message per line in, one JSON object per line out; blank lines are skipped."""
    code, rows = _run([], "how long does it take?\n\nmy chest hurts right now\r\nfollow me 💰\n")
    assert code == 0
    assert [r["label"] for r in rows] == ["question", "emergency", "spam"]
    assert rows[1]["text"] == "my chest hurts right now"
    keys = {"text", "label", "reason", "alert", "reasons", "language", "screened"}
    assert all(set(r) == keys for r in rows)
    assert [r["alert"] for r in rows] == [False, True, False]
    assert rows[1]["reasons"] and rows[0]["reasons"] == []


def test_file_argument(tmp_path: Path) -> None:
    """A FILE argument is read instead of stdin, as UTF-8."""
    path = tmp_path / "msgs.txt"
    path.write_text("praying for the patient 🙏\nyou idiots\n", encoding="utf-8")
    code, rows = _run([str(path)], "ignored\n")
    assert code == 0
    assert [(r["text"], r["label"]) for r in rows] == [("praying for the patient 🙏", "comment"),
                                                      ("you idiots", "abuse")]


def test_jsonl_with_bad_lines_reports_and_exits_1() -> None:
    """Bad JSONL lines give an error object naming the line; good lines are still triaged; exit code 1."""
    stdin = "\n".join([
        json.dumps({"text": "i want to die", "id": 7}),
        "not json",
        "[1, 2]",
        json.dumps({"txt": "x"}),
        json.dumps({"text": 5}),
        "",
        json.dumps({"text": "amazing work!"}),
    ]) + "\n"
    code, rows = _run(["--jsonl"], stdin)
    assert code == 1
    assert {k: rows[0][k] for k in ("text", "label", "reason", "alert")} == {
        "text": "i want to die", "label": "emergency", "alert": True,
        "reason": "mentions self-harm or suicidal intent: 'want to die'"}
    assert rows[0]["reasons"][0] == rows[0]["reason"]
    errors = [r for r in rows if "error" in r]
    assert [e["text"] for e in errors] == [None, None, None, None]
    assert [str(e["error"]).split(":")[0] for e in errors] == ["line 2", "line 3", "line 4", "line 5"]
    assert rows[-1]["label"] == "comment"


def test_jsonl_all_good_exits_0(tmp_path: Path) -> None:
    """A clean JSONL file exits 0."""
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"text": "how long is recovery?"}) + "\n", encoding="utf-8")
    assert _run(["--jsonl", str(path)])[0] == 0


@pytest.mark.parametrize("argv", [["--bogus"], ["a", "b"]])
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """Unknown options or extra arguments are usage errors."""
    assert _run(argv)[0] == 2
    assert "usage: livecue triage" in capsys.readouterr().err


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An unreadable FILE is reported on stderr."""
    assert _run([str(tmp_path / "nope.txt")])[0] == 2
    assert "cannot read" in capsys.readouterr().err


def test_help() -> None:
    """--help prints usage to stdout and exits 0."""
    out = io.StringIO()
    assert run_triage(["--help"], io.StringIO(), out) == 0
    assert "--jsonl" in out.getvalue()
