"""What a cue hands to the dispatcher at its commit (`Dispatcher.claim_ahead`), and how its route waits for it.

A `Handed` delivery carries what the cue's own transaction read for its send: on SQLite, where that transaction
held the write lock, those facts are the committed state at its commit, and stay so until another write commits
(`db.engine.WriteCommits`), when the send reads them again. `HandOver.underway` lets the route read its answer
after the platform request has left (`platforms/sent.py`), not beside it on the same core (issue 19).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

from server.db.engine import WriteCommits
from server.publishing.sending import Sending
from server.publishing.thread import Due


@dataclass
class Handed:
    """A delivery a cue claimed in its transaction, with what that transaction read for its send (SQLite only)."""

    due: Due
    sending: Sending | None = None
    writes: WriteCommits | None = None
    commits: int | None = None  # the count of write commits at the cue's own commit
    underway: asyncio.Event = field(default_factory=asyncio.Event)  # set once its platform request left (or not)

    @property
    def platform(self) -> str:
        """Its lane's platform."""
        return self.due.platform

    @property
    def account(self) -> str:
        """Its lane's account."""
        return self.due.account

    def fresh(self) -> bool:
        """Whether nothing was committed since the cue read its send's facts under the write lock."""
        return self.sending is not None and self.writes is not None and self.writes.count == self.commits


@dataclass
class HandOver:
    """What a cue handed to the dispatcher; its route waits (briefly) for the platform requests to start."""

    deliveries: list[Handed] = field(default_factory=list)
    wait_seconds: float = 0.25

    async def underway(self) -> None:
        """Until every handed delivery's platform request has left (`platforms/sent.py`) or its send ended, at most
        `wait_seconds`: the route's answer is read after that, not on the same core at the same time (issue 19)."""
        if not self.deliveries:
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.wait_seconds):
                for one in self.deliveries:
                    await one.underway.wait()
