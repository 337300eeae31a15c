"""The event's allow-list for the PHI screen: staff names, the staff directory, the title, consented people."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient

from server.clock import FakeClock
from server.models import Event
from server.timeline.screening import allow_list
from tests.factories import create_event, create_item, create_user, login


async def test_allow_list_gathers_every_name_that_may_appear(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                             sessionmaker: Any) -> None:
    user = await create_user(sessionmaker, "comms")
    author = await login(client, user)
    created = await create_event(client, author, title="Live bypass at Riverside General",
                                 staff_names=["Dr. Amara Okoye"])
    consent = await client.post(f"/api/events/{created['id']}/authorizations", headers=author, json={
        "key": "family-story", "person": "Beatrix Holloway (daughter)", "role": "family",
        "covers": ["story"], "signed_on": "2026-11-01"})
    assert consent.status_code == 201, consent.text
    async with sessionmaker() as session:
        event = await session.get(Event, created["id"])
        names = await allow_list(session, event)
    assert "Dr. Amara Okoye" in names
    assert {"Riverside", "General"} <= set(names)
    assert "Beatrix Holloway (daughter)" in names
    assert user.display_name in names  # the staff directory


async def test_an_item_naming_someone_outside_the_allow_list_is_flagged(client: AsyncClient, app: FastAPI,
                                                                      clock: FakeClock, sessionmaker: Any) -> None:
    author = await login(client, await create_user(sessionmaker, "comms"))
    created = await create_event(client, author, staff_names=["Dr. Amara Okoye"])
    item = await create_item(client, author, created["id"], key="thanks",
                             caption="Dr. Okoye thanks Wilhelmina for the flowers.")
    findings = item["findings"]
    assert [(f["kind"], f["field"]) for f in findings] == [("name", "caption")]
