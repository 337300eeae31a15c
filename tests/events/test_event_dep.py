"""EventDep (server/events/deps.py): the `{event_id}` event, looked up only after the caller may ask."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from tests.factories import create_event, create_user, login

MISSING = 2**31 - 1


async def test_a_missing_event_is_a_404_naming_the_id_after_the_401_and_403_checks(
        client: AsyncClient, sessionmaker: Any) -> None:
    comms = await login(client, await create_user(sessionmaker, "comms"))
    clinical = await login(client, await create_user(sessionmaker, "clinical"))
    event = await create_event(client, comms)

    found = await client.get(f"/api/events/{event['id']}/denylist", headers=comms)
    assert found.status_code == 200, found.text
    missing = await client.get(f"/api/events/{MISSING}/denylist", headers=comms)
    assert missing.status_code == 404 and str(MISSING) in missing.json()["detail"]
    # Neither a stranger nor the wrong role learns whether the event exists.
    assert (await client.get(f"/api/events/{MISSING}/denylist")).status_code == 401
    assert (await client.get(f"/api/events/{event['id']}/denylist")).status_code == 401
    assert (await client.get(f"/api/events/{MISSING}/denylist", headers=clinical)).status_code == 403
    assert (await client.get(f"/api/events/{event['id']}/denylist", headers=clinical)).status_code == 403
