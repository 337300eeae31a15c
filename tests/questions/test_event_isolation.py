"""Two events on one platform account: audience replies land only in the event whose thread they answer."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from server.clock import FakeClock
from server.db.session_scope import transaction
from server.models import Message, SandboxPost
from server.platforms.sandbox.adapter import ensure_account
from tests.livekit import prepare


async def test_replies_stay_with_their_event(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                             sessionmaker: Any) -> None:
    first = await prepare(client, app, clock, sessionmaker, offsets=[None], cues=["a"], holding=False)
    second = await prepare(client, app, clock, sessionmaker, offsets=[None], cues=["b"], holding=False)
    for kit in (first, second):
        await kit.post(f"/api/events/{kit.event['id']}/live/go")
        await kit.post(f"/api/items/{kit.items[0]['id']}/post-now")
        await kit.pump()
    posts = await first.sandbox_posts()
    assert len(posts) == 2
    async with transaction(sessionmaker) as session:
        fan = await ensure_account(session, "fan", audience=True)
        session.add(SandboxPost(account_id=fan.id, text="How long does it take?", reply_to_id=posts[0].id,
                                root_id=posts[0].id))
    await first.state.poller.tick()
    async with sessionmaker() as session:
        messages = (await session.execute(select(Message))).scalars().all()
    assert [(m.event_id, m.text) for m in messages] == [(first.event["id"], "How long does it take?")]
