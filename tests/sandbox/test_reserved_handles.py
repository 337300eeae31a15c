"""An event's accounts are reserved on the sandbox when the event is made: nobody can squat the hospital's handle."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient
from sqlalchemy import func, select

from server.db.session_scope import transaction
from server.models import SandboxAccount, SandboxPost
from server.platforms.sandbox.adapter import ensure_account
from tests.factories import create_event, create_user, login


async def _standing_post(sessionmaker: Any) -> int:
    async with transaction(sessionmaker) as session:
        account = await ensure_account(session, "elsewhere", audience=False, display_name="Another Hospital")
        post = SandboxPost(account_id=account.id, text="Hello from another event", media=[])
        session.add(post)
        await session.flush()
        return post.id


async def _account(sessionmaker: Any, handle: str) -> SandboxAccount | None:
    async with sessionmaker() as session:
        query = select(SandboxAccount).where(func.lower(SandboxAccount.handle) == handle.lower())
        return (await session.execute(query)).scalars().first()


async def test_creating_an_event_reserves_its_handles(client: AsyncClient, sessionmaker: Any) -> None:
    headers = await login(client, await create_user(sessionmaker, "comms"))
    post = await _standing_post(sessionmaker)
    await create_event(client, headers, platforms=[{"platform": "sandbox", "account": "stmarys"},
                                                   {"platform": "mastodon", "account": "stmarys_md"}])
    for handle in ("stmarys", "stmarys_md"):  # rehearsals post a remote account's items on the sandbox too
        account = await _account(sessionmaker, handle)
        assert account is not None and not account.is_audience
        squat = await client.post("/api/sandbox/replies", json={
            "in_reply_to": post, "handle": handle, "display_name": "Not The Hospital", "text": "hi"})
        assert squat.status_code == 409, squat.text


async def test_a_squatter_who_came_first_loses_the_handle(client: AsyncClient, sessionmaker: Any) -> None:
    headers = await login(client, await create_user(sessionmaker, "comms"))
    post = await _standing_post(sessionmaker)
    squat = await client.post("/api/sandbox/replies", json={
        "in_reply_to": post, "handle": "northgen", "display_name": "Totally the hospital", "text": "first!"})
    assert squat.status_code == 201
    event = await create_event(client, headers, platforms=[{"platform": "sandbox", "account": "NorthGen"}])
    reserved = await _account(sessionmaker, "northgen")
    assert reserved is not None and not reserved.is_audience and reserved.display_name == "Northgen"
    async with sessionmaker() as session:
        squatter = (await session.execute(select(SandboxAccount).join(SandboxPost).where(
            SandboxPost.id == squat.json()["id"]))).scalar_one()
    assert squatter.is_audience and squatter.handle != "northgen" and squatter.display_name == "Totally the hospital"
    feed = (await client.get("/api/sandbox/feed")).json()["posts"]
    assert feed[0]["replies"][0]["author"]["handle"] == squatter.handle
    # Changing the event's accounts reserves the new ones too.
    changed = await client.patch(f"/api/events/{event['id']}", headers=headers,
                                 json={"platforms": [{"platform": "sandbox", "account": "northgen_live"}]})
    assert changed.status_code == 200, changed.text
    later = await _account(sessionmaker, "northgen_live")
    assert later is not None and not later.is_audience
