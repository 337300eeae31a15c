"""Disk helpers for the disk-full drill: a small tmpfs, a filler file, direct SQLite reads, throwaway photos."""

from __future__ import annotations

import contextlib
import errno
import io
import os
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from PIL import Image


class DiskFullUnavailable(RuntimeError):
    """The drill cannot run here: mounting a tmpfs needs root."""


def mount_tmpfs(path: Path, size_mb: int) -> None:
    """Mount a tmpfs of `size_mb` MB at `path`, or raise DiskFullUnavailable."""
    if os.geteuid() != 0:
        raise DiskFullUnavailable("the disk-full drill mounts a tmpfs and needs root (mount -t tmpfs)")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m,mode=0755", "tmpfs", str(path)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise DiskFullUnavailable(f"cannot mount a tmpfs at {path}: {done.stderr.strip() or done.returncode}")


def fill(path: Path) -> int:
    """Write `path` until the filesystem answers ENOSPC (big chunks, then small ones); returns bytes written."""
    written = 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        for chunk in (b"\0" * (1 << 20), b"\0" * 4096, b"\0" * 512):
            try:
                while True:
                    written += os.write(fd, chunk)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
    finally:
        os.close(fd)
    if os.statvfs(path.parent).f_bavail:
        raise RuntimeError(f"{path.parent} still has space after the fill")
    return written


def query(db: Path, sql: str) -> list[Any]:
    """Run one statement on the SQLite file (its own short-lived connection); returns the rows."""
    with contextlib.closing(sqlite3.connect(db, timeout=30)) as conn:
        return conn.execute(sql).fetchall()


def png_bytes() -> bytes:
    """A small photo to upload (noise, so every call gives a new file)."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", (96, 96), os.urandom(96 * 96 * 3)).save(buffer, format="PNG")
    return buffer.getvalue()
