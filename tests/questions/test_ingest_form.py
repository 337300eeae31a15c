"""The public question form: stores text literally, 404 unless the event is live, 429 on floods."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from server.clock import FakeClock
from server.ratelimit import SlidingWindow
from tests.factories import create_event
from tests.questions.qakit import messages, qa_kit, queue

MARKUP = '<script>alert("x")</script><img src=x onerror=alert(1)> **How** long does [it](javascript:x) take?'


async def test_form_stores_text_literally_and_rejects_floods(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                             sessionmaker: Any) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    seconds = [0.0]
    kit.state.form_limiter = SlidingWindow(10, 60.0, now=lambda: seconds[0])
    url = f"/api/public/events/{kit.event['slug']}/questions"

    response = await client.post(url, json={"name": "<b>Guest</b>", "text": MARKUP})
    assert response.status_code == 202 and response.json() == {"status": "received"}
    (row,) = await messages(kit)
    assert (row.platform, row.text, row.author_name) == ("form", MARKUP, "<b>Guest</b>")
    assert re.fullmatch(r"form:sender-[0-9a-f]{12}", row.author_handle)  # a keyed hash, never the address
    assert row.received_at == clock.now()
    (group,) = await queue(kit)
    assert group["messages"][0]["text"] == MARKUP  # returned as the same plain string, never interpreted

    assert (await client.post(url, json={"text": "x" * 1001})).status_code == 422
    assert (await client.post(url, json={"text": ""})).status_code == 422
    assert (await client.post(url, json={"text": "hi", "html": "<b>"})).status_code == 422

    # Whitespace passes the schema but is stored as rejected, never queued.
    assert (await client.post(url, json={"text": "   "})).status_code == 202
    assert (await messages(kit))[-1].status == "rejected"

    codes = [(await client.post(url, json={"text": f"Question {n}: is it safe?"})).status_code for n in range(10)]
    assert codes == [202] * 8 + [429] * 2  # 10 a minute per address (422s never reach the limiter)
    flood = await client.post(url, json={"text": "again?"})
    assert flood.status_code == 429 and flood.json()["retry_after"] == 60
    assert len(await messages(kit)) == 10
    seconds[0] += 61  # a minute later the address may ask again
    assert (await client.post(url, json={"text": "And now?"})).status_code == 202


async def test_staff_see_same_sender_groupings_never_addresses(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                               sessionmaker: Any) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    url = f"/api/public/events/{kit.event['slug']}/questions"
    senders = {"203.0.113.77": ("How long is the surgery?", "Is the surgeon the one from the news?"),
               "2001:db8::77": ("Can family watch the operation?",)}
    for address, texts in senders.items():
        transport = ASGITransport(app=app, client=(address, 40000))
        async with AsyncClient(transport=transport, base_url="http://testserver") as visitor:
            for text in texts:
                assert (await visitor.post(url, json={"name": "Guest", "text": text})).status_code == 202
    rows = await messages(kit)
    handles = {row.text: row.author_handle for row in rows}
    first, second = senders["203.0.113.77"]
    assert handles[first] == handles[second] != handles["Can family watch the operation?"]
    staff_view = (await client.get(f"/api/events/{kit.event['id']}/questions", headers=kit.comms)).text
    assert "203.0.113" not in staff_view and "2001:db8" not in staff_view
    assert handles[first] in staff_view


async def test_form_404_for_events_that_are_not_live(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                     sessionmaker: Any) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    draft = await create_event(client, kit.author)
    for slug in (draft["slug"], "no-such-event"):
        missing = await client.post(f"/api/public/events/{slug}/questions", json={"text": "Is it live?"})
        assert missing.status_code == 404, missing.text
    assert (await kit.post(f"/api/events/{kit.event['id']}/live/end")).status_code == 200
    ended = await client.post(f"/api/public/events/{kit.event['slug']}/questions", json={"text": "Still there?"})
    assert ended.status_code == 404
    assert await messages(kit) == []


async def test_a_resent_submission_is_stored_once(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                  sessionmaker: Any) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    url = f"/api/public/events/{kit.event['slug']}/questions"
    body = {"name": "Sam", "text": "Does the heart stop during the bypass?", "submission_id": "q-1f3a9c7e2b"}
    answers = [(await client.post(url, json=body)).status_code for _ in range(3)]
    assert answers == [202, 202, 202]  # a form that lost the answer may safely send again
    assert [m.text for m in await messages(kit)] == [body["text"]]
    other = await client.post(url, json={**body, "submission_id": "q-other-0001"})
    assert other.status_code == 202 and len(await messages(kit)) == 2
    bad = await client.post(url, json={**body, "submission_id": "<script>"})
    assert bad.status_code == 422 and "submission_id" in bad.text
