"""`livecue recap EVENT [--format html|csv|json] [--out PATH]`: write an event's recap to a file or stdout.

Bad input is answered with one line naming the argument (EVENT, --out) and exit status 2, never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from server.clock import session_now
from server.config import Settings
from server.db.session_scope import session_scope
from server.errors import NotFound
from server.recap.router import export
from server.recap.service import build_recap, event_by_reference

FORMATS = ("html", "csv", "json")


async def run_recap(settings: Settings, event: str, fmt: str, out: Path | None, stdout: TextIO) -> int:
    """Build the recap of `event` (id or slug) and write it in `fmt` to `out` (stdout when None)."""
    if out is not None and (out.is_dir() or not out.parent.is_dir()):
        print(f"livecue recap: --out: {out} is not a file in an existing folder", file=sys.stderr)
        return 2
    try:
        async with session_scope(settings) as session:
            row = await event_by_reference(session, event)
            text = export(await build_recap(session, row, session_now(session)), fmt)
    except NotFound:
        print(f"livecue recap: EVENT: no event with the id or slug {event!r}", file=sys.stderr)
        return 2
    if out is None:
        stdout.write(text)
        return 0
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"livecue recap: --out: cannot write {out}: {exc.strerror}", file=sys.stderr)
        return 2
    print(f"recap of {row.slug} written to {out} ({fmt})", file=sys.stderr)
    return 0
