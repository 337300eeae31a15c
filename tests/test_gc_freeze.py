"""A serving process freezes what its start-up and warm-up created, so full collections stay short (issue 19:
a full collection stopped a cue for up to 900 ms on a shared machine)."""

from __future__ import annotations

import gc

import pytest

from server import app as app_module


async def test_the_warm_up_ends_with_a_freeze(monkeypatch: pytest.MonkeyPatch) -> None:
    async def warmed() -> None:
        return None

    monkeypatch.setattr(app_module, "warm_up_triage", warmed)
    gc.unfreeze()
    try:
        await app_module.warm_up_then_freeze()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
