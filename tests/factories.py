"""Plain factory functions for tests."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth import service as auth_service
from server.db.session_scope import transaction
from server.models import User

PASSWORD = "correct-horse-battery"
_counter = itertools.count(1)


async def create_user(sessionmaker: async_sessionmaker[AsyncSession], *roles: str,
                      username: str | None = None) -> User:
    """Add a user with the given roles (committed)."""
    name = username or f"{'-'.join(roles) or 'user'}{next(_counter)}"
    async with transaction(sessionmaker) as session:
        return await auth_service.create_user(session, username=name, display_name=name.title(),
                                              password=PASSWORD, roles=list(roles))


async def login(client: AsyncClient, user: User) -> dict[str, str]:
    """Log in through the API; returns bearer headers."""
    response = await client.post("/api/auth/login", json={"username": user.username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    client.cookies.clear()
    return {"Authorization": f"Bearer {response.json()['token']}"}


def event_payload(**overrides: Any) -> dict[str, Any]:
    """A valid event creation body."""
    body: dict[str, Any] = {
        "slug": f"event-{next(_counter)}",
        "title": "Live from the OR",
        "hashtag": "#LiveOR",
        "timezone": "America/Toronto",
        "planned_start": datetime(2026, 12, 1, 12, 30, tzinfo=UTC).isoformat(),
        "platforms": [{"platform": "sandbox", "account": "hospital"}],
        "safety_delay_seconds": 0,  # tests of the delay itself set it (tests/live/test_safety_delay.py)
    }
    body.update(overrides)
    return body


def item_payload(**overrides: Any) -> dict[str, Any]:
    """A valid timeline item body."""
    body: dict[str, Any] = {"caption": "The team is scrubbing in. #LiveOR", "offset": "T+00:15"}
    body.update(overrides)
    return body


async def create_event(client: AsyncClient, headers: dict[str, str], **overrides: Any) -> dict[str, Any]:
    """Create an event through the API."""
    response = await client.post("/api/events", json=event_payload(**overrides), headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def create_item(client: AsyncClient, headers: dict[str, str], event_id: int,
                      **overrides: Any) -> dict[str, Any]:
    """Create an item through the API."""
    response = await client.post(f"/api/events/{event_id}/items", json=item_payload(**overrides),
                                 headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


# Go-live needs the patient denylist (server/live/service.py); kits set this placeholder, which no test text uses.
TEST_DENYLIST = ["Quillon Vexbridge", "MRN 00-TEST-4242"]


async def set_denylist(client: AsyncClient, headers: dict[str, str], event_id: int,
                       entries: list[str] | None = None) -> None:
    """Set the event's patient denylist through the API (a comms user's headers)."""
    response = await client.put(f"/api/events/{event_id}/denylist", headers=headers,
                                json={"entries": entries or TEST_DENYLIST})
    assert response.status_code == 200, response.text
