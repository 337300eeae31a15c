"""Reading what the recap needs from the tables: the thread as posted, engagement and follower samples.

Shared by the public part (`public.py`) and the staff recap (`service.py`) so the two can never disagree on a
figure. A rehearsing event shows its rehearsal's posts and messages; any other its real ones only, and follower
samples from the first go-live on (a rehearsal before it sampled the sandbox; a hold's resume does not
restart the count).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.events import service as event_service
from server.models import Delivery, EngagementSample, Event, FollowerSample, Message
from server.recap.schemas import Engagement, FollowerPoint, PlatformFollowers, PostLink, PublicPost

THREAD = ("thread",)  # replies to one asker stay out: they address a person, not the audience at large
QUESTION_LABELS = ("question", "personal_medical", "emergency")


def rehearsing(event: Event) -> bool:
    """Whether the recap shows the rehearsal's rows (while it runs) rather than the real event's."""
    return event.status == "rehearsal"


async def posted_deliveries(session: AsyncSession, event: Event) -> list[Delivery]:
    """The event's posted thread deliveries, oldest first."""
    return list((await session.execute(
        select(Delivery).where(Delivery.event_id == event.id, Delivery.status == "posted",
                               Delivery.purpose.in_(THREAD), Delivery.rehearsal.is_(rehearsing(event)))
        .order_by(Delivery.posted_at, Delivery.id))).scalars())


async def posted_thread(session: AsyncSession, event: Event) -> list[PublicPost]:
    """Every thread post of the event that went out, one entry per item with each platform's copy."""
    rows = await posted_deliveries(session, event)
    latest = await latest_engagement(session, event.id)
    posts: dict[object, PublicPost] = {}
    for row in rows:
        key: object = row.item_id if row.item_id is not None else ("delivery", row.id)
        post = posts.get(key)
        if post is None:
            post = PublicPost(item_id=row.item_id, position=len(posts) + 1, text=row.text,
                              content_warning=row.content_warning, posted_at=row.posted_at)
            posts[key] = post
        post.links.append(PostLink(platform=row.platform, url=row.remote_url, posted_at=row.posted_at,
                                   engagement=latest.get(row.id, Engagement())))
    return list(posts.values())


async def latest_engagement(session: AsyncSession, event_id: int) -> dict[int, Engagement]:
    """The newest engagement sample of each delivery of the event."""
    newest = (select(EngagementSample.delivery_id, func.max(EngagementSample.id).label("id"))
              .where(EngagementSample.event_id == event_id).group_by(EngagementSample.delivery_id).subquery())
    rows = (await session.execute(
        select(EngagementSample).join(newest, newest.c.id == EngagementSample.id))).scalars()
    return {r.delivery_id: Engagement(likes=r.likes, reposts=r.reposts, replies=r.replies, quotes=r.quotes,
                                      sampled_at=r.at) for r in rows}


async def started_at(session: AsyncSession, event: Event) -> datetime | None:
    """When the recap's event began: the rehearsal's start while it runs, else the first go-live.

    Not `live_since` outside a rehearsal: a resume after a hold moves it, which cut the event in two.
    """
    if rehearsing(event):
        return event.live_since
    return await event_service.went_live_at(session, event.id) or event.live_since


async def followers(session: AsyncSession, event: Event) -> list[PlatformFollowers]:
    """Follower samples per platform, oldest first, with the number gained between the first and the last."""
    query = select(FollowerSample).where(FollowerSample.event_id == event.id)
    since = await started_at(session, event)
    if since is not None:
        query = query.where(FollowerSample.at >= since)
    rows = (await session.execute(
        query.order_by(FollowerSample.platform, FollowerSample.at, FollowerSample.id))).scalars()
    series: dict[str, list[FollowerPoint]] = defaultdict(list)
    for row in rows:
        series[row.platform].append(FollowerPoint(at=row.at, followers=row.followers))
    out = []
    for platform, points in series.items():
        first, last = points[0].followers, points[-1].followers
        out.append(PlatformFollowers(platform=platform, first=first, last=last, gained=last - first,
                                     series=points))
    return out


async def question_counts(session: AsyncSession, event: Event) -> tuple[int, int]:
    """Questions received (question, personal-medical and emergency labels) and how many were answered."""
    asked = select(func.count()).select_from(Message).where(
        Message.event_id == event.id, Message.label.in_(QUESTION_LABELS), Message.rehearsal.is_(rehearsing(event)))
    received = int((await session.execute(asked)).scalar() or 0)
    answered = int((await session.execute(asked.where(Message.status == "answered"))).scalar() or 0)
    return received, answered
