"""Shared helpers for the audience-question tests (this module holds no tests of its own).

A Q&A kit is a live event on the sandbox whose first timeline post is already out: audience replies are
SandboxPost rows under it, written as an audience member would, and the app's poller reads them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from server.clock import FakeClock
from server.db.session_scope import transaction
from server.models import IngestCursor, JournalEntry, Message, SandboxPost
from server.platforms.base import IncomingMessage, IncomingPage, RemoteRef
from server.platforms.sandbox.adapter import ensure_account
from server.questions.ingest import IngestResult
from tests.factories import create_event, create_item, create_user, login, set_denylist
from tests.livekit import LiveKit

HOSPITAL = "hospital"


async def qa_kit(client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any,
                 **event: Any) -> LiveKit:
    """A live event with a patient consent, one posted timeline item and two clinicians."""
    author = await login(client, await create_user(sessionmaker, "comms"))
    comms = await login(client, await create_user(sessionmaker, "comms"))
    clinical = await login(client, await create_user(sessionmaker, "clinical"))
    created = await create_event(client, author, planned_start=clock.now().isoformat(), **event)
    consent = await client.post(f"/api/events/{created['id']}/authorizations", headers=author, json={
        "key": "patient-consent", "person": "Patient A (form on file)", "role": "patient",
        "covers": ["photos", "story"], "signed_on": "2026-11-01"})
    assert consent.status_code == 201, consent.text
    await set_denylist(client, author, created["id"])
    kit = LiveKit(client=client, app=app, clock=clock, event=created, comms=comms, author=author,
                  clinical=clinical)
    item = await create_item(client, author, created["id"], key="welcome", offset=None, cue="start",
                             caption="Welcome to the live case. Ask the team your questions! #LiveOR")
    for headers in (clinical, comms):  # clinical first: enough on its own under a one-approval policy
        approved = await client.post(f"/api/items/{item['id']}/approve", json={"version": 1}, headers=headers)
        assert approved.status_code == 200, approved.text
        if approved.json()["status"] == "approved":
            break
    kit.items.append(approved.json())
    assert (await kit.post(f"/api/events/{created['id']}/live/go")).status_code == 200
    assert (await kit.post(f"/api/items/{item['id']}/post-now")).status_code == 200
    await kit.pump()
    return kit


async def headers_for(kit: LiveKit, *roles: str) -> dict[str, str]:
    """Log in a new user with these roles."""
    return await login(kit.client, await create_user(kit.app.state.livecue.sessionmaker, *roles))


async def root_post(kit: LiveKit) -> SandboxPost:
    """The hospital's first post on the sandbox (the event thread's root)."""
    posts = await kit.sandbox_posts()
    assert posts, "the event has not posted yet"
    return posts[0]


async def audience_reply(kit: LiveKit, handle: str, text: str, parent: SandboxPost | None = None) -> SandboxPost:
    """An audience member replies on the sandbox (by default to the thread's root)."""
    parent = parent or await root_post(kit)
    async with transaction(kit.app.state.livecue.sessionmaker) as session:
        account = await ensure_account(session, handle, audience=True, display_name=handle.title())
        post = SandboxPost(account_id=account.id, text=text, reply_to_id=parent.id,
                           root_id=parent.root_id or parent.id)
        session.add(post)
        await session.flush()
        return post


async def poll(kit: LiveKit) -> IngestResult:
    """One round of the app's poller."""
    result: IngestResult = await kit.state.poller.tick()
    return result


async def messages(kit: LiveKit) -> list[Message]:
    """Every stored message of the kit's event, oldest first."""
    async with kit.app.state.livecue.sessionmaker() as session:
        query = select(Message).where(Message.event_id == kit.event["id"]).order_by(Message.id)
        return list((await session.execute(query)).scalars())


async def cursor(kit: LiveKit, platform: str = "sandbox") -> IngestCursor | None:
    """The stored ingest cursor of the event's account on `platform`."""
    async with kit.app.state.livecue.sessionmaker() as session:
        query = select(IngestCursor).where(IngestCursor.event_id == kit.event["id"],
                                           IngestCursor.platform == platform)
        return (await session.execute(query)).scalar_one_or_none()


async def set_cursor(kit: LiveKit, value: str | None, platform: str = "sandbox") -> None:
    """Move the stored cursor (to replay an overlapping window)."""
    async with transaction(kit.app.state.livecue.sessionmaker) as session:
        row = (await session.execute(select(IngestCursor).where(
            IngestCursor.event_id == kit.event["id"], IngestCursor.platform == platform))).scalar_one()
        row.cursor = value


async def journal(kit: LiveKit, kind: str) -> list[JournalEntry]:
    """The event's journal entries of one kind."""
    async with kit.app.state.livecue.sessionmaker() as session:
        query = select(JournalEntry).where(JournalEntry.event_id == kit.event["id"], JournalEntry.kind == kind)
        return list((await session.execute(query.order_by(JournalEntry.seq))).scalars())


async def queue(kit: LiveKit, **params: str) -> list[dict[str, Any]]:
    """The clinical queue as a clinician sees it."""
    response = await kit.client.get(f"/api/events/{kit.event['id']}/questions", params=params,
                                    headers=kit.clinical)
    assert response.status_code == 200, response.text
    return list(response.json())


async def ask(kit: LiveKit, questions: Sequence[tuple[str, str]]) -> list[SandboxPost]:
    """Audience replies (handle, text) under the root, then one poll that stores them all."""
    posts = [await audience_reply(kit, handle, text) for handle, text in questions]
    result = await poll(kit)
    assert len(result.stored) == len(posts), result
    return posts


@dataclass
class ScriptedPlatform:
    """An adapter whose incoming pages are scripted (for input no real platform would let us post)."""

    pages: list[list[IncomingMessage]]
    fail_with: BaseException | None = None
    fetched: int = 0

    async def fetch_incoming(self, cursor: str | None) -> IncomingPage:
        """The next scripted page; the cursor counts pages."""
        self.fetched += 1
        if self.fail_with is not None:
            raise self.fail_with
        index = int(cursor or 0)
        page = self.pages[index] if index < len(self.pages) else []
        return IncomingPage(messages=page, cursor=str(index + 1) if page else cursor)

    async def fetch_thread_replies(self, roots: Sequence[RemoteRef]) -> list[IncomingMessage]:
        """Nothing beyond the scripted pages."""
        return []


def incoming(external_id: str, text: Any, *, handle: str = "reader", received_at: Any = None,
             platform: str = "sandbox") -> IncomingMessage:
    """A message as an adapter would hand it over (fields may be deliberately wrong)."""
    return IncomingMessage(platform=platform, external_id=external_id, author_handle=handle,
                           author_name=handle.title(), text=text,
                           received_at=received_at or datetime(2026, 12, 1, 12, 5, tzinfo=UTC))
