"""The figures behind /metrics, read from the database at scrape time.

Why from the database rather than counters kept in memory: with several replicas behind a proxy the outbox,
the question queue and the delivery times are shared state; every replica reports the same true numbers, and a
replica that just restarted reports them too (no counters reset to zero). What only one process knows (its feed
clients and drops, its poll errors) comes from the app's services instead (`server.monitoring.router`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.models import Delivery, Message

LATENCY_WINDOW = timedelta(minutes=15)  # deliveries posted this recently make the latency histogram
RATE_WINDOW = timedelta(minutes=1)  # messages ingested this recently make the ingest rate
LATENCY_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)
LATENCY_ROWS = 10_000  # at most this many recent deliveries are read per scrape


@dataclass
class Histogram:
    """Cumulative bucket counts (Prometheus style: le=bound), with the sum and count of observations."""

    buckets: list[tuple[float, int]]
    total: float = 0.0
    count: int = 0

    @classmethod
    def of(cls, values: list[float], bounds: tuple[float, ...] = LATENCY_BUCKETS) -> Histogram:
        """The histogram of `values`."""
        return cls(buckets=[(b, sum(1 for v in values if v <= b)) for b in bounds],
                   total=sum(values), count=len(values))


@dataclass
class Figures:
    """One scrape's shared figures."""

    outbox_depth: dict[str, int] = field(default_factory=dict)  # deliveries by status
    outbox_oldest_seconds: dict[str, float] = field(default_factory=dict)  # age of the oldest by status
    delivery_latency: dict[str, Histogram] = field(default_factory=dict)  # queued -> posted, by platform
    ingest_lag_seconds: float = 0.0  # received on the platform -> stored, newest message
    ingest_rate_per_second: float = 0.0
    messages_ingested: int = 0
    question_queue: dict[str, int] = field(default_factory=dict)  # queued messages by label


def _seconds(later: datetime, earlier: datetime) -> float:
    return max(0.0, (later - earlier).total_seconds())


async def read(session: AsyncSession, now: datetime) -> Figures:
    """Every shared figure at `now` (the app's clock)."""
    figures = Figures()
    rows = await session.execute(select(Delivery.status, func.count(), func.min(Delivery.created_at))
                                 .group_by(Delivery.status))
    for status, count, oldest in rows:
        figures.outbox_depth[status] = int(count)
        figures.outbox_oldest_seconds[status] = _seconds(now, oldest) if oldest else 0.0
    recent = await session.execute(
        select(Delivery.platform, Delivery.created_at, Delivery.posted_at)
        .where(Delivery.status == "posted", Delivery.posted_at >= now - LATENCY_WINDOW)
        .order_by(Delivery.posted_at.desc()).limit(LATENCY_ROWS))
    latencies: dict[str, list[float]] = {}
    for platform, created, posted in recent:
        if posted is not None:
            latencies.setdefault(platform, []).append(_seconds(posted, created))
    figures.delivery_latency = {platform: Histogram.of(values) for platform, values in latencies.items()}
    newest = (await session.execute(select(Message.received_at, Message.ingested_at)
                                    .order_by(Message.id.desc()).limit(1))).first()
    if newest is not None:
        figures.ingest_lag_seconds = _seconds(newest.ingested_at, newest.received_at)
    figures.messages_ingested = int((await session.execute(select(func.count(Message.id)))).scalar() or 0)
    per_minute = (await session.execute(select(func.count(Message.id))
                                        .where(Message.ingested_at >= now - RATE_WINDOW))).scalar() or 0
    figures.ingest_rate_per_second = int(per_minute) / RATE_WINDOW.total_seconds()
    queue = await session.execute(select(Message.label, func.count()).where(Message.status == "queued")
                                  .group_by(Message.label))
    figures.question_queue = {label: int(count) for label, count in queue}
    return figures
