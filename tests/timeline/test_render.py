"""The text each platform receives: the "10:15 EST" time line shortened before it is dropped, the Bluesky warning
line counted, and approvers told beforehand (the item's `checks`) when a time line will be left out."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient

from server.clock import FakeClock
from server.models import Event
from server.textrules import text_length
from server.textrules.warning import warning_line
from server.timeline.render import DEFAULT_WARNING, content_checks, render_text
from server.timeline.schemas import ItemContent
from tests.factories import create_event, create_user, item_payload, login

AT = datetime(2026, 12, 1, 15, 15, tzinfo=UTC)  # 10:15 EST in Toronto
STAMP = "10:15 EST"


def event(**fields: Any) -> Event:
    """An event that dates everything, in Toronto."""
    return Event(**{"timezone": "America/Toronto", "date_everything": True, "content_warning_text": None, **fields})


def bluesky(text: str, *, warned: bool = False) -> ItemContent:
    """Content whose Bluesky text is `text`."""
    return ItemContent(caption="Short caption", platform_text={"bluesky": text}, content_warning=warned)


def test_the_time_line_goes_after_a_blank_line_then_right_under_the_text_then_not_at_all() -> None:
    roomy, tight, full = "a" * 280, "a" * 290, "a" * 295  # +11 graphemes, +10, neither fits in 300
    assert render_text(event(), bluesky(roomy), "bluesky", AT) == f"{roomy}\n\n{STAMP}"
    assert render_text(event(), bluesky(tight), "bluesky", AT) == f"{tight}\n{STAMP}"
    assert text_length("bluesky", f"{tight}\n{STAMP}") == 300
    assert render_text(event(), bluesky(full), "bluesky", AT) == full
    assert render_text(event(date_everything=False), bluesky(roomy), "bluesky", AT) == roomy

    assert content_checks(event(), bluesky(roomy), ["bluesky", "sandbox"], AT) == []
    assert content_checks(event(), bluesky(tight), ["bluesky"], AT) == []
    assert content_checks(event(), bluesky(full), ["bluesky", "sandbox"], AT) == [
        f"Bluesky: no room for the time line (\u201c{STAMP}\u201d); the post goes out without it. "
        "Shorten the Bluesky text by 5 to keep it."]
    assert content_checks(event(date_everything=False), bluesky(full), ["bluesky"], AT) == []


def test_the_bluesky_warning_line_counts_against_the_time_line() -> None:
    line = len(warning_line(DEFAULT_WARNING)) + 2  # the line and the blank line after it
    text = "a" * (300 - line - len(STAMP) - 2)
    assert render_text(event(), bluesky(text, warned=True), "bluesky", AT) == f"{text}\n\n{STAMP}"
    longer = text + "aa"
    assert render_text(event(), bluesky(longer, warned=True), "bluesky", AT) == f"{longer}\n{STAMP}"
    assert render_text(event(), bluesky(longer + "a" * 5, warned=True), "bluesky", AT) == longer + "a" * 5
    assert content_checks(event(), bluesky(longer + "a" * 5, warned=True), ["bluesky"], AT)
    # The event's warning text grew after approval: the post no longer fits with its warning line.
    grown = event(content_warning_text="Graphic surgical images of the open chest and the beating heart")
    assert content_checks(grown, bluesky(text, warned=True), ["bluesky"], AT) == [
        "Bluesky: the text with its content-warning line is too long; the post will be refused there. "
        "Shorten the Bluesky text."]


async def test_items_say_why_their_time_line_is_left_out_and_warned_text_must_fit(
        client: AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any) -> None:
    author = await login(client, await create_user(sessionmaker, "comms"))
    created = await create_event(client, author, date_everything=True,
                                 platforms=[{"platform": "sandbox", "account": "hospital"},
                                            {"platform": "bluesky", "account": "hospital"}])
    url = f"/api/events/{created['id']}/items"
    full = await client.post(url, headers=author, json=item_payload(platform_text={"bluesky": "a" * 295}))
    assert full.status_code == 201, full.text
    (note,) = full.json()["checks"]
    assert note.startswith("Bluesky: no room for the time line") and "Shorten the Bluesky text by" in note
    fine = await client.post(url, headers=author, json=item_payload(key="fine", platform_text={"bluesky": "ok"}))
    assert fine.json()["checks"] == []

    # A warned item's Bluesky text must leave room for the warning line, or Bluesky would refuse it live.
    warned = await client.post(url, headers=author, json=item_payload(
        key="warned", content_warning=True, platform_text={"bluesky": "a" * 290}))
    assert warned.status_code in (400, 422), warned.text
    assert warned.json()["field"] == "platform_text.bluesky"
    assert "content-warning line" in warned.json()["detail"]
    short = await client.post(url, headers=author, json=item_payload(
        key="short", content_warning=True, platform_text={"bluesky": "ok"}))
    assert short.status_code == 201, short.text
    lengths = short.json()["text_lengths"]  # the counter counts the warning line Bluesky receives
    assert lengths["bluesky"] == text_length("bluesky", f"{warning_line(DEFAULT_WARNING)}\n\nok")
    assert lengths["sandbox"] == text_length("sandbox", item_payload()["caption"])
