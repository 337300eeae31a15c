"""Every text a person (or a client) can send has a length limit, stated in the API schema and enforced (422)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient

from tests.factories import create_event, create_user, login

UNBOUNDED_OK = {"date", "date-time", "binary"}  # parsed into fixed-size values, or the upload (bounded by size)


def _unbounded(node: Any, where: str, components: dict[str, Any], seen: frozenset[str]) -> list[str]:
    """Paths of string values in a JSON schema that have no maxLength (enums and constants are bounded)."""
    if not isinstance(node, dict):
        return []
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return [] if name in seen else _unbounded(components[name], where, components, seen | {name})
    found: list[str] = []
    if (node.get("type") == "string" and "maxLength" not in node and "enum" not in node and "const" not in node
            and node.get("format") not in UNBOUNDED_OK and "contentMediaType" not in node):
        found.append(where)
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in node.get(key, []):
            found += _unbounded(sub, where, components, seen)
    if node.get("type") == "array":
        found += _unbounded(node.get("items", {}), f"{where}[]", components, seen)
    for name, sub in node.get("properties", {}).items():
        found += _unbounded(sub, f"{where}.{name}", components, seen)
    if isinstance(node.get("additionalProperties"), dict):
        found += _unbounded(node["additionalProperties"], f"{where}{{}}", components, seen)
    return found


def test_every_string_the_api_accepts_has_a_length_limit(app: FastAPI) -> None:
    schema = app.openapi()
    components = schema.get("components", {}).get("schemas", {})
    missing = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for content in operation.get("requestBody", {}).get("content", {}).values():
                missing += [f"{method.upper()} {path} {w}" for w in
                            _unbounded(content["schema"], "body", components, frozenset())]
            for param in operation.get("parameters", []):
                missing += [f"{method.upper()} {path} {w}" for w in
                            _unbounded(param["schema"], f"{param['in']}:{param['name']}", components, frozenset())]
    assert missing == [], "\n".join(missing)


async def test_typed_lists_are_limited_per_entry(client: AsyncClient, sessionmaker: Any) -> None:
    headers = await login(client, await create_user(sessionmaker, "comms"))
    event = await create_event(client, headers)
    cases = [
        ("PUT", f"/api/events/{event['id']}/denylist", {"entries": ["Jane Doe", "x" * 201]}, "entries.1"),
        ("PATCH", f"/api/events/{event['id']}", {"staff_names": ["Dr. Ortiz", "y" * 129]}, "staff_names.1"),
        ("POST", f"/api/events/{event['id']}/items", {"caption": "Hi", "platform_text": {"x": "z" * 5001}},
         "platform_text.x"),
        ("POST", "/api/events", {"slug": "long-tz", "title": "t", "hashtag": "#t", "timezone": "A" * 65,
                                 "planned_start": "2026-12-01T10:00:00Z"}, "timezone"),
    ]
    for method, url, body, field in cases:
        response = await client.request(method, url, json=body, headers=headers)
        assert response.status_code == 422, (url, response.text)
        assert response.json()["field"] == field, (url, response.text)
    long_slug = await client.post(f"/api/public/events/{'a' * 65}/questions", json={"text": "hello?"})
    assert long_slug.status_code == 422 and long_slug.json()["field"] == "slug"
