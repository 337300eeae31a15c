"""`livecue screen [FILE] [--jsonl] [--denylist FILE] [--allow-name NAME]...`: screen texts for PHI.

Reads one text per line (stdin when no FILE; with --jsonl, one JSON object with a "text" field per line)
and writes one JSON object per input line: {"text": ..., "findings": [{"kind", "start", "end", "reason"}]}.
A bad JSONL line gives {"text": null, "error": "line N: ..."} on stdout, a message on stderr, and exit
status 1 once every line is done. The --denylist file holds plaintext identifiers, one per line (blank
lines and lines starting with "#" are ignored); they are hashed with a random salt for this run only.
Exit status: 0 all lines screened, 1 some line was bad, 2 usage or file error.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from typing import NoReturn, TextIO

from server.privacy.denylist import Denylist
from server.privacy.phi import screen_text


class _UsageError(Exception):
    """Raised instead of argparse's exit on a usage error."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """Raise a `_UsageError` rather than printing and exiting."""
        raise _UsageError(message)


def _parser() -> _Parser:
    parser = _Parser(
        prog="livecue screen", description="Screen texts for protected health information.", add_help=False
    )
    parser.add_argument("file", nargs="?", help="input file (default: standard input)")
    parser.add_argument("--jsonl", action="store_true", help='read JSON objects with a "text" field')
    parser.add_argument("--denylist", metavar="FILE", help="plaintext identifiers to flag, one per line")
    parser.add_argument(
        "--allow-name", metavar="NAME", action="append", default=[], help="staff name that may appear"
    )
    parser.add_argument("-h", "--help", action="store_true", help="show this help and exit")
    return parser


def run_screen(argv: list[str], stdin: TextIO, stdout: TextIO, stderr: TextIO | None = None) -> int:
    """Run `livecue screen` with `argv` (arguments after "screen"); return the exit status."""
    err = stderr if stderr is not None else sys.stderr
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except _UsageError as exc:
        err.write(f"{parser.format_usage()}livecue screen: error: {exc}\n")
        return 2
    if args.help:
        stdout.write(parser.format_help())
        return 0
    with contextlib.ExitStack() as stack:
        try:
            denylist = _load_denylist(args.denylist) if args.denylist else None
            source = stack.enter_context(open(args.file, encoding="utf-8")) if args.file else stdin
        except OSError as exc:
            err.write(f"livecue screen: cannot read {exc.filename}: {exc.strerror}\n")
            return 2
        except UnicodeDecodeError:
            err.write("livecue screen: the denylist file is not valid UTF-8\n")
            return 2
        try:
            return _screen_lines(source, stdout, err, args.jsonl, denylist, args.allow_name)
        except UnicodeDecodeError:
            err.write("livecue screen: input is not valid UTF-8\n")
            return 2


def _load_denylist(path: str) -> Denylist:
    with open(path, encoding="utf-8") as fh:
        entries = [line.strip() for line in fh if line.strip() and not line.lstrip().startswith("#")]
    return Denylist.build(entries, os.urandom(32))


def _screen_lines(
    source: TextIO, stdout: TextIO, err: TextIO, jsonl: bool, denylist: Denylist | None, allow: list[str]
) -> int:
    status = 0
    for number, raw in enumerate(source, start=1):
        line = raw.rstrip("\r\n")
        text, error = _parse_jsonl(line, number) if jsonl else (line, None)
        if text is None:
            status = 1
            err.write(f"livecue screen: {error}\n")
            stdout.write(json.dumps({"text": None, "error": error}, ensure_ascii=False) + "\n")
            continue
        findings = [f.as_dict() for f in screen_text(text, denylist, allow)]
        stdout.write(json.dumps({"text": text, "findings": findings}, ensure_ascii=False) + "\n")
    return status


def _parse_jsonl(line: str, number: int) -> tuple[str | None, str | None]:
    """Return (text, None) for a good line or (None, error message) for a bad one."""
    if not line.strip():
        return None, f"line {number}: empty line, expected a JSON object"
    try:
        obj = json.loads(line)
    except json.JSONDecodeError:
        return None, f"line {number}: not valid JSON"
    if not isinstance(obj, dict):
        return None, f"line {number}: expected a JSON object"
    text = obj.get("text")
    if not isinstance(text, str):
        return None, f"line {number}: missing string field 'text'"
    return text, None
