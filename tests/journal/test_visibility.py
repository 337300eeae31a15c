"""One visibility rule for the journal: the REST journal shows each role exactly what the live feed streams it."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from server.db.session_scope import transaction
from server.feed.hub import FeedHub
from server.journal import service as journal
from server.journal.visibility import visible
from tests.factories import create_event, create_user, login


async def _rest_kinds(client: AsyncClient, event_id: int, headers: dict[str, str], limit: int = 200) -> list[str]:
    kinds: list[str] = []
    after = 0
    while True:
        page = (await client.get(f"/api/events/{event_id}/journal?after={after}&limit={limit}",
                                 headers=headers)).json()
        kinds += [e["kind"] for e in page["entries"]]
        if not page["more"]:
            return kinds
        assert page["last_seq"] > after
        after = page["last_seq"]


async def test_rest_journal_and_feed_apply_the_same_rule(client: AsyncClient, sessionmaker: Any, app: Any) -> None:
    comms_user, clinical_user = await create_user(sessionmaker, "comms"), await create_user(sessionmaker, "clinical")
    comms, clinical = await login(client, comms_user), await login(client, clinical_user)
    event = await create_event(client, comms)
    denylist = await client.put(f"/api/events/{event['id']}/denylist", json={"entries": ["Jane Q. Patient"]},
                                headers=comms)
    assert denylist.status_code == 200, denylist.text
    async with transaction(sessionmaker) as session:
        for kind in ("credentials.rotated", "user.note", "auth.note", "item.note"):
            await journal.record(session, actor=None, kind=kind, subject_type="event", event_id=event["id"])

    seen_by_clinical = await _rest_kinds(client, event["id"], clinical)
    assert "denylist.replaced" not in seen_by_clinical and "credentials.rotated" not in seen_by_clinical
    assert {"event.created", "item.note"} <= set(seen_by_clinical)
    seen_by_comms = await _rest_kinds(client, event["id"], comms)
    assert "denylist.replaced" in seen_by_comms

    hub: FeedHub = app.state.livecue.feed
    async with sessionmaker() as session:
        entries = await journal.entries_after(session, event_id=event["id"], limit=1000)
    for user, kinds in ((clinical_user, seen_by_clinical), (comms_user, seen_by_comms)):
        sub = hub.subscribe(user, event["id"])
        assert [e.kind for e in entries if sub.wants(e)] == kinds
        assert [e.kind for e in entries if visible(e, user)] == kinds
        hub.unsubscribe(sub)
    # Paging with entries hidden in between still walks the whole journal.
    assert await _rest_kinds(client, event["id"], clinical, limit=1) == seen_by_clinical
