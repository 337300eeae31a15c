"""Every route of the pages and the sandbox declares a rule, and the public ones are the listed ones."""

from __future__ import annotations

from typing import Any

from server.config import Settings
from server.pages.router import router as pages_router
from server.publicroutes import PUBLIC_PATHS
from server.sandbox.router import router as sandbox_router
from tests.auth.route_rules import api_routes, route_rule
from tests.ui.harness import build_app


def _paths(routes: list[Any]) -> set[str]:
    """Route paths, following routers included in routers."""
    found: set[str] = set()
    for route in routes:
        if hasattr(route, "path"):
            found.add(route.path)
        else:
            included = getattr(route, "router", None) or getattr(route, "original_router", None)
            found |= _paths(list(getattr(included, "routes", [])))
    return found


def test_page_and_sandbox_routes_declare_rules() -> None:
    app = build_app(Settings(migrate_on_start=False))
    ours = _paths([*pages_router.routes, *sandbox_router.routes])
    rules = {r.path: route_rule(r) for r in api_routes(app) if r.path in ours}
    assert set(rules) == ours
    assert all(rule is not None for rule in rules.values()), rules
    public = {path for path, rule in rules.items() if rule == ("public", ())}
    assert public <= PUBLIC_PATHS
    assert rules["/api/sandbox/faults"] == ("roles", ("comms",))
