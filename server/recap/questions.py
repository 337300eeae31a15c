"""Questions metrics of one event, from the journal and the messages it names.

Received, by label, grouped, answered, redirected and emergencies; time to the first alert (from the moment a
message was received to its `alert.emergency_message` entry) and to the reply (to the first `delivery.posted`
entry naming the message), as median and 90th percentile (nearest rank: the value at or below which 90 % of the
times fall; no interpolation, so every figure is a time that really happened); the same per clinician, from the
`answer.queued` entries each one wrote; and questions per ten minutes.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from datetime import datetime, timedelta

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.models import Delivery, Event, Item, JournalEntry, Message, User
from server.recap import data

BUCKET = timedelta(minutes=10)
JOURNAL_KINDS = ("alert.emergency_message", "delivery.posted", "answer.queued")


class Durations(BaseModel):
    """How many times were measured, and their median and 90th percentile in seconds (None: none measured)."""

    count: int = 0
    median_seconds: float | None = None
    p90_seconds: float | None = None


class ClinicianFigures(BaseModel):
    """What one clinician answered and how fast (reply posted minus question received)."""

    name: str
    answered: int
    time_to_reply: Durations


class TenMinutes(BaseModel):
    """Questions received and answered in one ten-minute slot, from `start`."""

    start: datetime
    received: int
    answered: int


class QuestionMetrics(BaseModel):
    """The audience side of the event, as counts and times."""

    received: int
    by_label: dict[str, int]
    grouped: int = Field(description="Messages that joined a group of near-duplicates answered once.")
    groups: int
    answered: int
    redirected: int
    emergencies: int
    time_to_alert: Durations
    time_to_reply: Durations
    per_clinician: list[ClinicianFigures]
    per_ten_minutes: list[TenMinutes]


def durations(seconds: list[float]) -> Durations:
    """Median and nearest-rank 90th percentile of a list of durations."""
    if not seconds:
        return Durations()
    ordered = sorted(seconds)
    n = len(ordered)
    median = ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2
    return Durations(count=n, median_seconds=round(median, 3),
                     p90_seconds=round(ordered[max(0, math.ceil(0.9 * n) - 1)], 3))


def _since(start: datetime, end: datetime) -> float:
    return max(0.0, (end - start).total_seconds())


async def question_metrics(session: AsyncSession, event: Event) -> QuestionMetrics:
    """Every figure of the audience side of `event` (a rehearsal's own messages while it rehearses)."""
    rehearsal = event.status == "rehearsal"
    messages = {m.id: m for m in (await session.execute(select(Message).where(
        Message.event_id == event.id, Message.rehearsal.is_(rehearsal)))).scalars()}
    entries = list((await session.execute(select(JournalEntry).where(
        JournalEntry.event_id == event.id, JournalEntry.kind.in_(JOURNAL_KINDS)).order_by(JournalEntry.seq))).scalars())
    alerted: dict[int, datetime] = {}
    replied: dict[int, datetime] = {}
    answered_by: dict[int, str] = {}  # group id -> the clinician who queued its answer
    for entry in entries:
        if entry.kind == "alert.emergency_message" and entry.subject_id in messages:
            alerted.setdefault(int(entry.subject_id), entry.at)
        elif entry.kind == "delivery.posted" and entry.payload.get("question_id") in messages:
            replied.setdefault(int(entry.payload["question_id"]), entry.at)
        elif entry.kind == "answer.queued" and entry.subject_id is not None and entry.actor_id is not None:
            answered_by.setdefault(int(entry.subject_id), entry.actor_name)
    names = {u.username: u.display_name for u in (await session.execute(select(User).where(
        User.username.in_(set(answered_by.values()))))).scalars()} if answered_by else {}
    per: dict[str, list[float]] = defaultdict(list)
    for message_id, at in replied.items():
        message = messages[message_id]
        who = answered_by.get(message.group_id) if message.group_id is not None else None
        if who is not None:
            per[names.get(who) or who].append(_since(message.received_at, at))
    group_sizes = Counter(m.group_id for m in messages.values() if m.group_id is not None)
    return QuestionMetrics(
        received=len(messages),
        by_label=dict(sorted(Counter(m.label for m in messages.values()).items())),
        grouped=sum(size for size in group_sizes.values() if size > 1), groups=len(group_sizes),
        answered=sum(1 for m in messages.values() if m.status == "answered"),
        redirected=await _redirected(session, event, set(messages)),
        emergencies=len(alerted),
        time_to_alert=durations([_since(messages[i].received_at, at) for i, at in alerted.items()]),
        time_to_reply=durations([_since(messages[i].received_at, at) for i, at in replied.items()]),
        per_clinician=[ClinicianFigures(name=name, answered=len(times), time_to_reply=durations(times))
                       for name, times in sorted(per.items())],
        per_ten_minutes=_buckets(await data.started_at(session, event), list(messages.values())),
    )


async def _redirected(session: AsyncSession, event: Event, message_ids: set[int]) -> int:
    """Messages that got the pre-approved redirect reply (posted)."""
    rows = (await session.execute(
        select(Delivery.question_id).join(Item, Item.id == Delivery.item_id).where(
            Delivery.event_id == event.id, Delivery.purpose == "reply", Delivery.status == "posted",
            Item.kind == "reply_redirect"))).scalars()
    return len({q for q in rows if q in message_ids})


def _buckets(began: datetime | None, messages: list[Message]) -> list[TenMinutes]:
    """Ten-minute slots from go-live (or the first message) to the last message or reply.

    `began` is the first go-live (data.started_at), not `live_since`, which a resume after a hold moves.
    """
    if not messages:
        return []
    times = [m.received_at for m in messages] + [m.replied_at for m in messages if m.replied_at]
    start = began or min(times)
    start = min(start, min(times))
    slots = int(_since(start, max(times)) // BUCKET.total_seconds()) + 1
    received, answered = [0] * slots, [0] * slots
    for m in messages:
        received[int(_since(start, m.received_at) // BUCKET.total_seconds())] += 1
        if m.replied_at is not None:
            answered[int(_since(start, m.replied_at) // BUCKET.total_seconds())] += 1
    return [TenMinutes(start=start + n * BUCKET, received=received[n], answered=answered[n]) for n in range(slots)]
