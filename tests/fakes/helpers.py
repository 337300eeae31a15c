"""Small test doubles shared by the adapter tests: media bytes, a fixed clock, sleep and store recorders."""

from __future__ import annotations

import base64
from collections.abc import Callable

from server.platforms.base import MemoryCredentialStore, UploadRequest

PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
)
GIF_BYTES = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00;"
MP4_BYTES = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(range(256)) * 10


def png(alt: str) -> UploadRequest:
    """Return a 1x1 PNG upload with `alt` as alt text."""
    return UploadRequest(data=PNG_1PX, mime_type="image/png", alt_text=alt, width=1, height=1)


def mp4(alt: str, data: bytes = MP4_BYTES) -> UploadRequest:
    """Return a (fake) MP4 upload."""
    return UploadRequest(data=data, mime_type="video/mp4", alt_text=alt)


class FixedClock:
    """A controllable Unix clock shared by a fake and an adapter."""

    def __init__(self, now: float = 1_780_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        """Return the current fake time."""
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self.now += seconds


class SleepRecorder:
    """An `asyncio.sleep` stand-in that records the delays and returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        """Record one delay."""
        self.delays.append(seconds)


class RecordingStore(MemoryCredentialStore):
    """A memory credential store that records saves and runs a check at each save."""

    def __init__(
        self, secrets: dict[str, str], on_save: Callable[[dict[str, str]], None] | None = None
    ) -> None:
        super().__init__(secrets)
        self.saves: list[dict[str, str]] = []
        self._on_save = on_save

    async def save(self, updates: dict[str, str]) -> None:
        """Check, record, then merge the update."""
        if self._on_save is not None:
            self._on_save(dict(updates))
        self.saves.append(dict(updates))
        await super().save(updates)
