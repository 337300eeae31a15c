"""The console in Chromium, through nginx in front of two replicas on one PostgreSQL: when the replica serving its
live feed is SIGKILLed, the page reconnects (to the other replica, through the proxy), resumes from the last
sequence it saw (`after=N` in the socket's URL) and shows what was written meanwhile."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.chaos.proxy import nginx_binary
from tests.chaos.replicas import Cluster
from tests.chaos.scenario import PASSWORD, create_users, login
from tests.chaos.servers import (
    ServerConfig,
    ServerProcess,
    create_pg_database,
    drop_pg_database,
    migrate,
    postgres_reachable,
)
from tests.ui.harness import expect

pytestmark = pytest.mark.slow
TOKEN = "replica-reconnect-metrics"


def _needs(ok: bool, what: str) -> None:
    if not ok:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {what}")
        pytest.skip(what)


@pytest.fixture(scope="module")
def cluster() -> Iterator[tuple[Cluster, dict[str, str]]]:
    """Two replicas behind nginx on a fresh PostgreSQL database, and the users' names by role."""
    _needs(postgres_reachable(), "PostgreSQL is not reachable")
    _needs(nginx_binary() is not None, "nginx is not installed (scripts/test installs it)")
    url = create_pg_database("livecue_ui_replicas")
    workdir = Path(tempfile.mkdtemp(prefix="livecue-ui-replicas-"))
    config = ServerConfig(workdir=workdir, database_url=url, extra_env={"LIVECUE_METRICS_TOKEN": TOKEN})
    migrate(url, workdir / "data")
    users = create_users(url, workdir / "data")
    running = Cluster(config, replicas=2)
    try:
        running.start()
        yield running, users
    finally:
        running.stop()
        drop_pg_database(url)
        shutil.rmtree(workdir, ignore_errors=True)


def _feed_clients(replica: ServerProcess) -> float:
    text = httpx.get(f"{replica.base_url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10).text
    return next(s.value for f in text_string_to_metric_families(text) for s in f.samples
                if s.name == "livecue_feed_clients")


def test_console_resumes_on_another_replica(cluster: tuple[Cluster, dict[str, str]], browser: Any) -> None:
    # `cluster` first: it runs asyncio.run (databases), which cannot run inside Playwright's loop
    running, users = cluster
    base = running.proxy.base_url
    with httpx.Client(timeout=10) as http:
        author = login(http, base, users["author"])
        event = http.post(f"{base}/api/events", headers=author, json={
            "slug": "replica-reconnect", "title": "Replica reconnect", "hashtag": "#LiveOR",
            "timezone": "America/Toronto", "planned_start": "2026-12-01T12:30:00+00:00",
            "platforms": [{"platform": "sandbox", "account": "hospital"}]}).json()

        def add_item(key: str, caption: str) -> dict[str, Any]:
            response = http.post(f"{base}/api/events/{event['id']}/items", headers=author,
                                 json={"caption": caption, "key": key, "offset": None, "cue": key})
            assert response.status_code == 201, response.text
            item: dict[str, Any] = response.json()
            return item

        first = add_item("opening", "Good morning from the OR.")
        context = browser.new_context(base_url=base, viewport={"width": 1440, "height": 1000})
        context.set_default_timeout(30_000)
        try:
            response = context.request.post("/api/auth/login", data={"username": users["comms"],
                                                                     "password": PASSWORD})
            assert response.ok, response.text()
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            sockets: list[str] = []
            page.on("websocket", lambda ws: sockets.append(ws.url))
            page.goto(f"/console?event={event['id']}")
            expect(page.locator("body")).to_have_attribute("data-feed", "live")
            expect(page.locator(f'#timeline [data-item-id="{first["id"]}"]')).to_be_visible()
            serving = [r for r in running.replicas if _feed_clients(r) >= 1]
            assert len(serving) == 1, "the console's socket is on exactly one replica"
            serving[0].kill()  # the replica holding the console's feed dies; the proxy and the other stay
            late = add_item("while-away", "Written while the console was reconnecting.")
            expect(page.locator(f'#timeline [data-item-id="{late["id"]}"]')).to_be_visible()
            expect(page.locator("body")).to_have_attribute("data-feed", "live")
            resumed = [int(m.group(1)) for url in sockets[1:] if (m := re.search(r"[?&]after=(\d+)", url))]
            assert resumed and min(resumed) > 0, sockets
            assert errors == []
            serving[0].start()
        finally:
            context.close()
