"""The queue pages by cursor, and a new emergency or personal-medical question is never pushed out of view.

A burst of false alarms once filled the list (cut at 100 groups) so that a new personal-medical question was
not in it. Urgent groups now come first, newest first, and the rest of the queue is reachable page by page.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient

from server.clock import FakeClock
from server.db.session_scope import transaction
from server.models import QuestionGroup
from tests.livekit import LiveKit
from tests.questions.qakit import qa_kit


async def add_groups(kit: LiveKit, label: str, count: int, *, start_minutes: int, size: int = 1) -> list[int]:
    """`count` open groups with this label, asked one minute apart from `start_minutes` after the clock."""
    ids = []
    async with transaction(kit.app.state.livecue.sessionmaker) as session:
        for n in range(count):
            at = kit.clock.now() + timedelta(minutes=start_minutes + n)
            group = QuestionGroup(event_id=kit.event["id"], label=label, text=f"{label} {n}", size=size + n % 3,
                                  status="open", created_at=at, last_asked_at=at)
            session.add(group)
            await session.flush()
            ids.append(group.id)
    return ids


async def page(kit: LiveKit, **params: Any) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the queue as the tablet asks for it, and the next page's cursor."""
    response = await kit.client.get(f"/api/events/{kit.event['id']}/questions", params=params, headers=kit.clinical)
    assert response.status_code == 200, response.text
    cursor = response.headers.get("X-Next-Cursor")
    if cursor:
        assert 'rel="next"' in response.headers["Link"] and f"cursor={cursor}" in response.headers["Link"]
    return list(response.json()), cursor


async def test_urgent_groups_lead_newest_first_and_every_group_is_reachable_by_cursor(
        client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    questions = await add_groups(kit, "question", 130, start_minutes=0)
    alarms = await add_groups(kit, "emergency", 120, start_minutes=200)  # a burst of false alarms
    (personal,) = await add_groups(kit, "personal_medical", 1, start_minutes=400)

    first, cursor = await page(kit)  # the default request, as existing clients make it: a plain list
    assert len(first) == 100 and cursor is not None
    assert first[0]["id"] == personal  # the newest urgent group is on top, whatever came before it
    assert [g["id"] for g in first[1:]] == alarms[::-1][:99]

    seen = [g["id"] for g in first]
    while cursor:
        more, cursor = await page(kit, cursor=cursor, limit=64)
        assert len(more) <= 64
        seen += [g["id"] for g in more]
    assert len(seen) == len(set(seen)) == 251
    tail = seen[121:]
    assert sorted(tail) == sorted(questions)
    sizes = [g["size"] for g in (await page(kit, label="question", limit=200))[0]]
    assert sizes == sorted(sizes, reverse=True)  # then the biggest questions first

    # A new emergency goes straight to the top of the first page.
    (new_alarm,) = await add_groups(kit, "emergency", 1, start_minutes=500)
    assert (await page(kit))[0][0]["id"] == new_alarm


async def test_a_bad_cursor_or_limit_is_refused(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                sessionmaker: Any) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    url = f"/api/events/{kit.event['id']}/questions"
    for params in ({"cursor": "not-a-cursor"}, {"cursor": "eyJ0IjoxLCJpIjoxfQ"}, {"limit": 0}, {"limit": 201}):
        response = await client.get(url, params=params, headers=kit.clinical)
        assert response.status_code in (400, 422), (params, response.text)
    assert (await client.get(url, params={"cursor": "not-a-cursor"}, headers=kit.clinical)).json()["field"] == "cursor"
    last, cursor = await page(kit)
    assert last == [] and cursor is None


async def test_urgent_groups_asked_at_the_same_moment_page_emergencies_first(
        client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    async with transaction(sessionmaker) as session:
        at = clock.now() + timedelta(minutes=5)
        labels = ["personal_medical", "emergency", "question", "personal_medical", "emergency"]
        groups = [QuestionGroup(event_id=kit.event["id"], label=label, text=f"{label} {n}", size=1, status="open",
                                created_at=at, last_asked_at=at) for n, label in enumerate(labels)]
        session.add_all(groups)
    seen: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:  # one group a page: every boundary goes through the cursor
        more, cursor = await page(kit, limit=1, **({"cursor": cursor} if cursor else {}))
        seen += more
        if not cursor:
            break
    assert [g["label"] for g in seen] == ["emergency", "emergency", "personal_medical", "personal_medical",
                                          "question"]
    assert len({g["id"] for g in seen}) == 5
