"""The security tests run against the whole app (API, page shells, sandbox) and see a crash as a 500 response."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from server.clock import FakeClock
from server.config import Settings
from tests.security.kit import full_app


@pytest.fixture
async def app(settings: Settings, clock: FakeClock) -> AsyncIterator[FastAPI]:
    """A started app (lifespan run, background loops off) with the page and sandbox routers."""
    application = full_app(settings, clock=clock)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    """An in-process client that gets a 500 response, as a browser would, when the app crashes."""
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http

