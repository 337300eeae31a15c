"""A ready-to-run event for live and publishing tests: users, consent, approved items, driving helpers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from server.clock import FakeClock
from server.models import Delivery, SandboxPost
from server.state import AppState
from tests.factories import create_event, create_item, create_user, login, set_denylist


@dataclass
class LiveKit:
    """Handles on a prepared event."""

    client: AsyncClient
    app: FastAPI
    clock: FakeClock
    event: dict[str, Any]
    comms: dict[str, str]
    author: dict[str, str]
    clinical: dict[str, str]
    items: list[dict[str, Any]] = field(default_factory=list)

    @property
    def state(self) -> AppState:
        """The app's long-lived services."""
        state: AppState = self.app.state.livecue
        return state

    async def approve(self, item: dict[str, Any]) -> dict[str, Any]:
        """Approve an item by comms and clinical."""
        for headers in (self.comms, self.clinical):
            response = await self.client.post(f"/api/items/{item['id']}/approve",
                                              json={"version": item["version"]}, headers=headers)
            assert response.status_code == 200, response.text
        return dict(response.json())

    async def pump(self, rounds: int = 5) -> None:
        """Run the scheduler and the dispatcher until nothing is left to do now."""
        for _ in range(rounds):
            await self.state.scheduler.tick()
            if not await self.state.dispatcher.run_once():
                break

    async def post(self, path: str, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> Any:
        """POST as the operator."""
        return await self.client.post(path, json=body or {}, headers=headers or self.comms)

    async def sandbox_posts(self) -> list[SandboxPost]:
        """Everything on the sandbox, oldest first."""
        async with self.app.state.livecue.sessionmaker() as session:
            return list((await session.execute(select(SandboxPost).order_by(SandboxPost.id))).scalars())

    async def deliveries(self) -> list[Delivery]:
        """Every delivery."""
        async with self.app.state.livecue.sessionmaker() as session:
            return list((await session.execute(select(Delivery).order_by(Delivery.id))).scalars())


async def prepare(client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any, *,
                  offsets: list[str | None], cues: list[str | None] | None = None,
                  holding: bool = True, denylist: bool = True) -> LiveKit:
    """An event on the sandbox with a patient consent, the patient denylist (unless `denylist` is False: going live
    needs it) and approved items at the given offsets."""
    author = await login(client, await create_user(sessionmaker, "comms"))
    comms = await login(client, await create_user(sessionmaker, "comms"))
    clinical = await login(client, await create_user(sessionmaker, "clinical"))
    event = await create_event(client, author, planned_start=clock.now().isoformat())
    consent = await client.post(f"/api/events/{event['id']}/authorizations", headers=author, json={
        "key": "patient-consent", "person": "Patient A (form on file)", "role": "patient",
        "covers": ["photos", "story"], "signed_on": "2026-11-01"})
    assert consent.status_code == 201, consent.text
    if denylist:
        await set_denylist(client, author, event["id"])
    kit = LiveKit(client=client, app=app, clock=clock, event=event, comms=comms, author=author, clinical=clinical)
    cues = cues or [None] * len(offsets)
    for index, (offset, cue) in enumerate(zip(offsets, cues, strict=True), start=1):
        body: dict[str, Any] = {"caption": f"Update {index}: the team is at step {index}. #LiveOR",
                                "key": f"step-{index}", "offset": offset}
        if cue:
            body["cue"] = cue
        item = await create_item(client, author, event["id"], **body)
        kit.items.append(await kit.approve(item))
    if holding:
        item = await create_item(client, author, event["id"], kind="holding", key="holding", offset=None,
                                 caption="We are pausing our updates while the team focuses on the patient.")
        await kit.approve(item)
    return kit
