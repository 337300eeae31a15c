"""The public part of the recap, for the public live page after the event ends.

Only what is already public on the platforms (the thread as posted, with its links and engagement), follower
counts, and question *counts*: no staff names beyond the event's own, nothing of the queue or its triage, no
replies addressed to one asker. The signature is stable: `public_recap(session, event) -> PublicRecap`.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from server.models import Event
from server.recap import data
from server.recap.schemas import PublicQuestions, PublicRecap


async def public_recap(session: AsyncSession, event: Event) -> PublicRecap:
    """The public figures of one event (callers decide whether the event is public at all)."""
    posts = await data.posted_thread(session, event)
    received, answered = await data.question_counts(session, event)
    return PublicRecap(
        slug=event.slug, title=event.title, hashtag=event.hashtag, live_since=await data.started_at(session, event),
        ended_at=event.ended_at, posts=posts, followers=await data.followers(session, event),
        questions=PublicQuestions(received=received, answered=answered),
        engagement_total=sum(link.engagement.total for post in posts for link in post.links),
    )
