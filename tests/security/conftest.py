"""The security tests run against the whole app: API, page shells and the sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI

from server.clock import FakeClock
from server.config import Settings
from tests.ui.harness import build_app


@pytest.fixture
async def app(settings: Settings, clock: FakeClock) -> AsyncIterator[FastAPI]:
    """A started app (lifespan run, background loops off) with the page and sandbox routers."""
    application = build_app(settings, clock=clock)
    async with application.router.lifespan_context(application):
        yield application
