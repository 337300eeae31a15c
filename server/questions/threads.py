"""Which incoming messages belong to an event, and which of its thread posts the poller reads replies under.

Ownership. One account may serve several events, so a reply is kept by the event whose thread it is in. A
message the account was sent from anywhere else (an @mention in a stranger's thread, a reply to an answer we
posted there) is kept too: dropping every message rooted outside the event's own threads lost those
mentions on Bluesky and X, whose messages name their thread's root (Mastodon's do not, so there they were
always kept). Only a message rooted in *another* event's thread is left to that event. Looking the other
events' threads up is needed only for a message rooted outside this event's posts and not yet stored (rare);
the answer is cached, since a posted thread post keeps its event.

Thread reading. Notifications can miss replies (Bluesky's AppView never notifies a reply written before it
indexed the parent post; Mastodon notifies only @mentions), so every `every` seconds the poller also reads the
replies under the event's `newest` thread posts (where a burst of replies lands) plus `older` earlier ones in
turn (so, over time, the whole thread is read again). The defaults keep the extra reads within each
platform's budget: 4 reads every 15 s per account is 0.27 requests/s, beside Mastodon's 1/s per account and
Bluesky's 3,000 per 5 minutes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.models import Delivery, Message
from server.platforms.base import IncomingMessage, RemoteRef
from server.publishing.thread import ref_from_json

REF_KEYS = ("remote_id", "uri", "root_uri")
Key = tuple[int, str, str]  # event id, platform, account


def remote_keys(remote: dict[str, Any] | None) -> set[str]:
    """Every identifier a stored remote reference answers to (id, URI, its thread root)."""
    return {str(v) for k, v in (remote or {}).items() if k in REF_KEYS and v}


def root_keys(message: IncomingMessage) -> set[str]:
    """The identifiers of the thread root a message names (empty when it names none)."""
    root = message.root_ref
    return {v for v in (root.remote_id, root.uri) if v} if root else set()


async def _posted_remotes(session: AsyncSession, *conditions: Any) -> list[tuple[int, dict[str, Any] | None]]:
    query = select(Delivery.event_id, Delivery.remote).where(Delivery.status == "posted", *conditions)
    return [(int(e), r) for e, r in (await session.execute(query)).all()]


@dataclass
class Ownership:
    """Keeps an event's messages out of the way of the other events served by the same account."""

    owners: dict[tuple[str, str], int] = field(default_factory=dict)  # (platform, root key) -> event of the thread

    async def for_event(self, session: AsyncSession, event_id: int, platform: str,
                        messages: Sequence[IncomingMessage]) -> list[IncomingMessage]:
        """The messages of `messages` this event keeps (see the module docstring)."""
        ours: set[str] = set()
        for _, remote in await _posted_remotes(session, Delivery.event_id == event_id, Delivery.platform == platform):
            ours |= remote_keys(remote)
        kept: list[IncomingMessage] = []
        unsure: list[IncomingMessage] = []
        for message in messages:
            keys = root_keys(message)
            if not keys or keys & ours:
                kept.append(message)
            elif not self._elsewhere(platform, keys, event_id):
                unsure.append(message)
        if unsure:
            unsure = await self._not_stored(session, event_id, platform, unsure)
        if unsure:
            await self._learn(session, event_id, platform)
            kept += [m for m in unsure if not self._elsewhere(platform, root_keys(m), event_id)]
        order = {id(m): n for n, m in enumerate(messages)}
        return sorted(kept, key=lambda m: order[id(m)])

    def _elsewhere(self, platform: str, keys: Iterable[str], event_id: int) -> bool:
        return any(self.owners.get((platform, k), event_id) != event_id for k in keys)

    async def _learn(self, session: AsyncSession, event_id: int, platform: str) -> None:
        """Remember which event each posted thread post of the other events belongs to."""
        rows = await _posted_remotes(session, Delivery.event_id != event_id, Delivery.platform == platform,
                                     Delivery.purpose == "thread")
        for owner, remote in rows:
            for key in remote_keys(remote):
                self.owners.setdefault((platform, key), owner)

    @staticmethod
    async def _not_stored(session: AsyncSession, event_id: int, platform: str,
                          messages: list[IncomingMessage]) -> list[IncomingMessage]:
        """Messages not already stored for this event (a repeated overlap window needs no lookup)."""
        ids = {m.external_id for m in messages}
        query = select(Message.external_id).where(Message.event_id == event_id, Message.platform == platform,
                                                  Message.external_id.in_(ids))
        stored = set((await session.execute(query)).scalars())
        return [m for m in messages if m.external_id not in stored]


@dataclass
class ThreadReading:
    """When to read an account's thread replies, and which of the event's thread posts to read them under."""

    now: Callable[[], float]
    every: float = 15.0
    newest: int = 3
    older: int = 1
    _last: dict[Key, float] = field(default_factory=dict)
    _turn: dict[Key, int] = field(default_factory=dict)

    def due(self, key: Key) -> bool:
        """True when this account's threads were not read within `every` seconds (then counts it as read)."""
        last = self._last.get(key)
        if last is not None and self.now() - last < self.every:
            return False
        self._last[key] = self.now()
        return True

    async def posts(self, session: AsyncSession, key: Key, rehearsal: bool) -> list[RemoteRef]:
        """The newest thread posts of the event on this platform, plus the next older ones in turn."""
        event_id, platform, account = key
        query = (select(Delivery.remote).where(
            Delivery.event_id == event_id, Delivery.platform == platform, Delivery.account == account,
            Delivery.purpose == "thread", Delivery.status == "posted", Delivery.rehearsal.is_(rehearsal))
            .order_by(Delivery.thread_seq.desc()))
        refs = [ref for ref in map(ref_from_json, (await session.execute(query)).scalars()) if ref is not None]
        chosen, rest = refs[:self.newest], refs[self.newest:]
        if rest and self.older > 0:
            start = self._turn.get(key, 0) % len(rest)
            chosen += [rest[(start + n) % len(rest)] for n in range(min(self.older, len(rest)))]
            self._turn[key] = start + self.older
        return chosen
