"""Rows of a small ended event written straight to the tables (what the recap reads), for recap tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from server.models import Delivery, EngagementSample, Event, FollowerSample, Message

START = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


async def ended_event(session: AsyncSession) -> Event:
    """An ended event with two posts on two platforms, one reply to an asker, samples and three messages."""
    event = Event(slug="heart", title="Open heart", hashtag="#heart", timezone="UTC", planned_start=START,
                  status="ended", live_since=START, ended_at=START + timedelta(hours=1), staff_names=["Dr Lee"])
    session.add(event)
    await session.flush()
    rows = []
    for n, (platform, seq) in enumerate([("sandbox", 1), ("mastodon", 1), ("sandbox", 2)]):
        rows.append(Delivery(event_id=event.id, item_id=None, purpose="thread", platform=platform, account="h",
                             idempotency_key=f"k{n}", thread_seq=seq, text=f"post {seq}", status="posted",
                             remote_url=f"https://{platform}.example/{n}",
                             posted_at=START + timedelta(minutes=10 * seq)))
    rows.append(Delivery(event_id=event.id, purpose="reply", platform="sandbox", account="h", idempotency_key="r",
                         text="@asker private answer", status="posted", posted_at=START + timedelta(minutes=30)))
    session.add_all(rows)
    await session.flush()
    for at, likes in ((START + timedelta(minutes=20), 3), (START + timedelta(minutes=50), 7)):
        session.add(EngagementSample(event_id=event.id, delivery_id=rows[0].id, platform="sandbox", at=at,
                                     likes=likes, reposts=1, replies=2, quotes=0))
    for at, count in ((START, 100), (START + timedelta(minutes=30), 130), (START + timedelta(minutes=60), 160)):
        session.add(FollowerSample(event_id=event.id, platform="sandbox", account="h", at=at, followers=count))
    for n, (label, status) in enumerate([("question", "answered"), ("emergency", "queued"), ("spam", "hidden")]):
        session.add(Message(event_id=event.id, platform="sandbox", external_id=str(n), author_handle=f"a{n}",
                            author_name=f"Asker {n}", text=f"message {n}", received_at=START, label=label,
                            status=status))
    await session.commit()
    return event
