"""Errors raised by the media pipeline."""

from __future__ import annotations


class MediaRejected(ValueError):
    """A file cannot be published; `message` says why, in words a clinician can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class MediaStoreError(RuntimeError):
    """The content-addressed store holds a file whose bytes no longer match its name."""
