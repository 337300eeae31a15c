"""The recap's page and exports: holds, corrections and per-clinician times shown; untrusted text inert; files
self-contained; bad input named; the page is for staff only."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from server.cli import main
from server.config import Settings
from server.journal import service as journal
from server.models import Delivery, Item, Message, QuestionGroup
from tests.factories import create_user, login
from tests.recap.rows import START, ended_event

HOSTILE = '=HYPERLINK("http://evil.example")<script>alert(1)</script>'


async def _with_story(session: AsyncSession, sessionmaker: Any) -> int:
    """The ended event plus a hold and resume, a correction, and one question answered by a clinician."""
    event = await ended_event(session)
    clinician = await create_user(sessionmaker, "clinical", username="drlee")
    item = Item(event_id=event.id, key="correction-dose", kind="post", status="posted")
    group = QuestionGroup(event_id=event.id, label="question", text="how long?", size=1, status="answered")
    session.add_all([item, group])
    await session.flush()
    session.add(Delivery(event_id=event.id, item_id=item.id, purpose="thread", platform="sandbox", account="h",
                         idempotency_key="corr", text=f"Correction: {HOSTILE}", status="posted",
                         remote_url="/sandbox#post-9", posted_at=START + timedelta(minutes=40)))
    asked = Message(event_id=event.id, platform="sandbox", external_id="q9", author_handle="carla",
                    author_name="Carla", text="How long?", received_at=START + timedelta(minutes=5),
                    label="question", status="answered", group_id=group.id)
    session.add(asked)
    await session.flush()
    for kind, payload, actor in (
            ("event.status", {"from": "live", "to": "held"}, None),
            ("event.status", {"from": "held", "to": "live"}, None),
            ("answer.queued", {"item_id": item.id, "mode": "reply_each", "deliveries": 1}, clinician),
            ("delivery.posted", {"question_id": asked.id, "platform": "sandbox"}, None)):
        entry = await journal.record(session, actor=actor, kind=kind, subject_type="x", event_id=event.id,
                                     subject_id=group.id if kind == "answer.queued" else event.id, payload=payload)
        entry.at = START + timedelta(minutes=8)
    await session.commit()
    return event.id


async def test_recap_exports_show_holds_corrections_and_clinicians(client: AsyncClient, session: AsyncSession,
                                                                   sessionmaker: Any) -> None:
    event_id = await _with_story(session, sessionmaker)
    staff = await login(client, await create_user(sessionmaker, "comms"))

    recap = (await client.get(f"/api/events/{event_id}/recap", headers=staff)).json()
    assert [m["kind"] for m in recap["moments"]] == ["hold", "resume", "correction"]
    assert recap["questions"]["per_clinician"] == [
        {"name": "Drlee", "answered": 1, "time_to_reply": {"count": 1, "median_seconds": 180.0, "p90_seconds": 180.0}}]

    page = await client.get(f"/api/events/{event_id}/recap.html", headers=staff)
    assert page.status_code == 200
    assert page.headers["content-disposition"] == 'attachment; filename="recap-heart.html"'
    html = page.text
    assert "<script" not in html and "&lt;script&gt;" in html  # post text is shown as text
    assert "<style>" in html and "<svg" in html and 'href="/ui/' not in html  # self-contained
    assert " src=" not in html  # nothing fetched from anywhere

    text = (await client.get(f"/api/events/{event_id}/recap.csv", headers=staff)).text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["section", "time", "platform", "name", "value", "url"]
    assert ["followers", "2026-12-01T13:00:00+00:00", "sandbox", "followers", "160", ""] in rows
    assert not any(cell.startswith("=") for row in rows for cell in row)  # formulas defused
    exported = await client.get(f"/api/events/{event_id}/recap.json", headers=staff)
    assert json.loads(exported.text)["event_id"] == event_id

    assert (await client.get(f"/api/events/{event_id}/recap.pdf", headers=staff)).status_code == 422
    missing = await client.get("/api/events/999999/recap", headers=staff)
    assert missing.status_code == 404 and "event" in missing.text


async def test_the_page_is_for_signed_in_staff(client: AsyncClient, session: AsyncSession,
                                               sessionmaker: Any) -> None:
    event_id = await _with_story(session, sessionmaker)
    anonymous = await client.get(f"/console/recap/{event_id}")
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/login"
    staff = await login(client, await create_user(sessionmaker, "clinical"))
    page = await client.get("/console/recap/heart", headers=staff)  # by slug too
    assert page.status_code == 200
    assert '<link rel="stylesheet" href="/ui/css/recap.css">' in page.text and "<style>" not in page.text
    assert 'style="' not in page.text  # the strict CSP allows no inline style
    assert (await client.get("/console/recap/no-such-event", headers=staff)).status_code == 404
    assert (await client.get("/ui/css/recap.css")).status_code == 200


async def test_cli_writes_a_recap_and_names_bad_arguments(
        client: AsyncClient, session: AsyncSession, sessionmaker: Any, settings: Settings, tmp_path: Path,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    await _with_story(session, sessionmaker)
    monkeypatch.setenv("LIVECUE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("LIVECUE_DATA_DIR", str(tmp_path))
    out = tmp_path / "recap.json"
    assert await _main(["recap", "heart", "--format", "json", "--out", str(out)]) == 0
    assert json.loads(out.read_text())["public"]["slug"] == "heart"
    assert await _main(["recap", "nope"]) == 2
    assert "EVENT: no event" in capsys.readouterr().err
    assert await _main(["recap", "heart", "--out", str(tmp_path / "missing" / "x.html")]) == 2
    assert "--out:" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["recap", "heart", "--format", "pdf"])
    assert exit_info.value.code == 2
    assert "argument --format: invalid choice" in capsys.readouterr().err


async def _main(argv: list[str]) -> int:
    """`main` runs asyncio.run itself: run it in a worker thread from this test's event loop."""
    return await asyncio.to_thread(main, argv)
