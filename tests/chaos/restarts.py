"""Restart to next post: after each SIGKILL and restart of the chaos run, how long until a thread moves again.

While the server is dead the database cannot change (the sandbox is served by the server itself), so right
after each kill `snapshot` reads what is waiting: deliveries of the event still open whose post is not on the
sandbox, and the account's newest sandbox post. Only restarts with something waiting are measured. The clock
starts when the new server first answers /healthz (its workers run from then at the latest; a post made while
it was still starting counts as 0 s) and stops at `created_at` of the account's first sandbox post newer than
the snapshot. The limit applies to that figure: it is what the dispatcher's recovery costs, whereas the time
from `Popen` to /healthz is the interpreter and app starting (about 3 s of CPU, far longer on a loaded machine);
that wider figure, from just before `Popen`, is kept and reported too. A process killed again before it posts,
sooner than the limit after it answered, says nothing either way (`cut`); one that served past the limit without
posting counts with its lifetime, a lower bound.
"""

from __future__ import annotations

import asyncio
import statistics
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from server.config import Settings
from server.db.engine import make_engine, make_sessionmaker
from server.models import Delivery, SandboxAccount, SandboxPost

RESTART_LIMIT = 5.0  # seconds: a restarted server continues each thread within this
OPEN = ("pending", "sending", "unknown")


@dataclass
class Restart:
    """One restart: wall-clock times (seconds since the epoch) and what was waiting at the kill before it."""

    started: float  # just before the new process was started
    answering: float  # when its /healthz first answered
    waiting: int  # open deliveries whose post was not on the sandbox at the kill
    last_post_id: int  # the account's newest sandbox post at the kill
    ended: float | None = None  # the kill that ended this process (None: it ran to the end)


@dataclass
class RestartFigures:
    """Seconds from each measured restart's /healthz (and process start) to the next post, and what was not
    measured."""

    seconds: list[float] = field(default_factory=list)
    from_start: list[float] = field(default_factory=list)
    cut: int = 0
    idle: int = 0
    problems: list[str] = field(default_factory=list)
    slow: list[str] = field(default_factory=list)  # restarts over the limit (a timing goal, reported)

    @property
    def max(self) -> float:
        """The slowest measured restart (0 when none was measured)."""
        return max(self.seconds, default=0.0)

    @property
    def median(self) -> float:
        """The median measured restart (0 when none was measured)."""
        return statistics.median(self.seconds) if self.seconds else 0.0


def _sessionmaker(database_url: str) -> tuple[AsyncEngine, async_sessionmaker[AsyncSession]]:
    engine = make_engine(Settings(database_url=database_url, _env_file=None))
    return engine, make_sessionmaker(engine)


def _account_posts(account: str) -> Select[int, str | None, datetime]:
    return (select(SandboxPost.id, SandboxPost.idempotency_key, SandboxPost.created_at)
            .join(SandboxAccount, SandboxAccount.id == SandboxPost.account_id)
            .where(SandboxAccount.handle == account))


def snapshot(database_url: str, event_id: int, account: str) -> tuple[int, int]:
    """(deliveries waiting to be posted, the account's newest sandbox post id), read while the server is dead."""

    async def _read() -> tuple[int, int]:
        engine, sessionmaker = _sessionmaker(database_url)
        try:
            async with sessionmaker() as session:
                keys = set((await session.execute(select(Delivery.idempotency_key).where(
                    Delivery.event_id == event_id, Delivery.status.in_(OPEN)))).scalars())
                posts = _account_posts(account).subquery()
                on_sandbox = set((await session.execute(select(posts.c.idempotency_key).where(
                    posts.c.idempotency_key.in_(keys)))).scalars()) if keys else set()
                newest = (await session.execute(select(func.max(posts.c.id)))).scalar()
        finally:
            await engine.dispose()
        return len(keys - on_sandbox), int(newest or 0)

    return asyncio.run(_read())


def measure(database_url: str, account: str, restarts: list[Restart], limit: float = RESTART_LIMIT) -> RestartFigures:
    """Restart-to-next-post seconds of every restart that had something waiting; a `slow` finding for each over
    `limit`, a problem for each that posted nothing at all."""

    async def _posts() -> list[tuple[int, float]]:
        engine, sessionmaker = _sessionmaker(database_url)
        try:
            async with sessionmaker() as session:
                rows = (await session.execute(_account_posts(account).order_by(SandboxPost.id))).all()
        finally:
            await engine.dispose()
        return [(int(post_id), created.timestamp()) for post_id, _key, created in rows]

    posts = asyncio.run(_posts())
    figures = RestartFigures()
    for number, restart in enumerate(restarts, start=1):
        if restart.waiting <= 0:
            figures.idle += 1
            continue
        posted = next((at for post_id, at in posts if post_id > restart.last_post_id), None)
        if posted is not None and (restart.ended is None or posted <= restart.ended):
            seconds, from_start = max(0.0, posted - restart.answering), posted - restart.started
        elif restart.ended is not None and restart.ended - restart.answering < limit:
            figures.cut += 1  # killed again before posting, too soon to tell
            continue
        elif restart.ended is not None:  # served past the limit and posted nothing: at least its lifetime
            seconds, from_start = restart.ended - restart.answering, restart.ended - restart.started
        else:
            figures.problems.append(f"restart {number}: {restart.waiting} deliveries waited and nothing was posted")
            continue
        figures.seconds.append(round(seconds, 2))
        figures.from_start.append(round(from_start, 2))
        if seconds > limit:
            figures.slow.append(f"restart {number}: the next post came {seconds:.1f}s after /healthz answered "
                                    f"({from_start:.1f}s after the process started), over {limit:.0f}s "
                                    f"({restart.waiting} deliveries waiting)")
    if restarts and not figures.seconds:
        figures.problems.append("no restart had anything waiting to be posted: restart-to-post not measured")
    return figures
