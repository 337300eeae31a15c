"""Building the public page of an event from what actually went out.

The page must show nothing that is not already public on the platforms, so it is built from posted thread
deliveries only (status `posted`, never a rehearsal): a post counting down its safety delay is `pending`, one
pulled back is `abandoned`, and neither appears. Replies to askers stay off (they may be direct messages and
name the asker); so do the queue, triage and staff. Draft and rehearsal events have no page at all, and the
router answers them exactly like an unknown slug.

A post sent to several platforms is one entry with a link per platform; its text is that of the first platform
in PLATFORM_ORDER that has it. The holding message can go out several times: the k-th holding delivery on each
platform belongs to the k-th occasion.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.events import service as event_service
from server.journal.kinds import JournalKind
from server.livepage.schemas import PostKind, PublicLink, PublicMedia, PublicPage, PublicPost, PublicStatus
from server.models import Delivery, Event, Item, JournalEntry
from server.recap.public import public_recap
from server.recap.schemas import PublicRecap

PUBLIC_STATUSES = ("live", "held", "ended")
PLATFORM_ORDER = ("mastodon", "bluesky", "x", "sandbox")
# An item whose key starts with one of these is shown as a correction of an earlier post: the console's ad-hoc
# composer names posts after their first words, so "Correction: …" gets the key "correction-…".
CORRECTION_PREFIXES = ("correction", "update-to", "erratum")
# Journal kinds that can change what the page shows (the hub re-reads an event's page on each of them).
PAGE_KINDS = (JournalKind.DELIVERY_POSTED, JournalKind.EVENT_STATUS, JournalKind.EVENT_UPDATED)


def public_status(event: Event) -> PublicStatus | None:
    """What the page says of the event's state, or None when it has no public page (draft, rehearsal)."""
    if event.status not in PUBLIC_STATUSES:
        return None
    return "ended" if event.status == "ended" else "live"


async def public_event(session: AsyncSession, slug: str) -> Event | None:
    """The event behind a public slug, or None for an unknown slug and for a draft or rehearsing event alike."""
    event = await event_service.get_event_by_slug(session, slug)
    if event is None or public_status(event) is None:
        return None
    return event


def media_url(slug: str, sha256: str) -> str:
    """Where the page serves a posted file (only files of posts on the page are served there)."""
    return f"/live/{slug}/media/{sha256}"


@dataclass
class _Group:
    """The deliveries of one post on every platform."""

    item: Item | None
    deliveries: list[Delivery] = field(default_factory=list)


def _kind(item: Item | None) -> PostKind:
    if item is None:
        return "post"
    if item.kind == "holding":
        return "holding"
    if item.kind == "answer":
        return "answer"
    if item.key.lower().startswith(CORRECTION_PREFIXES):
        return "correction"
    return "post"


def _zone(event: Event) -> ZoneInfo:
    try:
        return ZoneInfo(event.timezone)
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def _media(slug: str, files: list[dict[str, Any]]) -> list[PublicMedia]:
    out = []
    for entry in files or []:
        sha = str(entry.get("sha256") or "")
        mime = str(entry.get("mime_type") or "")
        if not sha or not mime.startswith(("image/", "video/")):
            continue
        out.append(PublicMedia(url=media_url(slug, sha), alt_text=str(entry.get("alt_text") or ""), mime_type=mime,
                               width=entry.get("width"), height=entry.get("height")))
    return out


def _post(event: Event, key: str, group: _Group, seqs: dict[int, int], zone: ZoneInfo) -> PublicPost | None:
    posted = [d for d in group.deliveries if d.status == "posted" and d.id in seqs]
    if not posted:
        return None
    rank = {name: index for index, name in enumerate(PLATFORM_ORDER)}
    posted.sort(key=lambda d: (rank.get(d.platform, len(rank)), d.platform, d.id))
    shown = posted[0]
    first = min(posted, key=lambda d: seqs[d.id])
    at: datetime = first.posted_at or first.created_at
    links = [PublicLink(platform=d.platform, url=d.remote_url) for d in posted if d.remote_url]
    return PublicPost(
        id=key, seq=max(seqs[d.id] for d in posted), order=seqs[first.id], kind=_kind(group.item),
        text=shown.text, content_warning=shown.content_warning or None, media=_media(event.slug, shown.media),
        links=links, posted_at=at, time_label=at.astimezone(zone).strftime("%H:%M"))


async def posts(session: AsyncSession, event: Event) -> list[PublicPost]:
    """The event's posts as they went out, newest first."""
    query = (select(Delivery).where(Delivery.event_id == event.id, Delivery.purpose == "thread",
                                    Delivery.rehearsal.is_(False)).order_by(Delivery.id))
    deliveries = list((await session.execute(query)).scalars())
    if not any(d.status == "posted" for d in deliveries):
        return []
    item_ids = {d.item_id for d in deliveries if d.item_id is not None}
    items = {i.id: i for i in (await session.execute(select(Item).where(Item.id.in_(item_ids)))).scalars()}
    entries = await session.execute(
        select(JournalEntry.subject_id, JournalEntry.seq).where(
            JournalEntry.event_id == event.id, JournalEntry.kind == JournalKind.DELIVERY_POSTED,
            JournalEntry.subject_type == "delivery"))
    seqs: dict[int, int] = {}
    for subject_id, seq in entries:
        if subject_id is not None:
            seqs[int(subject_id)] = max(int(seq), seqs.get(int(subject_id), 0))
    groups: dict[str, _Group] = {}
    occasions: dict[tuple[int | None, int, str], int] = defaultdict(int)
    for delivery in deliveries:  # in id order: the k-th delivery of an item version on a platform is occasion k
        if delivery.item_id is None:
            key = f"d{delivery.id}"
        else:
            occasion_key = (delivery.item_id, delivery.version_number, delivery.platform)
            occasion = occasions[occasion_key]
            occasions[occasion_key] += 1
            key = f"p{delivery.item_id}-{delivery.version_number}-{occasion}"
        group = groups.setdefault(key, _Group(item=items.get(delivery.item_id or -1)))
        group.deliveries.append(delivery)
    zone = _zone(event)
    built = [p for key, group in groups.items() if (p := _post(event, key, group, seqs, zone)) is not None]
    return sorted(built, key=lambda p: p.order, reverse=True)


async def status_seq(session: AsyncSession, event: Event) -> int:
    """The sequence of the event's latest status or identity change (part of the page's version)."""
    kinds = (JournalKind.EVENT_STATUS, JournalKind.EVENT_UPDATED)
    query = select(func.max(JournalEntry.seq)).where(JournalEntry.event_id == event.id, JournalEntry.kind.in_(kinds))
    return int((await session.execute(query)).scalar() or 0)


async def recap_part(session: AsyncSession, event: Event) -> PublicRecap:
    """The public part of the recap (server/recap/public.py), shown once the event has ended."""
    return await public_recap(session, event)


async def page(session: AsyncSession, event: Event) -> PublicPage:
    """Everything the public page of a public event shows."""
    status = public_status(event)
    assert status is not None, "page() is only built for public events"
    shown = await posts(session, event)
    seq = max([p.seq for p in shown] + [await status_seq(session, event)])
    recap = await recap_part(session, event) if status == "ended" else None
    return PublicPage(slug=event.slug, title=event.title, hashtag=event.hashtag, status=status, seq=seq,
                      posts=shown, recap=recap)
