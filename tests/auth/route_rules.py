"""Reading the role rule each route declares (used by the generated matrix tests)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, APIWebSocketRoute


def _walk(dependant: Dependant) -> list[Any]:
    found = [dependant.call]
    for sub in dependant.dependencies:
        found.extend(_walk(sub))
    return found


def route_rule(route: APIRoute | APIWebSocketRoute) -> tuple[str, tuple[str, ...]] | None:
    """('public', ()) or ('roles', roles) or None when the route declares nothing."""
    calls = _walk(route.dependant)
    if any(getattr(c, "livecue_public", False) for c in calls):
        return ("public", ())
    rules = [getattr(c, "livecue_roles", None) for c in calls]
    rules = [r for r in rules if r is not None]
    if rules:
        return ("roles", tuple(rules[0]))
    if any(getattr(c, "livecue_authenticated", False) for c in calls):
        return ("authenticated", ())
    return None


def api_routes(app: FastAPI) -> list[APIRoute | APIWebSocketRoute]:
    """Every HTTP and WebSocket route the app serves (docs excluded)."""
    routes: list[APIRoute | APIWebSocketRoute] = []

    def collect(items: list[Any]) -> None:
        for route in items:
            nested = getattr(route, "original_router", None)  # FastAPI's lazily included routers
            if nested is not None:
                collect(list(nested.routes))
            elif isinstance(route, APIRoute | APIWebSocketRoute):
                routes.append(route)

    collect(list(app.routes))
    return routes


def concrete_path(path: str) -> str:
    """Fill path parameters with plausible values."""
    import re

    return re.sub(r"\{[^}]+\}", "1", path)
