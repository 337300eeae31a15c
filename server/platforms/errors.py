"""The small error taxonomy every platform adapter raises."""

from __future__ import annotations


class PlatformError(Exception):
    """Base of every error an adapter raises."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RetryLater(PlatformError):
    """Transient failure (429, 5xx, connection reset): try again after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class NeedsReauth(PlatformError):
    """Credentials are expired or revoked and refreshing did not help: a person must reconnect."""


class Rejected(PlatformError):
    """The platform refused this content for good (too long, bad media, validation)."""


class OutcomeUnknown(PlatformError):
    """The request may or may not have created the post: reconcile before any re-send."""
