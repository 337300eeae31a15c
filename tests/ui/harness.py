"""A real Livecue server on a loopback port (uvicorn in a thread), seeded through its own services and API.

Used by the browser tests and by `bench/ui_weight.py`.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from server.app import create_app
from server.auth import service as auth_service
from server.clock import Clock
from server.config import Settings
from server.db.engine import make_engine, make_sessionmaker
from server.db.migrate import upgrade
from server.db.session_scope import transaction
from server.feed.wsserver import FeedWebSocketProtocol
from server.state import AppState
from tests.ports import free_port


def _playwright_expect() -> Any:
    try:
        from playwright.sync_api import expect as found
    except ImportError:  # the browser fixture reports it: a skip on a developer machine, a failure under CI
        return None
    return found


expect: Any = _playwright_expect()
PASSWORD = "correct-horse-battery"
USERS = {
    "admin": ("Avery Admin", ["admin"]),
    "author": ("Alex Author", ["comms"]),
    "comms": ("Casey Comms", ["comms"]),
    "clinician": ("Dr. Dana Ortiz", ["clinical"]),
}
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str | None:
    """Debian's Chromium (never a browser downloaded by Playwright)."""
    for candidate in (os.environ.get("LIVECUE_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def build_app(settings: Settings, clock: Clock | None = None) -> FastAPI:
    """The production app."""
    app = create_app(settings, clock=clock)
    return app


async def _seed_users(settings: Settings) -> None:
    engine = make_engine(settings)
    try:
        await upgrade(engine)
        async with transaction(make_sessionmaker(engine, settings)) as session:
            for username, (display, roles) in USERS.items():
                if await auth_service.get_user_by_username(session, username) is None:
                    user = await auth_service.create_user(session, username=username, display_name=display,
                                                          password=PASSWORD, roles=roles)
                    # Seeded staff have read the sharing policy; test_policy.py makes a newcomer who has not.
                    await auth_service.acknowledge_policy(session, user=user)
    finally:
        await engine.dispose()


@dataclass
class LiveServer:
    """uvicorn serving the app on 127.0.0.1; `restart()` brings it back on the same port and database."""

    data_dir: Path
    port: int = field(default_factory=free_port)
    in_process: bool = True
    preflight: bool = False  # LIVECUE_PREFLIGHT_REQUIRED: off for tests of other features, on in test_setup_pages
    app: FastAPI | None = None
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None
    _process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def settings(self) -> Settings:
        return Settings(database_url=f"sqlite+aiosqlite:///{self.data_dir / 'livecue.db'}", data_dir=self.data_dir,
                        run_workers=True, preflight_required=self.preflight, _env_file=None)

    def start(self) -> LiveServer:
        if not (self.data_dir / "livecue.db").exists():
            # in a thread of its own: Playwright's sync API keeps an event loop running in this one
            with ThreadPoolExecutor(max_workers=1) as pool:
                pool.submit(asyncio.run, _seed_users(self.settings)).result()
        if not self.in_process:
            return self._start_process()
        self.app = build_app(self.settings)
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning",
                                ws=FeedWebSocketProtocol, ws_per_message_deflate=False, lifespan="on",
                                timeout_graceful_shutdown=2)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="livecue-ui-server", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def _start_process(self) -> LiveServer:
        command = [sys.executable, "-m", "tests.ui.harness", str(self.data_dir), str(self.port)]
        self._process = subprocess.Popen(command, cwd=Path(__file__).resolve().parents[2])
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or self._process.poll() is not None:
                raise RuntimeError("the server process did not start")
            time.sleep(0.1)

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=20)
            self._process = None
        if self._server is not None and self._thread is not None:
            # Browsers still connected to the feed are cut off by the graceful-shutdown timeout, which uvicorn
            # reports at error level: expected here, so not shown.
            quiet = logging.getLogger("uvicorn.error")
            level = quiet.level
            quiet.setLevel(logging.CRITICAL)
            try:
                self._server.should_exit = True
                self._thread.join(timeout=20)
            finally:
                quiet.setLevel(level)
        self._server = self._thread = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def state(self) -> AppState:
        assert self.app is not None
        state: AppState = self.app.state.livecue
        return state


