"""Inputs fuzzing found to crash the app, kept as plain regression cases on every backend.

PostgreSQL refuses NUL in text and keeps ids in 32-bit INTEGER columns; SQLite takes NUL but not integers past
64 bits; Python's dates end at year 9999. Each such value must be refused with a 4xx naming the parameter or
field, before it reaches the database. And every error, the framework's own included, has the app's shape.
"""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from httpx import AsyncClient, Response

from tests.auth.route_rules import api_routes
from tests.factories import event_payload
from tests.security.kit import Seeded, seed_live_event

HUGE_IDS = (2**31, 2**63, 2**64)
NUL = "\x00"


@pytest.fixture
async def seeded(client: AsyncClient, app: FastAPI, sessionmaker: Any) -> Seeded:
    """A live sandbox event with items, a post, a consent and questions."""
    return await seed_live_event(client, app, sessionmaker)


def refused_naming(response: Response, field: str, *, also: tuple[int, ...] = ()) -> None:
    """A 422 naming `field` (or one of the `also` statuses), never a 5xx."""
    where = f"{response.request.method} {response.request.url} -> {response.status_code}: {response.text[:300]}"
    assert response.status_code < 500, where
    if response.status_code in also:
        return
    assert response.status_code == 422, where
    assert response.json().get("field") == field, where


def _path_params(dependant: Dependant) -> list[Any]:
    """The path parameters a route reads, its dependencies' included."""
    found = list(dependant.path_params)
    for sub in dependant.dependencies:
        found.extend(_path_params(sub))
    return found


def _fill(path: str, ids: dict[str, Any]) -> str:
    for name, value in ids.items():
        path = path.replace("{" + name + "}", str(value))
    return path


async def test_out_of_range_ids_in_paths_are_refused_not_crashes(client: AsyncClient, app: FastAPI,
                                                                 seeded: Seeded) -> None:
    real = {n: seeded.ids_for(n)[0] for n in ("event_id", "item_id", "authorization_id", "delivery_id",
                                             "group_id", "message_id", "sha256", "slug", "index")}
    checked = 0
    for route in api_routes(app):
        if not isinstance(route, APIRoute):
            continue
        # Path ids read by dependencies count too (`EventDep` reads `{event_id}` before the route runs).
        params = {p.name: p for p in _path_params(route.dependant)}
        ints = [n for n, p in params.items() if p.field_info.annotation is int and n != "index"]
        for name in ints:
            for method in sorted((route.methods or set()) - {"HEAD"}):
                for huge in HUGE_IDS:
                    url = _fill(route.path, {**real, name: huge})
                    response = await client.request(method, url, json={}, headers=seeded.headers)
                    refused_naming(response, name, also=(404,))
                    checked += 1
    assert checked > 100
    journal = await client.get(f"/api/events/{seeded.event_id}/journal?after={2**63}", headers=seeded.headers)
    refused_naming(journal, "after", also=(200,))


async def test_out_of_range_ids_and_numbers_in_bodies_are_refused(client: AsyncClient, seeded: Seeded) -> None:
    item, group, event = seeded.item_ids[-1], seeded.group_ids[0], seeded.event_id
    cases = [
        ("POST", f"/api/question-groups/{group}/assign", {"user_id": 2**31}, "user_id"),
        ("POST", f"/api/question-groups/{group}/answer", {"bank_item_id": 2**31}, "bank_item_id"),
        ("POST", f"/api/events/{event}/live/reorder", {"item_ids": [2**31, 2**64]}, "item_ids.0"),
        ("POST", "/api/sandbox/replies", {"in_reply_to": 2**31, "handle": "sam", "display_name": "Sam",
                                          "text": "Hello"}, "in_reply_to"),
        ("POST", f"/api/events/{event}/items", {"caption": "Hi", "cue": "go", "position": 2**31}, "position"),
        ("POST", f"/api/events/{event}/items", {"caption": "Hi", "cue": "go", "position": 2**64}, "position"),
        ("PATCH", f"/api/items/{item}", {"position": 2**31}, "position"),
    ]
    for method, url, body, field in cases:
        response = await client.request(method, url, json=body, headers=seeded.headers)
        unknown_is_fine = (404,) if field in ("user_id", "bank_item_id", "in_reply_to") else ()
        refused_naming(response, field, also=unknown_is_fine)


