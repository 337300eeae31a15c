"""The data directory and the files in it are the owner's alone (0700 / 0600).

The SQLite file holds consents, audience messages and hashed denylists; the secret key decrypts platform tokens;
media may show the patient. Everything Livecue writes there is created owner-only, whatever the umask, and a
database file found readable by others (made by an older version) is tightened on start.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def private_dir(path: Path) -> Path:
    """Create `path` (and its missing parents) if needed; a directory this call creates is 0700."""
    path = Path(path)
    if not path.is_dir():
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            path.mkdir(mode=DIR_MODE)
            os.chmod(path, DIR_MODE)  # mkdir's mode is masked by the umask; 0700 is the point
    return path


def private_file(path: Path) -> None:
    """Make sure `path` exists and only its owner may read or write it (created 0600, tightened if wider)."""
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        tighten(path)
    else:
        os.close(fd)


def tighten(path: Path) -> None:
    """Drop group and other permissions from an existing file of ours (no-op when absent or not ours)."""
    with contextlib.suppress(OSError):
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            os.chmod(path, mode & 0o700)


def private_sqlite(path: Path) -> None:
    """Prepare a SQLite database file: SQLite gives its WAL and shared-memory files the database file's mode, so
    creating the file 0600 before the first connection keeps all three owner-only."""
    private_file(path)
    for suffix in SQLITE_COMPANIONS:
        tighten(path.with_name(path.name + suffix))