class Api:
    """A synchronous API client logged in as one user (bearer token, so no CSRF)."""

    def __init__(self, server: LiveServer, username: str) -> None:
        self.server = server
        self.http = httpx.Client(base_url=server.url, timeout=20)
        response = self.http.post("/api/auth/login", json={"username": username, "password": PASSWORD})
        response.raise_for_status()
        self.http.headers["Authorization"] = f"Bearer {response.json()['token']}"
        self.http.cookies.clear()
        self.user: dict[str, Any] = response.json()["user"]

    def call(self, method: str, path: str, expect: int | tuple[int, ...] = (200, 201), **kwargs: Any) -> Any:
        response = self.http.request(method, path, **kwargs)
        wanted = (expect,) if isinstance(expect, int) else expect
        assert response.status_code in wanted, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    def close(self) -> None:
        self.http.close()


def png_bytes(colour: tuple[int, int, int] = (40, 120, 200), size: tuple[int, int] = (320, 200)) -> bytes:
    """A small PNG made on the spot."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    draw.ellipse((size[0] // 4, size[1] // 4, size[0] * 3 // 4, size[1] * 3 // 4), fill=(250, 250, 250))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def create_event(author: Api, title: str = "Heart bypass, live from OR 3", **overrides: Any) -> dict[str, Any]:
    """An event on the sandbox that starts now, with a patient consent on file."""
    body: dict[str, Any] = {
        "slug": f"ui-{int(time.time() * 1000) % 10**9}", "title": title, "hashtag": "#LiveOR",
        "timezone": "America/Toronto", "planned_start": datetime.now(UTC).isoformat(),
        "platforms": [{"platform": "sandbox", "account": "stmarys"}],
    }
    body.update(overrides)
    event: dict[str, Any] = author.call("POST", "/api/events", json=body)
    return event


def add_consent(author: Api, event_id: int) -> None:
    """The patient's consent and the patient denylist: what going live needs (the author is a comms user)."""
    author.call("POST", f"/api/events/{event_id}/authorizations", json={
        "key": "patient-consent", "person": "Patient A (form on file)", "role": "patient",
        "covers": ["photos", "story"], "signed_on": (datetime.now(UTC) - timedelta(days=7)).date().isoformat()})
    author.call("PUT", f"/api/events/{event_id}/denylist", json={"entries": ["Quillon Vexbridge", "MRN 00-TEST-4242"]})


def upload_image(author: Api, colour: tuple[int, int, int] = (40, 120, 200)) -> dict[str, Any]:
    files = {"file": ("photo.png", png_bytes(colour), "image/png")}
    asset: dict[str, Any] = author.call("POST", "/api/media", files=files)
    return asset


def create_item(author: Api, event_id: int, **body: Any) -> dict[str, Any]:
    item: dict[str, Any] = author.call("POST", f"/api/events/{event_id}/items", json=body)
    return item


def approve(api: Api, item: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = api.call("POST", f"/api/items/{item['id']}/approve", json={"version": item["version"]})
    return result


if __name__ == "__main__":  # `python -m tests.ui.harness DATA_DIR PORT`: serve in the foreground (for benchmarks)
    live = LiveServer(data_dir=Path(sys.argv[1]), port=int(sys.argv[2]))
    uvicorn.run(build_app(live.settings), host="127.0.0.1", port=live.port, log_level="warning",
                ws=FeedWebSocketProtocol, ws_per_message_deflate=False, timeout_graceful_shutdown=2)


def laid_out_box(locator: Any, tries: int = 50) -> dict[str, float]:
    """A visible element's box once it is laid out: `bounding_box()` answers None while a refresh redraws the part
    of the page that holds it (seen in CI under load), so it is asked again for up to `tries` × 100 ms."""
    for _ in range(tries):
        expect(locator).to_be_visible()
        box: dict[str, float] | None = locator.bounding_box()
        if box is not None:
            return box
        locator.page.wait_for_timeout(100)
    raise AssertionError(f"{locator} has no box")
