"""`livecue triage [FILE] [--jsonl]`: triage messages, one per line, and print one JSON object per line.

Each result: `text`, `label`, `reason` (the cue or model that decided the label), `alert` (true when the
message must reach a clinician now, whatever its label), `reasons` (why it alerts; empty when it does not),
`language` and `screened` (false for a language the risk cues do not cover).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from typing import TextIO

from server.triage.triage import triage

EXIT_OK = 0
EXIT_BAD_INPUT = 1
EXIT_USAGE = 2


class _UsageError(Exception):
    """Raised instead of argparse's sys.exit so run_triage can return an exit code."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that raises instead of exiting."""

    def error(self, message: str) -> None:  # type: ignore[override]
        """Raise a usage error carrying argparse's message."""
        raise _UsageError(message)


def _parser() -> _Parser:
    """Build the argument parser for the triage command."""
    parser = _Parser(
        prog="livecue triage",
        description="Label audience messages: question, personal_medical, emergency, comment, spam, abuse.",
        add_help=False,
    )
    parser.add_argument("file", nargs="?", help="input file (default: stdin); one message per line")
    parser.add_argument("--jsonl", action="store_true", help='input lines are JSON objects with a "text" field')
    parser.add_argument("-h", "--help", action="store_true", help="show this help")
    return parser


def _parse_jsonl_line(line: str, lineno: int) -> tuple[str | None, str | None]:
    """Return (text, None) for a good JSONL line or (None, error message) for a bad one."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, f"line {lineno}: invalid JSON: {exc.msg} (column {exc.colno})"
    if not isinstance(obj, dict):
        return None, f"line {lineno}: expected a JSON object, got {type(obj).__name__}"
    text = obj.get("text")
    if not isinstance(text, str):
        got = "missing" if "text" not in obj else type(text).__name__
        return None, f'line {lineno}: "text" must be a string ({got})'
    return text, None


def _records(lines: Iterable[str], jsonl: bool) -> Iterator[dict[str, object]]:
    """Yield one output record per non-blank input line."""
    for lineno, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        if jsonl:
            text, error = _parse_jsonl_line(line, lineno)
            if error is not None:
                yield {"text": None, "error": error}
                continue
            assert text is not None
        else:
            text = line
        result = triage(text)
        yield {"text": text, "label": result.label, "reason": result.reason, "alert": result.alert,
               "reasons": list(result.reasons), "language": result.language, "screened": result.screened}


def run_triage(argv: list[str], stdin: TextIO, stdout: TextIO) -> int:
    """Run `livecue triage`; return 0, 1 if any JSONL line was bad, or 2 on usage/file errors."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except _UsageError as exc:
        sys.stderr.write(f"{parser.format_usage()}livecue triage: error: {exc}\n")
        return EXIT_USAGE
    if args.help:
        stdout.write(parser.format_help())
        return EXIT_OK
    had_error = False
    try:
        source: TextIO = (
            open(args.file, encoding="utf-8", errors="replace", newline="")  # noqa: SIM115
            if args.file else stdin
        )
    except OSError as exc:
        sys.stderr.write(f"livecue triage: cannot read {args.file}: {exc.strerror}\n")
        return EXIT_USAGE
    try:
        for record in _records(source, args.jsonl):
            had_error = had_error or "error" in record
            stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    finally:
        if source is not stdin:
            source.close()
    stdout.flush()
    return EXIT_BAD_INPUT if had_error else EXIT_OK


def main() -> None:
    """Console entry point: `python -m server.triage.triage_cli [FILE] [--jsonl]`."""
    raise SystemExit(run_triage(sys.argv[1:], sys.stdin, sys.stdout))


if __name__ == "__main__":
    main()
