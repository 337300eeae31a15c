"""What the load run reads back: the event it posts on, the database's messages and deliveries, and statistics."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from server.config import Settings
from server.db.engine import make_engine, make_sessionmaker
from server.models import Delivery, IngestCursor, Message

PLATFORM = "mastodon"


class Database:
    """Read-only queries on the run's database (one engine for the whole run; call from one event loop)."""

    def __init__(self, database_url: str, data_dir: Path) -> None:
        self.engine: AsyncEngine = make_engine(Settings(database_url=database_url, data_dir=data_dir,
                                                        _env_file=None))
        self.sessionmaker = make_sessionmaker(self.engine)

    async def cursor(self, event_id: int) -> str | None:
        """The stored ingest cursor of the event's Mastodon account (None before the first poll)."""
        async with self.sessionmaker() as session:
            query = select(IngestCursor.cursor).where(IngestCursor.event_id == event_id,
                                                      IngestCursor.platform == PLATFORM)
            value = (await session.execute(query)).scalar_one_or_none()
        return value

    async def stored(self, event_id: int) -> int:
        """How many Mastodon messages the event has."""
        async with self.sessionmaker() as session:
            query = select(func.count()).select_from(Message).where(Message.event_id == event_id,
                                                                    Message.platform == PLATFORM)
            return int((await session.execute(query)).scalar_one())

    async def messages(self, event_id: int) -> list[tuple[str, datetime]]:
        """(external id, ingested_at) of every Mastodon message of the event."""
        async with self.sessionmaker() as session:
            query = select(Message.external_id, Message.ingested_at).where(Message.event_id == event_id,
                                                                           Message.platform == PLATFORM)
            return [(str(e), t) for e, t in (await session.execute(query)).all()]

    async def deliveries(self, event_id: int) -> list[tuple[int | None, str]]:
        """(item id, status) of the event's thread deliveries."""
        async with self.sessionmaker() as session:
            query = select(Delivery.item_id, Delivery.status).where(Delivery.event_id == event_id,
                                                                    Delivery.purpose == "thread")
            return [(i, str(s)) for i, s in (await session.execute(query)).all()]

    async def close(self) -> None:
        """Dispose of the engine."""
        await self.engine.dispose()


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (nearest rank) of `values`; NaN when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class MessageFindings:
    """Loss, doubling and lag of the generated messages."""

    generated: int = 0
    stored: int = 0
    lost: int = 0
    lost_unfetched: int = 0  # of the lost: never handed out by the fake (Livecue was still behind at the end)
    doubled: int = 0
    extra: int = 0  # stored Mastodon messages that the fake never generated
    lag: list[float] = field(default_factory=list)
    first_created: float = 0.0
    last_ingested: float = 0.0


def check_messages(rows: Sequence[tuple[str, datetime]], load: dict[str, Any]) -> MessageFindings:
    """Compare the stored messages with what the fake generated (`load` is its `/_fake/load` state)."""
    total, status_base, start_ms, rate = int(load["total"]), int(load["status_base"]), load["start_ms"], load["rate"]
    found = MessageFindings(generated=int(load["available"]), stored=len(rows))
    counts = Counter(external_id for external_id, _ in rows)
    found.doubled = sum(n - 1 for n in counts.values() if n > 1)
    ingested: dict[int, float] = {}
    for external_id, at in rows:
        index = int(external_id) - status_base if external_id.isdigit() else -1
        if not 0 <= index < total:
            found.extra += 1
            continue
        ingested[index] = at.timestamp()
    missing = [i for i in range(found.generated) if i not in ingested]
    found.lost = len(missing)
    found.lost_unfetched = sum(1 for i in missing if i > int(load["served_max"]))
    if start_ms is not None and rate:
        found.first_created = start_ms / 1000
        found.lag = [at - (start_ms + (i * 1000) // rate) / 1000 for i, at in ingested.items()]
        found.last_ingested = max(ingested.values(), default=found.first_created)
    return found


def operator_problems(captions: Sequence[str], posted_texts: Sequence[str], item_ids: Sequence[int],
                      deliveries: Sequence[tuple[int | None, str]]) -> list[str]:
    """Each item posted exactly once on the fake, and its delivery `posted`."""
    problems: list[str] = []
    for caption in captions:
        copies = sum(1 for text in posted_texts if caption in text)
        if copies != 1:
            problems.append(f"operator post '{caption}' is on the platform {copies} times")
    by_item = Counter(item for item, _ in deliveries)
    status = dict(deliveries)
    for item_id in item_ids:
        if by_item[item_id] != 1:
            problems.append(f"item {item_id} has {by_item[item_id]} deliveries")
        elif status[item_id] != "posted":
            problems.append(f"item {item_id}'s delivery is {status[item_id]}")
    return problems
