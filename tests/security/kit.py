"""Shared set-up of the security tests: a live event with items, a post, a consent, questions and media."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.app import create_app
from server.clock import Clock
from server.config import Settings
from server.models import Delivery, Message, QuestionGroup
from tests.auth.route_rules import api_routes
from tests.factories import create_event, create_item, create_user, login, set_denylist
from tests.ui.harness import png_bytes

CONSENT = {"key": "patient-consent", "person": "Patient A (form on file)", "role": "patient",
           "covers": ["photos", "story"], "signed_on": "2026-11-01"}
QUESTIONS = ("How long does the operation take?", "Is the patient awake during it?",
             "Which anaesthetic do you use?")


@dataclass
class Seeded:
    """Ids of everything the seed created, and the bearer headers of an admin+comms+clinical user."""

    headers: dict[str, str]
    user_id: int
    event_id: int
    slug: str
    item_ids: list[int]
    flagged_item_id: int
    authorization_id: int
    media_sha256: str
    delivery_ids: list[int] = field(default_factory=list)
    group_ids: list[int] = field(default_factory=list)
    message_ids: list[int] = field(default_factory=list)

    def ids_for(self, name: str) -> list[Any]:
        """Existing values for a path parameter of that name (empty when unknown)."""
        table: dict[str, list[Any]] = {
            "event_id": [self.event_id], "item_id": self.item_ids, "authorization_id": [self.authorization_id],
            "delivery_id": self.delivery_ids, "group_id": self.group_ids, "message_id": self.message_ids,
            "sha256": [self.media_sha256], "slug": [self.slug], "index": [0, 1],
        }
        return table.get(name, [])


def full_app(settings: Settings, clock: Clock | None = None) -> FastAPI:
    """The production app with the page and sandbox routers (added only if app.py does not include them)."""
    app = create_app(settings, clock=clock)
    paths = {route.path for route in api_routes(app)}
    if "/console" not in paths:
        from server.pages.router import router as pages_router

        app.include_router(pages_router)
    if "/api/sandbox/feed" not in paths:
        from server.sandbox.router import router as sandbox_router

        app.include_router(sandbox_router)
    return app


def client_from(app: FastAPI, address: str) -> AsyncClient:
    """A client calling from a given network address; a crash is a 500 response, not an exception."""
    transport = ASGITransport(app=app, raise_app_exceptions=False, client=(address, 40000))
    return AsyncClient(transport=transport, base_url="http://testserver")


async def approve(client: AsyncClient, item: dict[str, Any], *approvers: dict[str, str]) -> dict[str, Any]:
    """Approve the item's current version by each approver in turn."""
    body = item
    for headers in approvers:
        response = await client.post(f"/api/items/{item['id']}/approve", json={"version": item["version"]},
                                     headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
    return dict(body)


async def upload_png(client: AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    """Upload a PNG; returns a media reference for an item."""
    response = await client.post("/api/media", files={"file": ("or.png", png_bytes(), "image/png")},
                                 headers=headers)
    assert response.status_code == 201, response.text
    media = response.json()
    return {"sha256": media["sha256"], "alt_text": "The operating room, prepared", "mime_type": media["mime_type"],
            "size_bytes": media["size_bytes"], "width": media["width"], "height": media["height"]}


async def seed_live_event(client: AsyncClient, app: FastAPI,
                          sessionmaker: async_sessionmaker[AsyncSession]) -> Seeded:
    """A live sandbox event: approved items (one posted, with a photo), a flagged draft, and audience questions."""
    boss = await create_user(sessionmaker, "admin", "comms", "clinical")
    headers = await login(client, boss)
    reviewer = await login(client, await create_user(sessionmaker, "comms"))
    clinician = await login(client, await create_user(sessionmaker, "clinical"))
    event = await create_event(client, headers, planned_start=datetime.now(UTC).isoformat())
    consent = await client.post(f"/api/events/{event['id']}/authorizations", json=CONSENT, headers=headers)
    assert consent.status_code == 201, consent.text
    await set_denylist(client, headers, event["id"])
    photo = await upload_png(client, headers)
    items = [
        await create_item(client, headers, event["id"], key="photo", offset=None, cue="room", media=[photo],
                          caption="The room is ready for the team. #LiveOR"),
        await create_item(client, headers, event["id"], key="step-1", offset="T+00:30",
                          caption="First step under way. #LiveOR"),
        await create_item(client, headers, event["id"], key="holding", kind="holding", offset=None,
                          caption="We are pausing our updates while the team focuses on the patient."),
    ]
    approved = [await approve(client, item, reviewer, clinician) for item in items]
    flagged = await create_item(client, headers, event["id"], key="flagged", offset=None, cue="phone",
                                caption="Call 613-555-0142 for updates. #LiveOR")
    draft = await create_item(client, headers, event["id"], key="draft", offset=None, cue="draft",
                              caption="A draft nobody approved yet. #LiveOR")
    live = await client.post(f"/api/events/{event['id']}/live/go", json={}, headers=headers)
    assert live.status_code == 200, live.text
    posted = await client.post(f"/api/items/{approved[0]['id']}/post-now", json={}, headers=headers)
    assert posted.status_code == 200, posted.text
    await app.state.livecue.dispatcher.run_once()
    for text in QUESTIONS:
        asked = await client.post(f"/api/public/events/{event['slug']}/questions",
                                  json={"name": "Sam", "text": text})
        assert asked.status_code == 202, asked.text
    async with sessionmaker() as session:
        deliveries = list((await session.execute(select(Delivery.id).order_by(Delivery.id))).scalars())
        groups = list((await session.execute(select(QuestionGroup.id).order_by(QuestionGroup.id))).scalars())
        messages = list((await session.execute(select(Message.id).order_by(Message.id))).scalars())
    assert deliveries and groups and messages
    return Seeded(headers=headers, user_id=boss.id, event_id=event["id"], slug=event["slug"],
                  item_ids=[i["id"] for i in approved] + [flagged["id"], draft["id"]],
                  flagged_item_id=flagged["id"], authorization_id=consent.json()["id"],
                  media_sha256=photo["sha256"], delivery_ids=deliveries, group_ids=groups, message_ids=messages)
