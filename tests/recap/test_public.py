"""The public part of the recap: the thread as posted with links and engagement, followers, question counts."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from server.recap.public import public_recap
from tests.recap.rows import ended_event


async def test_public_recap_shows_the_thread_followers_and_counts_only(session: AsyncSession) -> None:
    event = await ended_event(session)

    recap = await public_recap(session, event)

    assert [p.text for p in recap.posts] == ["post 1", "post 1", "post 2"]  # no item: one entry per delivery
    first = recap.posts[0].links[0]
    assert (first.platform, first.url) == ("sandbox", "https://sandbox.example/0")
    assert (first.engagement.likes, first.engagement.reposts, first.engagement.replies) == (7, 1, 2)  # newest
    assert recap.engagement_total == 10
    assert [(f.platform, f.first, f.last, f.gained) for f in recap.followers] == [("sandbox", 100, 160, 60)]
    assert (recap.questions.received, recap.questions.answered) == (2, 1)
    dumped = recap.model_dump_json()
    assert "private answer" not in dumped  # replies to one asker are not the event's public thread
    assert "Asker" not in dumped and "message 1" not in dumped  # nothing of the queue
