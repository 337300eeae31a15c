"""Command-line entry points: `livecue schedule check PATH` and `livecue schedule schema`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from server.schedules.check import check_schedule, resolve_schedule_path
from server.schedules.schema import json_schema


def run_check(path: Path | str, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Print every problem as `FILE:LINE: field: message` and a summary line; 0 if clean, else 1."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    schedule, problems = check_schedule(path)
    for problem in problems:
        print(problem, file=out)
    file = resolve_schedule_path(path)
    if schedule is None or problems:
        count = len(problems)
        print(f"{file}: {count} problem{'s' if count != 1 else ''}", file=err)
        return 1
    media = sum(len(item.media) for item in schedule.items)
    summary = f"{len(schedule.items)} items, {media} media files, {len(schedule.answers)} answers"
    print(f"{file}: ok ({summary})", file=err)
    return 0


def run_schema(stdout: TextIO | None = None) -> int:
    """Write the schedule format's JSON Schema to `stdout`; returns 0."""
    out = stdout or sys.stdout
    out.write(json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m server.schedules.cli check PATH | schema`."""
    parser = argparse.ArgumentParser(prog="livecue schedule", description="Check schedule files.")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="check a schedule file or folder")
    check.add_argument("path", type=Path)
    commands.add_parser("schema", help="print the JSON Schema of the schedule format")
    args = parser.parse_args(argv)
    if args.command == "check":
        return run_check(args.path)
    return run_schema()


if __name__ == "__main__":
    raise SystemExit(main())
