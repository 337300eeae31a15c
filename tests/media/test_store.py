"""MediaStore: content addressing, atomic idempotent writes, and no path traversal."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import pytest

from server.media import MediaStore, MediaStoreError


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_put_get_layout(tmp_path: Path) -> None:
    store = MediaStore(tmp_path)
    data = b"sanitized bytes"
    sha = store.put(data)
    assert sha == hashlib.sha256(data).hexdigest()
    assert store.path(sha) == tmp_path / sha[:2] / sha[2:4] / sha
    assert store.exists(sha)
    assert store.get(sha) == data
    assert _files(tmp_path) == [store.path(sha)]


def test_put_is_idempotent(tmp_path: Path) -> None:
    store = MediaStore(tmp_path)
    sha = store.put(b"x" * 1000)
    before = store.path(sha).stat().st_mtime_ns
    assert store.put(b"x" * 1000) == sha
    assert store.path(sha).stat().st_mtime_ns == before
    assert len(_files(tmp_path)) == 1


def test_empty_payload(tmp_path: Path) -> None:
    store = MediaStore(tmp_path)
    sha = store.put(b"")
    assert store.get(sha) == b""


def test_concurrent_puts_of_same_bytes(tmp_path: Path) -> None:
    store = MediaStore(tmp_path)
    data = os.urandom(200_000)
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(store.put(data))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1
    assert store.get(results[0]) == data
    assert len(_files(tmp_path)) == 1  # no stray temp files


def test_failed_rename_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = MediaStore(tmp_path)

    def boom(src: object, dst: object) -> None:
        raise OSError("disk on fire")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk on fire"):
        store.put(b"half-written?")
    assert _files(tmp_path) == []
    assert not store.exists(hashlib.sha256(b"half-written?").hexdigest())


def test_failed_fsync_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = MediaStore(tmp_path)
    real_fsync = os.fsync

    def fail_fsync(fd: int) -> None:
        raise OSError("fsync failed")

    monkeypatch.setattr(os, "fsync", fail_fsync)
    with pytest.raises(OSError, match="fsync failed"):
        store.put(b"data")
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert _files(tmp_path) == []


@pytest.mark.parametrize(
    "bad",
    [
        "../../etc/passwd",
        "a" * 63,
        "a" * 65,
        "A" * 64,
        "g" * 64,
        "a" * 64 + "\n",
        "../" + "a" * 61,
        "/" + "a" * 63,
        "",
    ],
)
def test_invalid_digests_are_refused(tmp_path: Path, bad: str) -> None:
    store = MediaStore(tmp_path)
    for call in (store.path, store.exists, store.get):
        with pytest.raises(ValueError, match="SHA-256"):
            call(bad)


def test_missing_file(tmp_path: Path) -> None:
    store = MediaStore(tmp_path)
    sha = "0" * 64
    assert not store.exists(sha)
    with pytest.raises(FileNotFoundError):
        store.get(sha)


def test_corruption_is_detected(tmp_path: Path) -> None:
    store = MediaStore(tmp_path)
    sha = store.put(b"original")
    store.path(sha).write_bytes(b"tampered")
    with pytest.raises(MediaStoreError, match="corrupted"):
        store.get(sha)
