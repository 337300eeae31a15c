"""schemathesis against `/openapi.json`, logged in as an admin+comms+clinical user: no 5xx, documented shapes.

One seeded data directory (a live sandbox event with items, a post with a photo, a consent, questions) is
copied for each operation, so every operation starts from the same state with real ids, and the public
form's per-address limit never masks what a request would do. SQLite only; logout and the WebSocket are
left out (the one would end the session the others use; the other is not in the schema).
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
import schemathesis
from httpx import ASGITransport, AsyncClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import response_schema_conformance

from server.config import Settings
from server.ratelimit import SlidingWindow
from tests.security.kit import Seeded, full_app, seed_live_event

EXAMPLES = 20
CONFIG = schemathesis.Config.from_dict({
    "seed": 20261201,
    "generation": {"max-examples": EXAMPLES, "mode": "all"},
    "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
})
SCHEMA = schemathesis.openapi.from_dict(
    full_app(Settings(migrate_on_start=False, _env_file=None)).openapi(), config=CONFIG
).exclude(path="/api/auth/logout")
CHECKS = [not_a_server_error, response_schema_conformance]


def _settings(data_dir: Path) -> Settings:
    return Settings(database_url=f"sqlite+aiosqlite:///{data_dir / 'livecue.db'}", data_dir=data_dir,
                    migrate_on_start=False, run_workers=False, preflight_required=False,  # a seeded event, not a
                    _env_file=None)  # prepared one: the checklist has its own tests (tests/live/test_preflight.py)


async def _seed(data_dir: Path) -> Seeded:
    app = full_app(_settings(data_dir))
    async with app.router.lifespan_context(app):
        transport = ASGITransport(app=app)
        async with AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await seed_live_event(client, app, app.state.livecue.sessionmaker)


@dataclass
class Seed:
    """The seeded data directory and what is in it."""

    root: Path
    data: Seeded


@pytest.fixture(scope="module")
def seed(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Seed:
    """Seed one data directory for the whole module."""
    root = tmp_path_factory.mktemp("fuzz-seed")
    shutil.copy(sqlite_template, root / "livecue.db")
    return Seed(root=root, data=asyncio.run(_seed(root)))


@dataclass
class Target:
    """A started app on a copy of the seed, and a client bound to it."""

    client: asgi.ASGIClient
    data: Seeded


def _offline(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("the fuzzing run has no network", request=request)


@pytest.fixture
def target(seed: Seed, tmp_path: Path) -> Iterator[Target]:
    """A fresh app per operation: copied data, no limits on the public forms, no outside network."""
    data_dir = tmp_path / "data"
    shutil.copytree(seed.root, data_dir)
    app = full_app(_settings(data_dir))
    try:
        with asgi.get_client(cast(Any, app)) as client:  # starts the lifespan in schemathesis' event loop
            services = app.state.livecue
            services.form_limiter = SlidingWindow(10**9, 60.0)
            services.sandbox_reply_limiter = SlidingWindow(10**9, 60.0)
            services.registry.http = httpx.AsyncClient(transport=httpx.MockTransport(_offline))
            yield Target(client=client, data=seed.data)
    finally:
        asgi.shutdown_lifespans()


def _use_real_ids(case: schemathesis.Case, data: Seeded) -> None:
    """Point most generated path ids at seeded rows; extreme and every seventh value stay as generated."""
    for name, value in list((case.path_parameters or {}).items()):
        real = data.ids_for(name)
        if not real:
            continue
        if isinstance(value, int) and 0 < value < 2**31 and value % 7:
            case.path_parameters[name] = real[value % len(real)]
        elif isinstance(value, str) and name in ("sha256", "slug") and len(value) % 7:
            case.path_parameters[name] = real[0]


@SCHEMA.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_no_server_error_and_documented_shapes(case: schemathesis.Case, target: Target) -> None:
    _use_real_ids(case, target.data)
    response = case.call(session=target.client, headers=target.data.headers)
    case.validate_response(response, checks=CHECKS)
