"""Grouping in the database, a batch at a time, with a cost per question that stays flat (the similarity itself,
pure, is similarity.py).

Candidates come from indexed bucket-key lookups: each key is read newest first with its own LIMIT
(one index range scan per key; the keys of a batch in one cached UNION ALL statement), so a popular
key holding thousands of rows costs what a rare one does, and nothing is compared with every stored
question. Questions of the same batch see each other (they join the in-memory candidates as they are
placed). Writes are one multi-row statement each: new groups, size increments, key rows.

Each key is read only as deep as a question of the batch will look (`rows_needed`: `place` compares a question
with the first `per_key` rows of each of its keys, ~8 for a question of six keys). Reading CANDIDATES rows of
every key instead made the ingest cost grow with the store: once buckets fill, 48 rows a key were read and
joined with their message texts where a handful were used (issue 19: cost at 100,000 stored <= 1.3x 1,000).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CompoundSelect, Select, Table, bindparam, case, insert, select, union_all, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.models import GroupKey, Message, QuestionGroup
from server.questions.similarity import SAME_GROUP_THRESHOLD, Signature, bucket_keys, signature, signature_similarity
from server.questions.similarity_text import features

CANDIDATES = 48
PER_KEY_MIN = 4
LOAD_CHUNK = 64
SIGNATURES = 8192  # texts whose signatures are remembered across batches (a few MB at most)
OPEN_STATES = ("open", "claimed")
_groups = cast(Table, QuestionGroup.__table__)
_keys = cast(Table, GroupKey.__table__)
_insert_keys = insert(_keys)
_at = bindparam("at", type_=_groups.c.last_asked_at.type)  # UTCDateTime: normalised like the column
_increment = (
    update(_groups).where(_groups.c.id == bindparam("gid"))
    .values(size=_groups.c.size + bindparam("n"),
            last_asked_at=case((_groups.c.last_asked_at < _at, _at), else_=_groups.c.last_asked_at))
)


# One multi-row INSERT for a batch's new groups. Asking for the ids in parameter order
# (`sort_by_parameter_order`) made SQLAlchemy send one INSERT per group on SQLite, which has no sentinel to
# sort by (issue 19: 16 of a 16-question batch's 48 statements); instead each returned id is matched to its
# group by the values it was inserted with (`_match_ids`).
_insert_groups = insert(_groups).returning(_groups.c.id, _groups.c.label, _groups.c.text, _groups.c.size,
                                           _groups.c.rehearsal, _groups.c.last_asked_at, _groups.c.alert,
                                           _groups.c.unscreened)


def _group_values(label: str, text: str, size: int, rehearsal: bool, last_asked_at: datetime, alert: bool,
                  unscreened: bool) -> tuple[Any, ...]:
    return (label, text, int(size), bool(rehearsal), last_asked_at.timestamp(), bool(alert), bool(unscreened))


def _match_ids(new: Mapping[int, _NewGroup], returned: Iterable[Any]) -> dict[int, int]:
    """Temporary id -> real id, matched by the inserted values (groups alike in every value are interchangeable:
    nothing but their id tells them apart)."""
    free: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for group_id, label, text, size, rehearsal, last_asked_at, alert, unscreened in returned:
        free[_group_values(label, text, size, rehearsal, last_asked_at, alert, unscreened)].append(int(group_id))
    real: dict[int, int] = {}
    for temp, g in new.items():
        ids = free.get(_group_values(g.label, g.text, g.size, g.rehearsal, g.last_asked_at, g.alert, g.unscreened))
        if not ids:
            raise RuntimeError("a new question group was not returned by its insert")
        real[temp] = ids.pop()
    return real


@functools.lru_cache(maxsize=SIGNATURES)
def _signature(text: str) -> Signature:
    """A text's signature, remembered across batches: every batch loads up to CANDIDATES stored questions per
    key, mostly the same ones as the batch before, and computing their term sets again was ~48 `features`
    calls per batch (about 1.5 ms: the largest fixed cost of a small batch of the public form). Pure, so safe
    to share; the cache is bounded."""
    return signature(features(text))


@functools.cache
def _load_statement(size: int) -> Select[Any] | CompoundSelect[Any]:
    """The newest n{i} rows of each of `size` keys (bound as k0..k{size-1}): one index range scan each."""
    parts = []
    for i in range(size):
        inner = (
            select(GroupKey.key.label("key"), GroupKey.group_id.label("group_id"),
                   QuestionGroup.status.label("status"), Message.text.label("text"))
            .join(Message, Message.id == GroupKey.message_id)
            .join(QuestionGroup, QuestionGroup.id == GroupKey.group_id)
            .where(GroupKey.event_id == bindparam("event_id"), GroupKey.key == bindparam(f"k{i}"))
            .order_by(GroupKey.id.desc()).limit(bindparam(f"n{i}"))
        ).subquery()
        parts.append(select(inner.c.key, inner.c.group_id, inner.c.status, inner.c.text))
    return parts[0] if size == 1 else union_all(*parts)


def keys_of(text: str, label: str, *, alone: bool = False) -> list[str]:
    """Bucket keys of a message (only questions are grouped with others; `alone`: an alert or an unscreened
    language, which must stay in a group of its own so its flag and reasons are not lost in a crowd)."""
    return [k[:200] for k in dict.fromkeys(bucket_keys(text))] if label == "question" and not alone else []


def per_key(keys: list[str]) -> int:
    """How many of the newest rows of each key one question looks at."""
    return max(PER_KEY_MIN, CANDIDATES // max(1, len(keys)))


def rows_needed(key_lists: Iterable[list[str]]) -> dict[str, int]:
    """For each key, the most rows any of these questions looks at (`place` reads no further: module docstring)."""
    needed: dict[str, int] = {}
    for keys in key_lists:
        depth = per_key(keys)
        for key in keys:
            needed[key] = max(needed.get(key, 0), depth)
    return needed


@dataclass
class _NewGroup:
    label: str
    text: str
    rehearsal: bool
    size: int
    last_asked_at: datetime
    alert: bool = False
    unscreened: bool = False


@dataclass
class BatchGrouper:
    """Places the questions of one batch: `load` the candidates, `place` each message, `flush` the groups."""

    event_id: int
    candidates: dict[str, list[tuple[int, bool, str]]] = field(default_factory=lambda: defaultdict(list))
    new: dict[int, _NewGroup] = field(default_factory=dict)
    joined: dict[int, tuple[int, datetime]] = field(default_factory=dict)

    @staticmethod
    def signature(text: str) -> Signature:
        """The comparison form of a text's weighted term set (similarity.signature), from SIGNATURES."""
        return _signature(text)

    async def load(self, session: AsyncSession, keys: Mapping[str, int] | set[str]) -> None:
        """Read the newest members of every key (one query per LOAD_CHUNK keys), as deep as `keys` says
        (`rows_needed`; a plain set of keys reads CANDIDATES rows of each).

        Closed groups are skipped in Python, not in SQL: filtering there could scan every row of a key
        whose recent rows all belong to answered groups.
        """
        depth = keys if isinstance(keys, Mapping) else dict.fromkeys(keys, CANDIDATES)
        ordered = sorted(depth)
        await session.flush()  # what the session holds is seen, as by session.execute's autoflush
        connection = await session.connection()  # Core statements: no ORM result processing (issue 19)
        for start in range(0, len(ordered), LOAD_CHUNK):
            chunk = ordered[start:start + LOAD_CHUNK]
            size = 1 << (len(chunk) - 1).bit_length()  # padded to a power of two: a few cached statements
            params: dict[str, Any] = {"event_id": self.event_id}
            params.update({f"k{i}": chunk[i] if i < len(chunk) else "" for i in range(size)})
            params.update({f"n{i}": min(depth[chunk[i]], CANDIDATES) if i < len(chunk) else 0 for i in range(size)})
            rows = await connection.execute(_load_statement(size), params)
            for key, group_id, status, text in rows:
                self.candidates[str(key)].append((int(group_id), status in OPEN_STATES, str(text)))

    def place(self, *, text: str, label: str, keys: list[str], received_at: datetime, rehearsal: bool,
              alert: bool = False, unscreened: bool = False) -> int:
        """The group id for a message: an open group with a similar member, or a new (negative, temporary) id.

        An alerting or unscreened message gets no keys from `keys_of` callers, so it has a group of its own
        that carries the flag (the queue shows such groups whatever their label).
        """
        scores: dict[str, float] = {}
        best: tuple[float, int] | None = None
        limit = per_key(keys)
        for key in keys:
            mine = self.signature(text)  # computed once: the batch's cache
            for group_id, is_open, candidate in self.candidates[key][:limit]:
                if not is_open:
                    continue
                if candidate not in scores:
                    scores[candidate] = signature_similarity(mine, self.signature(candidate))
                score = scores[candidate]
                if score >= SAME_GROUP_THRESHOLD and (best is None or score > best[0]):
                    best = (score, group_id)
        if best is None:
            group_id = -(len(self.new) + 1)
            self.new[group_id] = _NewGroup(label, text, rehearsal, 1, received_at, alert, unscreened)
        else:
            group_id = best[1]
            if group_id in self.new:
                added = self.new[group_id]
                added.size += 1
                added.last_asked_at = max(added.last_asked_at, received_at)
            else:
                count, last = self.joined.get(group_id, (0, received_at))
                self.joined[group_id] = (count + 1, max(last, received_at))
        for key in keys:
            self.candidates[key].insert(0, (group_id, True, text))
        return group_id

    async def flush(self, session: AsyncSession) -> dict[int, int]:
        """Insert the new groups and add to the joined ones; returns temporary id -> real id."""
        real: dict[int, int] = {}
        connection = await session.connection()
        if self.new:
            rows = [{"event_id": self.event_id, "label": g.label, "text": g.text, "size": g.size, "status": "open",
                     "rehearsal": g.rehearsal, "last_asked_at": g.last_asked_at, "alert": g.alert,
                     "unscreened": g.unscreened} for g in self.new.values()]
            returned = (await connection.execute(_insert_groups, rows)).all()
            real = _match_ids(self.new, returned)
        if self.joined:
            # Increments in SQL: two ingests joining the same group at once must not lose a count.
            await connection.execute(_increment, [{"gid": g, "n": n, "at": at} for g, (n, at) in self.joined.items()])
            for group_id in self.joined:
                loaded = session.identity_map.get(session.identity_key(QuestionGroup, group_id))
                if loaded is not None:
                    session.expire(loaded, ["size", "last_asked_at"])
        return real


async def file_keys(session: AsyncSession, *, event_id: int, rows: list[tuple[int, int, list[str]]]) -> None:
    """Store bucket keys as (message id, group id, keys) in one multi-row insert."""
    values: list[dict[str, Any]] = [{"event_id": event_id, "key": key, "group_id": group_id,
                                     "message_id": message_id} for message_id, group_id, keys in rows for key in keys]
    if values:
        await (await session.connection()).execute(_insert_keys, values)


async def assign_group(session: AsyncSession, *, event_id: int, message: Message) -> int:
    """Group one already stored message (an ORM object with an id); returns the group id."""
    grouper = BatchGrouper(event_id)
    keys = keys_of(message.text, message.label, alone=message.alert or not message.screened)
    await grouper.load(session, rows_needed([keys]))
    temp = grouper.place(text=message.text, label=message.label, keys=keys, received_at=message.received_at,
                         rehearsal=message.rehearsal, alert=message.alert, unscreened=not message.screened)
    group_id = (await grouper.flush(session)).get(temp, temp)
    message.group_id = group_id
    await session.flush()
    await file_keys(session, event_id=event_id, rows=[(message.id, group_id, keys)])
    return group_id
