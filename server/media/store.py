"""A tiny content-addressed store for sanitized media: files named by their SHA-256, written atomically."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from pathlib import Path

from server.datadir import private_dir
from server.media.errors import MediaStoreError

_SHA256 = re.compile(r"[0-9a-f]{64}")


def _checked(sha: str) -> str:
    if not isinstance(sha, str) or not _SHA256.fullmatch(sha):
        raise ValueError("not a SHA-256 digest (64 lower-case hex characters)")
    return sha


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # some filesystems cannot fsync a directory
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class MediaStore:
    """Files stored under `root/ab/cd/<sha256>`; putting the same bytes twice is a no-op."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, sha: str) -> Path:
        """Where the file with digest `sha` lives (whether or not it exists)."""
        sha = _checked(sha)
        return self.root / sha[:2] / sha[2:4] / sha

    def exists(self, sha: str) -> bool:
        """Whether the file with digest `sha` is stored."""
        return self.path(sha).is_file()

    def put(self, data: bytes) -> str:
        """Store `data` durably (temp file, fsync, rename) and return its SHA-256 hex digest."""
        sha = hashlib.sha256(data).hexdigest()
        dest = self.path(sha)
        if dest.is_file() and dest.stat().st_size == len(data):
            return sha
        for folder in (self.root, dest.parent.parent, dest.parent):  # 0700 each; mkstemp's file is 0600
            private_dir(folder)
        fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", dir=dest.parent)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, dest)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        _fsync_dir(dest.parent)
        return sha

    def get(self, sha: str) -> bytes:
        """Read a stored file, checking its bytes still match the digest (FileNotFoundError if absent)."""
        data = self.path(sha).read_bytes()
        if hashlib.sha256(data).hexdigest() != sha:
            raise MediaStoreError(f"stored media {sha} is corrupted")
        return data
