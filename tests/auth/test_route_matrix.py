"""Generated from the route table: every route has an explicit rule, and the rule holds."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.routing import APIRoute
from httpx import AsyncClient

from server.app import create_app
from server.config import Settings
from server.publicroutes import PUBLIC_PATHS
from tests.auth.route_rules import api_routes, concrete_path, route_rule
from tests.factories import create_user, login

PUBLIC_ON_PURPOSE = PUBLIC_PATHS


def test_every_route_declares_a_rule() -> None:
    app = create_app(Settings(migrate_on_start=False))
    missing = [r.path for r in api_routes(app) if route_rule(r) is None]
    assert missing == [], f"routes without a role rule or public marker: {missing}"


def test_public_routes_are_the_listed_ones() -> None:
    app = create_app(Settings(migrate_on_start=False))
    public = {r.path for r in api_routes(app) if route_rule(r) == ("public", ())}
    assert public <= PUBLIC_ON_PURPOSE, public


def _cases() -> list[tuple[str, str, tuple[str, ...]]]:
    app = create_app(Settings(migrate_on_start=False))
    cases = []
    for route in api_routes(app):
        rule = route_rule(route)
        if not isinstance(route, APIRoute) or rule is None or rule[0] == "public":
            continue
        for method in sorted(route.methods - {"HEAD"}):
            cases.append((method, route.path, rule[1]))
    return cases


@pytest.mark.parametrize(("method", "path", "roles"), _cases())
async def test_route_refuses_anonymous_and_wrong_roles(
    client: AsyncClient, sessionmaker: Any, method: str, path: str, roles: tuple[str, ...]
) -> None:
    url = concrete_path(path)
    anonymous = await client.request(method, url, json={})
    assert anonymous.status_code == 401, (method, path, anonymous.text)
    if not roles:
        return  # any logged-in person (e.g. logout)
    for role in ("comms", "clinical"):
        if role in roles:
            continue
        user = await create_user(sessionmaker, role)
        headers = await login(client, user)
        refused = await client.request(method, url, json={}, headers=headers)
        assert refused.status_code == 403, (method, path, role, refused.text)
    nobody = await create_user(sessionmaker)
    headers = await login(client, nobody)
    refused = await client.request(method, url, json={}, headers=headers)
    assert refused.status_code == 403, (method, path, "no roles", refused.text)
