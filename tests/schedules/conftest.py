"""Fixtures for schedule tests: real platform rules when present, else a small stand-in."""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
BROKEN = HERE / "broken"
DEMO = HERE.parents[1] / "schedules" / "sunnybrook-bypass"

_LIMITS = {"sandbox": 5000, "x": 280, "mastodon": 500, "bluesky": 300}


@dataclass(frozen=True)
class _MediaSpec:
    mime_type: str
    size_bytes: int
    alt_text: str
    width: int | None = None
    height: int | None = None


def _check_text(platform: str, text: str) -> list[str]:
    limit = _LIMITS[platform]
    return [f"text is {len(text)} characters, over the {limit} limit"] if len(text) > limit else []


def _check_media(platform: str, media: Sequence[_MediaSpec]) -> list[str]:
    out = [f"{len(media)} files, at most 4 allowed"] if len(media) > 4 else []
    return out + [f"file {i}: alt text missing" for i, m in enumerate(media) if not m.alt_text.strip()]


def _real_textrules() -> types.ModuleType | None:
    try:
        module = importlib.import_module("server.textrules")
    except ImportError:
        return None
    complete = all(hasattr(module, name) for name in ("check_text", "check_media", "MediaSpec"))
    return module if complete else None


@pytest.fixture(autouse=True)
def textrules(monkeypatch: pytest.MonkeyPatch) -> Iterator[types.ModuleType]:
    """server.textrules, or (until it exists) a temporary stand-in with the agreed API."""
    real = _real_textrules()
    if real is not None:
        yield real
        return
    shim = types.ModuleType("server.textrules")
    shim.PLATFORMS = tuple(_LIMITS)  # type: ignore[attr-defined]
    shim.MediaSpec = _MediaSpec  # type: ignore[attr-defined]
    shim.check_text = _check_text  # type: ignore[attr-defined]
    shim.check_media = _check_media  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "server.textrules", shim)
    yield shim
