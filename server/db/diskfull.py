"""Whether an error means the disk is full, whichever layer raised it (SQLite, PostgreSQL, the media store).

The database is what fills the disk first, so this knows the drivers' codes; the HTTP side (`errors.py`
answers 503 StorageFull) and the loops' failure log (`loopfailures.py`) both ask here.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from sqlalchemy.exc import StatementError

SQLITE_FULL, SQLITE_IOERR = 13, 10
PG_DISK_FULL = "53100"
LOW_SPACE_BYTES = 1 << 20  # an SQLite "disk I/O error" with less free space than this is a full disk


def _causes(exc: BaseException) -> list[BaseException]:
    """The error, the driver error SQLAlchemy wraps (`orig`), and their causes and contexts, each once."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo and len(seen) < 16:
        current = todo.pop()
        if current is None or any(current is s for s in seen):
            continue
        seen.append(current)
        orig = getattr(current, "orig", None)
        todo += [orig if isinstance(orig, BaseException) else None, current.__cause__, current.__context__]
    return seen


def _free_bytes(path: Path | None) -> int | None:
    """Bytes an unprivileged writer may still use on the filesystem holding `path` (None when unknown)."""
    if path is None:
        return None
    try:
        stat = os.statvfs(path)
    except OSError:
        return None
    return stat.f_bavail * stat.f_frsize


def full_cause(exc: BaseException, storage_dir: Path | None) -> BaseException | None:
    """The error in `exc`'s chain that says the disk is full, if any (see `storage_full`)."""
    for cause in _causes(exc):
        if isinstance(cause, OSError) and cause.errno in (errno.ENOSPC, errno.EDQUOT):
            return cause
        if PG_DISK_FULL in (getattr(cause, "sqlstate", None), getattr(cause, "pgcode", None)):
            return cause
        code = getattr(cause, "sqlite_errorcode", None)
        # Messages only of driver errors: SQLAlchemy's wrapper text carries the statement and its parameters.
        message = "" if isinstance(cause, StatementError) else str(cause)
        if (isinstance(code, int) and code & 0xFF == SQLITE_FULL) or "database or disk is full" in message:
            return cause
        if (isinstance(code, int) and code & 0xFF == SQLITE_IOERR) or "disk I/O error" in message:
            free = _free_bytes(storage_dir)
            if free is not None and free < LOW_SPACE_BYTES:
                return cause
    return None


def storage_full(exc: BaseException, storage_dir: Path | None = None) -> bool:
    """Whether `exc` (possibly wrapped by SQLAlchemy) means the disk is full.

    ENOSPC/EDQUOT, SQLite's SQLITE_FULL ("database or disk is full") and PostgreSQL's disk_full (53100) always
    do; SQLite's "disk I/O error" (a WAL or shared-memory file that could not grow) does when `storage_dir`,
    the directory of the SQLite file, has less than LOW_SPACE_BYTES left.
    """
    return full_cause(exc, storage_dir) is not None
