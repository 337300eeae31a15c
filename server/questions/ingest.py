"""Ingest: normalise, store exactly once per (platform, external id), triage, flag PHI, group, alert.

A message alerts when triage says `alert` (whatever its label): it is journaled as
`alert.emergency_message` with its reasons, kept in a group of its own flagged `alert`, and queued even
from a muted author. A message in a language nobody screens gets a flagged group of its own too.

A batch is stored in a handful of multi-row statements inside one savepoint. If the database refuses
it (a duplicate inserted concurrently by another poller, or anything unexpected), it is stored again
one message per savepoint: the refused message is skipped and counted, and the rest of the batch, and
the cursor the caller stores with it, still commit. A bad message can never block the poll loop. A failure
of the database itself (a full disk, a lost connection) is raised instead: nothing commits, the cursor
stays, and the next round fetches the same messages again.
"""

from __future__ import annotations

import functools
import logging
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import CompoundSelect, Integer, Select, Table, bindparam, insert, literal, select, union_all
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from server.clock import session_now
from server.journal import service as journal
from server.journal.kinds import JournalKind
from server.models import Event, Message, MutedAuthor
from server.platforms.base import IncomingMessage
from server.privacy.phi import screen_text
from server.questions.grouping_db import BatchGrouper, file_keys, keys_of, rows_needed
from server.triage.triage import TriageResult, triage

log = logging.getLogger("livecue.ingest")
MAX_TEXT = 5000
_messages = cast(Table, Message.__table__)
_muted_authors = cast(Table, MutedAuthor.__table__)
# One multi-row INSERT per batch; each id is matched to its row by (platform, external id), unique within the
# event. Asking for the ids in parameter order instead (`sort_by_parameter_order`) made SQLAlchemy send one
# INSERT per message on SQLite, which has no sentinel to sort by (issue 19).
_insert_messages = insert(_messages).returning(_messages.c.id, _messages.c.platform, _messages.c.external_id)
BINARY = "binary or garbled content"
# Failures of the database itself, not of one message: the caller's transaction (and its cursor) must not commit.
ENVIRONMENT_ERRORS = (OperationalError, InterfaceError, OSError)


@dataclass
class IngestResult:
    """What one batch did: stored ids, skipped duplicates, rejected (stored) and dropped (not stored)."""

    stored: list[int] = field(default_factory=list)
    duplicates: int = 0
    rejected: int = 0
    dropped: int = 0
    emergencies: list[int] = field(default_factory=list)

    def add(self, other: IngestResult) -> None:
        """Fold another batch's counts into this one."""
        self.stored += other.stored
        self.duplicates += other.duplicates
        self.rejected += other.rejected
        self.dropped += other.dropped
        self.emergencies += other.emergencies