async def test_nul_characters_are_refused_naming_the_field(client: AsyncClient, seeded: Seeded) -> None:
    event, item, group, message = seeded.event_id, seeded.item_ids[-1], seeded.group_ids[0], seeded.message_ids[0]
    cases: list[tuple[str, str, dict[str, Any] | None, str]] = [
        ("POST", "/api/auth/login", {"username": f"casey{NUL}", "password": "x"}, "username"),
        ("POST", "/api/events", event_payload(title=f"Live{NUL}"), "title"),
        ("PATCH", f"/api/events/{event}", {"staff_names": [f"Dr. Who{NUL}"]}, "staff_names.0"),
        ("POST", f"/api/events/{event}/authorizations", {"key": "nul", "person": f"P{NUL}", "role": "patient",
                                                         "covers": ["photos"], "signed_on": "2026-11-01"}, "person"),
        ("POST", f"/api/events/{event}/items", {"caption": f"Hi{NUL}", "cue": "go"}, "caption"),
        ("POST", f"/api/events/{event}/items", {"caption": "Hi", "cue": f"go{NUL}"}, "cue"),
        ("PATCH", f"/api/items/{item}", {"cue": f"go{NUL}"}, "cue"),
        ("POST", f"/api/items/{item}/reject", {"version": 1, "note": f"no{NUL}"}, "note"),
        ("POST", f"/api/authorizations/{seeded.authorization_id}/revoke", {"reason": f"r{NUL}"}, "reason"),
        ("POST", f"/api/events/{event}/mutes", {"platform": "form", "handle": f"h{NUL}"}, "handle"),
        ("POST", f"/api/messages/{message}/relabel", {"label": "spam", "reason": f"r{NUL}"}, "reason"),
        ("POST", f"/api/question-groups/{group}/answer", {"caption": f"An answer{NUL}"}, "caption"),
        ("POST", "/api/users", {"username": "nully", "display_name": f"N{NUL}", "password": "0123456789ab",
                                "roles": ["comms"]}, "display_name"),
        ("GET", f"/api/events/{event}/questions?label=%00", None, "label"),
        ("GET", f"/api/events/{event}/questions?status=a%00", None, "status"),
    ]
    for method, url, body, field in cases:
        response = await client.request(method, url, json=body, headers=seeded.headers)
        refused_naming(response, field)
    anonymous = [
        await client.post("/api/public/events/a%00b/questions", json={"text": "Hi"}),
        await client.get("/api/media/ab%00cd", headers=seeded.headers),
    ]
    for response, field in zip(anonymous, ("slug", "sha256"), strict=True):
        refused_naming(response, field, also=(404,))


@pytest.mark.parametrize("when", ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00",
                                  "9999-12-31T23:00:00+00:00"])
async def test_event_start_at_the_edge_of_time_is_refused(client: AsyncClient, seeded: Seeded, when: str) -> None:
    created = await client.post("/api/events", json=event_payload(planned_start=when), headers=seeded.headers)
    refused_naming(created, "planned_start")
    changed = await client.patch(f"/api/events/{seeded.event_id}", json={"planned_start": when},
                                 headers=seeded.headers)
    refused_naming(changed, "planned_start", also=(409,))


async def test_every_error_has_the_apps_shape(client: AsyncClient, seeded: Seeded) -> None:
    json_headers = {**seeded.headers, "Content-Type": "application/json"}
    answers = {
        "unknown path": await client.get("/api/no-such-thing", headers=seeded.headers),
        "wrong method": await client.delete("/api/events", headers=seeded.headers),
        "bytes that are not UTF-8": await client.post("/api/events", content=b"\xff\xfe\xfd", headers=json_headers),
        "broken JSON": await client.post("/api/events", content=b'{"slug": ', headers=json_headers),
        "a list, not an object": await client.post("/api/events", json=["slug"], headers=seeded.headers),
    }
    for what, response in answers.items():
        assert 400 <= response.status_code < 500, (what, response.status_code, response.text)
        body = response.json()
        assert isinstance(body.get("error"), str) and isinstance(body.get("detail"), str), (what, body)
        if response.status_code in (400, 422):
            assert body.get("field") == "body", (what, body)


async def test_validation_errors_match_the_documented_422_schema(client: AsyncClient, app: FastAPI,
                                                                 seeded: Seeded) -> None:
    spec = app.openapi()
    documented = spec["paths"]["/api/events"]["post"]["responses"]["422"]["content"]["application/json"]["schema"]
    schema = {**documented, "components": spec["components"]}
    refusals = [
        await client.post("/api/events", json={"slug": "?"}, headers=seeded.headers),  # pydantic
        await client.post("/api/events", json=event_payload(platforms=[{"platform": "x", "account": "?"}]),
                          headers=seeded.headers),
        await client.post(f"/api/events/{seeded.event_id}/items", json={"caption": "No offset, no cue"},
                          headers=seeded.headers),  # the app's own Invalid
    ]
    for response in refusals:
        assert response.status_code == 422, response.text
        jsonschema.validate(response.json(), schema)
