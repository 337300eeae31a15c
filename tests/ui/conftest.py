"""Browser fixtures: Debian's Chromium driven by Playwright, against a real server on a loopback port.

Without Playwright or Chromium these tests are skipped on a developer machine and fail under CI (CI=true).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from server.clock import FakeClock
from server.config import Settings
from tests.ui.harness import CHROMIUM_ARGS, PASSWORD, Api, LiveServer, build_app, chromium_path

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run under CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium for this test module."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the Python package 'playwright' is not installed")
    executable = chromium_path()
    if executable is None:
        _unavailable("Chromium is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Livecue with its background workers, on a free loopback port, for this test module."""
    live = LiveServer(data_dir=tmp_path_factory.mktemp("ui-server")).start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def apis(server: LiveServer) -> Iterator[dict[str, Api]]:
    """API clients for each seeded user."""
    clients = {name: Api(server, name) for name in ("author", "comms", "clinician", "admin")}
    yield clients
    for client in clients.values():
        client.close()


@pytest.fixture
def open_page(browser: Any, server: LiveServer) -> Iterator[Callable[..., Any]]:
    """open_page(path, user=None, width, height, before=None, touch=False) -> a page, logged in as `user` (cookie
    session); `before(context)` runs before the page loads (e.g. to route requests); `touch`: a touch screen."""
    contexts: list[Any] = []

    def _open(path: str, user: str | None = None, width: int = 1440, height: int = 1000,
              before: Callable[[Any], None] | None = None, touch: bool = False) -> Any:
        context = browser.new_context(base_url=server.url, viewport={"width": width, "height": height}, has_touch=touch)
        context.set_default_timeout(15_000)
        contexts.append(context)
        if user:
            response = context.request.post("/api/auth/login", data={"username": user, "password": PASSWORD})
            assert response.ok, response.text()
        if before is not None:
            before(context)
        page = context.new_page()
        page.errors = []  # uncaught page errors, checked by tests
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        page.goto(path)
        page.wait_for_selector("body[data-ready]")
        return page

    yield _open
    for context in contexts:
        context.close()


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
async def app(settings: Settings, clock: FakeClock) -> AsyncIterator[FastAPI]:
    """An in-process app (no browser) with the page and sandbox routers, for the page-serving tests."""
    application = build_app(settings, clock=clock)
    async with application.router.lifespan_context(application):
        yield application
