"""Only a clinician lets a privacy finding stand: an admin without the clinical role is refused."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient

from tests.factories import create_event, create_item, create_user, login

CAPTION = "Questions? Call the cardiac unit at 416-555-0142. #LiveOR"
BODY = {"version": 1, "reason": "public hospital switchboard"}


async def _item_with_a_finding(client: AsyncClient, sessionmaker: Any) -> dict[str, Any]:
    author = await login(client, await create_user(sessionmaker, "comms"))
    event = await create_event(client, author)
    item = await create_item(client, author, event["id"], caption=CAPTION)
    assert [f["kind"] for f in item["findings"]] == ["phone"]
    return item


@pytest.mark.parametrize("roles", [("admin",), ("admin", "comms")])
async def test_admin_without_clinical_cannot_override(client: AsyncClient, sessionmaker: Any,
                                                      roles: tuple[str, ...]) -> None:
    item = await _item_with_a_finding(client, sessionmaker)
    admin = await login(client, await create_user(sessionmaker, *roles))
    refused = await client.post(f"/api/items/{item['id']}/findings/0/override", json=BODY, headers=admin)
    assert refused.status_code == 403, refused.text
    assert refused.json()["detail"] == "only a clinician can override a privacy finding"
    read = (await client.get(f"/api/items/{item['id']}", headers=admin)).json()
    assert not read["findings"][0].get("overridden")


@pytest.mark.parametrize("roles", [("clinical",), ("admin", "clinical")])
async def test_a_clinician_overrides(client: AsyncClient, sessionmaker: Any, roles: tuple[str, ...]) -> None:
    item = await _item_with_a_finding(client, sessionmaker)
    clinician = await login(client, await create_user(sessionmaker, *roles))
    response = await client.post(f"/api/items/{item['id']}/findings/0/override", json=BODY, headers=clinician)
    assert response.status_code == 200, response.text
    assert response.json()["findings"][0]["overridden"]["reason"] == BODY["reason"]