def rejection_reason(text: str) -> str | None:
    """Why a message cannot be queued (empty, oversized, binary garbage), or None."""
    if not text or not text.strip():
        return "empty message"
    if len(text) > MAX_TEXT:
        return f"message longer than {MAX_TEXT} characters"
    controls = sum(1 for ch in text if unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") and ch not in "\n\r\t")
    replaced = text.count("\ufffd")
    if "\x00" in text or controls > max(3, len(text) // 20) or replaced > max(3, len(text) // 20):
        return BINARY
    return None


def storable(value: str) -> str:
    """`value` as text every database accepts: no NUL, no lone surrogates (replaced by U+FFFD)."""
    value = value.replace("\x00", "")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = "".join("\ufffd" if unicodedata.category(ch) == "Cs" else ch for ch in value)
    return value


def _clean(value: object, limit: int) -> str:
    return storable(value)[:limit] if isinstance(value, str) else ""


def _text(value: object) -> tuple[str, str | None]:
    """The message text as a string, and a rejection reason when it was not text at all."""
    if isinstance(value, bytes | bytearray):
        return storable(bytes(value).decode("utf-8", errors="replace")), BINARY
    if not isinstance(value, str):
        return "", "empty message"
    return value, None


def _received(value: object, now: datetime) -> datetime:
    if not isinstance(value, datetime):
        return now
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _remote(message: IncomingMessage) -> dict[str, Any]:
    ref = message.ref
    if ref is None:
        return {"remote_id": message.external_id}
    return {k: v for k, v in ref.__dict__.items() if v is not None}


@functools.cache
def _lookup_statement(platforms: int) -> CompoundSelect[Any]:
    """Which of a batch's ids are stored (per platform p{i}: the ids ids{i}) and who is muted, in one statement
    (bound: event_id): one round trip instead of one per platform and one for the muted authors (issue 19)."""
    event_id = bindparam("event_id", type_=Integer)
    parts: list[Select[Any]] = [
        select(literal("known"), _messages.c.platform, _messages.c.external_id)
        .where(_messages.c.event_id == event_id, _messages.c.platform == bindparam(f"p{i}"),
               _messages.c.external_id.in_(bindparam(f"ids{i}", expanding=True)))
        for i in range(platforms)]
    parts.append(select(literal("muted"), _muted_authors.c.platform, _muted_authors.c.handle)
                 .where(_muted_authors.c.event_id == event_id))
    return union_all(*parts)


async def _lookups(connection: AsyncConnection, event_id: int,
                   messages: Sequence[IncomingMessage]) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(platform, external id) pairs of this batch already stored, and the event's muted (platform, handle)s."""
    wanted: dict[str, set[str]] = {}
    for m in messages:
        external_id = _clean(m.external_id, 300)
        if external_id:
            wanted.setdefault(_clean(m.platform, 16), set()).add(external_id)
    params: dict[str, Any] = {"event_id": event_id}
    for i, (platform, ids) in enumerate(wanted.items()):
        params[f"p{i}"], params[f"ids{i}"] = platform, sorted(ids)
    found: dict[str, set[tuple[str, str]]] = {"known": set(), "muted": set()}
    for what, platform, name in await connection.execute(_lookup_statement(len(wanted)), params):
        found[what].add((platform, name))
    return found["known"], found["muted"]


def _row(event: Event, incoming: IncomingMessage, external_id: str, now: datetime, rehearsal: bool) -> dict[str, Any]:
    """The column values of one new message: triaged and PHI-screened, or rejected with its reason."""
    raw, reason = _text(incoming.text)
    reason = reason or rejection_reason(raw)
    text = storable(raw)[:MAX_TEXT]
    verdict = triage(text) if reason is None else None
    return {
        "event_id": event.id, "platform": _clean(incoming.platform, 16), "external_id": external_id,
        "author_handle": _clean(incoming.author_handle, 200) or "unknown",
        "author_name": _clean(incoming.author_name, 200) or "unknown", "text": text,
        "language": _clean(incoming.language, 16) or (verdict.language if verdict else None),
        "in_reply_to": _clean(incoming.in_reply_to, 300) or None,
        "url": _clean(incoming.url, 500) or None, "remote": _remote(incoming),
        "visibility": _clean(incoming.visibility, 16) or None,
        "received_at": _received(incoming.received_at, now), "ingested_at": now,
        "label": verdict.label if verdict else "spam", "label_reason": _label_reason(verdict, reason),
        "alert": bool(verdict and verdict.alert), "alert_reasons": list(verdict.reasons) if verdict else [],
        "screened": verdict.screened if verdict else True,
        "rehearsal": rehearsal, "phi": [f.as_dict() for f in screen_text(text)] if reason is None else [],
        "status": "rejected" if reason else "queued", "reject_reason": reason, "group_id": None,
    }


def _label_reason(verdict: TriageResult | None, rejected: str | None) -> str:
    """The reason shown beside the label; an alert on a message of another label names its first reason."""
    if verdict is None:
        return rejected or ""
    if verdict.alert and verdict.label != "emergency":
        return f"alert: {verdict.reasons[0]}; {verdict.reason}"
    return verdict.reason


async def _store(session: AsyncSession, event: Event, rows: list[dict[str, Any]],
                 muted: set[tuple[str, str]]) -> IngestResult:
    """Insert messages in a few multi-row statements: group them, insert groups, messages, then keys."""
    result = IngestResult()
    grouper = BatchGrouper(event.id)
    keys: list[list[str]] = []
    for row in rows:
        if row["status"] == "queued" and (row["platform"], row["author_handle"]) in muted:
            if row["alert"]:  # safety first: a possible emergency reaches staff whoever sent it
                row["label_reason"] = f"{row['label_reason']} (from a muted author)".strip()
            else:
                row["status"] = "muted"
        alone = row["alert"] or not row["screened"]
        keys.append(keys_of(row["text"], row["label"], alone=alone) if row["status"] == "queued" else [])
    await grouper.load(session, rows_needed(keys))  # each key as deep as `place` will look
    for row, row_keys in zip(rows, keys, strict=True):
        row["group_id"] = None if row["status"] != "queued" else grouper.place(
            text=row["text"], label=row["label"], keys=row_keys, received_at=row["received_at"],
            rehearsal=row["rehearsal"], alert=row["alert"], unscreened=not row["screened"])
    real = await grouper.flush(session)
    for row in rows:
        row["group_id"] = real.get(row["group_id"], row["group_id"])
    connection = await session.connection()
    returned = {(platform, external_id): int(i) for i, platform, external_id
                in (await connection.execute(_insert_messages, rows)).all()}
    ids = [returned[(row["platform"], row["external_id"])] for row in rows]
    await file_keys(session, event_id=event.id, rows=[(message_id, row["group_id"], row_keys) for message_id, row,
                                                      row_keys in zip(ids, rows, keys, strict=True) if row_keys])
    for message_id, row in zip(ids, rows, strict=True):
        if row["status"] == "rejected":
            result.rejected += 1
            continue
        result.stored.append(message_id)
        if row["alert"] and row["status"] == "queued":
            await journal.record(session, actor=None, kind=JournalKind.ALERT_EMERGENCY_MESSAGE, subject_type="message",
                                 subject_id=message_id, event_id=event.id,
                                 payload={"platform": row["platform"], "reason": row["alert_reasons"][0],
                                          "reasons": row["alert_reasons"], "label": row["label"]})
            result.emergencies.append(message_id)
    return result


async def ingest(session: AsyncSession, *, event: Event, messages: Sequence[IncomingMessage],
                 now: datetime | None = None, rehearsal: bool = False) -> IngestResult:
    """Store new messages (duplicates are skipped), within the caller's transaction.

    The batch is stored in one savepoint; if the database refuses it (say another poller stored one of
    its messages meanwhile), it is stored again one message per savepoint, skipping what fails.
    """
    result = IngestResult()
    now = now or session_now(session)
    await session.flush()  # the Core statements below run on the session's connection, without autoflush
    seen, muted = await _lookups(await session.connection(), event.id, messages)
    rows: list[dict[str, Any]] = []
    for incoming in messages:
        external_id = _clean(getattr(incoming, "external_id", None), 300)
        key = (_clean(getattr(incoming, "platform", None), 16), external_id)
        if not external_id or not key[0]:
            result.dropped += 1
            log.warning("dropped an incoming message without a platform or external id")
        elif key in seen:
            result.duplicates += 1
        else:
            seen.add(key)
            try:
                rows.append(_row(event, incoming, external_id, now, rehearsal))
            except Exception:  # never let one message stop the batch (and its cursor) from committing
                log.exception("dropped incoming message %s:%s", key[0], external_id)
                result.dropped += 1
    if rows:
        try:
            async with session.begin_nested():
                result.add(await _store(session, event, [dict(r) for r in rows], muted))
        except ENVIRONMENT_ERRORS:
            raise  # the database cannot store anything now (disk full, connection lost): fail the whole poll
        except Exception:
            log.info("storing %d messages together failed; storing them one by one", len(rows))
            for row in rows:
                result.add(await _store_one(session, event, row, muted))
    if result.stored or result.rejected or result.dropped:
        await journal.record(session, actor=None, kind=JournalKind.QUESTIONS_INGESTED, subject_type="event",
                             subject_id=event.id, event_id=event.id,
                             payload={"stored": len(result.stored), "rejected": result.rejected,
                                      "dropped": result.dropped, "emergencies": result.emergencies,
                                      "rehearsal": rehearsal})
    return result


async def _store_one(session: AsyncSession, event: Event, row: dict[str, Any],
                     muted: set[tuple[str, str]]) -> IngestResult:
    try:
        async with session.begin_nested():
            return await _store(session, event, [dict(row)], muted)
    except IntegrityError:  # stored meanwhile by another poller: the unique key keeps it once
        return IngestResult(duplicates=1)
    except ENVIRONMENT_ERRORS:
        raise
    except Exception:
        log.exception("dropped incoming message %s:%s", row["platform"], row["external_id"])
        return IngestResult(dropped=1)
