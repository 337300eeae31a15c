"""The sandbox web API: the public timeline, audience replies, media of standing posts, drill faults."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from server.db.session_scope import transaction
from server.models import SandboxPost
from server.platforms.sandbox.adapter import ensure_account
from tests.factories import create_user, login
from tests.ui.harness import png_bytes

MARKUP = "<img src=x onerror=window.__pwned=1> <script>window.__pwned=1</script>"


async def _post(sessionmaker: Any, handle: str, text: str, *, audience: bool = False, reply_to: int | None = None,
                media: list[dict[str, Any]] | None = None, deleted: bool = False) -> int:
    async with transaction(sessionmaker) as session:
        account = await ensure_account(session, handle, audience=audience, display_name=handle.title())
        parent = await session.get(SandboxPost, reply_to) if reply_to else None
        post = SandboxPost(account_id=account.id, text=text, media=media or [], deleted=deleted,
                           reply_to_id=parent.id if parent else None,
                           root_id=(parent.root_id or parent.id) if parent else None)
        session.add(post)
        await session.flush()
        return post.id


def _reply(post_id: int, **overrides: Any) -> dict[str, Any]:
    body = {"in_reply_to": post_id, "handle": "sam_v", "display_name": "Sam Viewer", "text": "How long will it take?"}
    body.update(overrides)
    return body


async def test_feed_is_newest_first_with_threads_and_nested_replies(client: AsyncClient, sessionmaker: Any) -> None:
    assert (await client.get("/api/sandbox/feed")).json() == {"posts": []}
    first = await _post(sessionmaker, "hospital", "Good morning from the OR")
    await _post(sessionmaker, "hospital", "First incision", reply_to=first)
    question = await _post(sessionmaker, "sam", "Is the patient awake?", audience=True, reply_to=first)
    await _post(sessionmaker, "hospital", "No, asleep the whole time", reply_to=question)
    await _post(sessionmaker, "kim", "Same question!", audience=True, reply_to=question)
    await _post(sessionmaker, "hospital", "A deleted post", deleted=True)

    posts = (await client.get("/api/sandbox/feed")).json()["posts"]
    assert [p["text"] for p in posts] == ["First incision", "Good morning from the OR"]
    assert posts[0]["thread_parent_id"] == first and posts[0]["replies"] == []
    replies = posts[1]["replies"]
    assert [r["text"] for r in replies] == ["Is the patient awake?", "No, asleep the whole time", "Same question!"]
    assert replies[0]["author"] == {"handle": "sam", "display_name": "Sam", "is_audience": True}
    assert replies[1]["in_reply_to_id"] == question and replies[1]["in_reply_to_handle"] == "sam"
    assert posts[1]["url"] == f"/sandbox#post-{first}"


async def test_reply_is_stored_as_text_under_the_post(client: AsyncClient, sessionmaker: Any) -> None:
    post = await _post(sessionmaker, "hospital", "We are live")
    response = await client.post("/api/sandbox/replies", json=_reply(post, handle="@Sam_V", text=MARKUP,
                                                                     display_name=MARKUP[:40]))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["text"] == MARKUP and body["author"]["handle"] == "sam_v"
    assert body["author"]["display_name"] == MARKUP[:40] and body["in_reply_to_handle"] == "hospital"
    async with sessionmaker() as session:
        row = await session.get(SandboxPost, body["id"])
        assert row is not None and row.reply_to_id == post and row.root_id == post
    feed = (await client.get("/api/sandbox/feed")).json()["posts"]
    assert feed[0]["replies"][0]["text"] == MARKUP


@pytest.mark.parametrize(("overrides", "status"), [
    ({"text": ""}, 422), ({"text": "   "}, 422), ({"text": "x" * 501}, 422), ({"handle": "no spaces"}, 422),
    ({"handle": "x" * 31}, 422), ({"display_name": ""}, 422), ({"in_reply_to": 999}, 404),
    ({"handle": "hospital"}, 409), ({"handle": "HOSPITAL"}, 409), ({"extra": 1}, 422),
])
async def test_reply_is_validated(client: AsyncClient, sessionmaker: Any, overrides: dict[str, Any],
                                  status: int) -> None:
    post = await _post(sessionmaker, "hospital", "We are live")
    response = await client.post("/api/sandbox/replies", json=_reply(post, **overrides))
    assert response.status_code == status, response.text


async def test_a_deleted_post_takes_no_replies(client: AsyncClient, sessionmaker: Any) -> None:
    post = await _post(sessionmaker, "hospital", "Pulled back", deleted=True)
    assert (await client.post("/api/sandbox/replies", json=_reply(post))).status_code == 404


async def test_replies_are_rate_limited_per_address(client: AsyncClient, sessionmaker: Any) -> None:
    post = await _post(sessionmaker, "hospital", "We are live")
    for n in range(10):
        response = await client.post("/api/sandbox/replies", json=_reply(post, text=f"question {n}"))
        assert response.status_code == 201
    refused = await client.post("/api/sandbox/replies", json=_reply(post, text="one more"))
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 60


async def test_media_is_served_only_while_attached_to_a_standing_post(
    client: AsyncClient, app: FastAPI, sessionmaker: Any
) -> None:
    store = app.state.livecue.media_store
    attached, loose = store.put(png_bytes()), store.put(png_bytes(colour=(1, 2, 3)))
    media = [{"sha256": attached, "alt": "A surgeon", "mime_type": "image/png", "width": 320, "height": 200}]
    post = await _post(sessionmaker, "hospital", "With a photo", media=media)

    feed = (await client.get("/api/sandbox/feed")).json()["posts"]
    assert feed[0]["media"] == [{"url": f"/sandbox/media/{attached}", "alt": "A surgeon", "mime_type": "image/png",
                                 "width": 320, "height": 200}]
    served = await client.get(f"/sandbox/media/{attached}")
    assert served.status_code == 200 and served.content == store.get(attached)
    assert served.headers["content-type"] == "image/png"
    assert "sandbox" in served.headers["content-security-policy"]
    assert (await client.get(f"/sandbox/media/{loose}")).status_code == 404
    assert (await client.get("/sandbox/media/not-a-digest")).status_code == 404
    async with transaction(sessionmaker) as session:
        row = (await session.execute(select(SandboxPost).where(SandboxPost.id == post))).scalar_one()
        row.deleted = True
    assert (await client.get(f"/sandbox/media/{attached}")).status_code == 404


async def test_faults_are_for_operators(client: AsyncClient, app: FastAPI, sessionmaker: Any) -> None:
    assert (await client.get("/api/sandbox/faults")).status_code == 401
    clinical = await login(client, await create_user(sessionmaker, "clinical"))
    assert (await client.post("/api/sandbox/faults", json={"kind": "rate_limit"}, headers=clinical)).status_code == 403
    assert (await client.post("/api/sandbox/faults", json={}, headers=clinical)).status_code == 403
    assert (await client.delete("/api/sandbox/faults", headers=clinical)).status_code == 403
    comms = await login(client, await create_user(sessionmaker, "comms"))
    added = await client.post("/api/sandbox/faults", headers=comms,
                              json={"op": "publish", "kind": "server_error", "count": 2, "latency_seconds": 0.5})
    assert added.status_code == 200, added.text
    assert added.json() == {"latency_seconds": 0.5, "queued": {"publish": ["server_error", "server_error"]}}
    plan = app.state.livecue.registry.sandbox_faults
    assert (await plan.before("publish")) is not None
    assert (await client.get("/api/sandbox/faults", headers=comms)).json()["queued"] == {"publish": ["server_error"]}
    assert (await client.post("/api/sandbox/faults", headers=comms, json={"op": "publish"})).status_code == 422
    cleared = await client.delete("/api/sandbox/faults", headers=comms)
    assert cleared.json() == {"latency_seconds": 0.0, "queued": {}}
