"""Ingest: normalise, store exactly once per (platform, external id), triage, flag PHI, group, alert."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.base import utcnow
from server.journal import service as journal
from server.models import Event, Message, MutedAuthor
from server.platforms.base import IncomingMessage
from server.privacy.phi import screen_text
from server.questions.groups import assign_group
from server.questions.triage import triage

MAX_TEXT = 5000


@dataclass
class IngestResult:
    """What one batch did."""

    stored: list[int] = field(default_factory=list)
    duplicates: int = 0
    rejected: int = 0
    emergencies: list[int] = field(default_factory=list)


def rejection_reason(text: str) -> str | None:
    """Why a message cannot be queued (empty, oversized, binary garbage), or None."""
    if not text or not text.strip():
        return "empty message"
    if len(text) > MAX_TEXT:
        return f"message longer than {MAX_TEXT} characters"
    controls = sum(1 for ch in text if unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") and ch not in "\n\r\t")
    if "\x00" in text or controls > max(3, len(text) // 20):
        return "binary or garbled content"
    return None


def _clean(value: str | None, limit: int) -> str:
    return (value or "").replace("\x00", "")[:limit]


def _remote(message: IncomingMessage) -> dict[str, Any]:
    ref = message.ref
    data: dict[str, Any] = {"remote_id": message.external_id}
    if ref is not None:
        data = {k: v for k, v in ref.__dict__.items() if v is not None}
    return data


async def _existing(session: AsyncSession, event_id: int, platform: str, external_id: str) -> bool:
    query = select(Message.id).where(Message.event_id == event_id, Message.platform == platform,
                                     Message.external_id == external_id)
    return (await session.execute(query)).first() is not None


async def _muted(session: AsyncSession, event_id: int, platform: str, handle: str) -> bool:
    query = select(MutedAuthor.id).where(MutedAuthor.event_id == event_id, MutedAuthor.platform == platform,
                                         MutedAuthor.handle == handle)
    return (await session.execute(query)).first() is not None


async def ingest(session: AsyncSession, *, event: Event, messages: list[IncomingMessage], now: datetime | None = None,
                 rehearsal: bool = False) -> IngestResult:
    """Store new messages (duplicates are skipped), within the caller's transaction."""
    result = IngestResult()
    for incoming in messages:
        external_id = _clean(incoming.external_id, 300)
        if not external_id or await _existing(session, event.id, incoming.platform, external_id):
            result.duplicates += 1
            continue
        text = incoming.text if isinstance(incoming.text, str) else ""
        reason = rejection_reason(text)
        stored_text = text.replace("\x00", "")[:MAX_TEXT]
        verdict = triage(stored_text) if reason is None else None
        message = Message(
            event_id=event.id, platform=incoming.platform, external_id=external_id,
            author_handle=_clean(incoming.author_handle, 200) or "unknown",
            author_name=_clean(incoming.author_name, 200) or "unknown", text=stored_text,
            language=_clean(incoming.language, 16) or None, in_reply_to=_clean(incoming.in_reply_to, 300) or None,
            url=_clean(incoming.url, 500) or None, remote=_remote(incoming), received_at=incoming.received_at,
            ingested_at=now or utcnow(), label=verdict.label if verdict else "spam",
            label_reason=verdict.reason if verdict else (reason or ""), rehearsal=rehearsal,
            phi=[f.as_dict() for f in screen_text(stored_text)] if reason is None else [],
            status="rejected" if reason else "queued", reject_reason=reason,
        )
        if reason is None and await _muted(session, event.id, message.platform, message.author_handle):
            message.status = "muted"
        session.add(message)
        await session.flush()
        if reason is not None:
            result.rejected += 1
            continue
        result.stored.append(message.id)
        if message.status == "queued":
            await assign_group(session, event_id=event.id, message=message)
        if message.label == "emergency" and message.status == "queued":
            result.emergencies.append(message.id)
            await journal.record(session, actor=None, kind="alert.emergency_message", subject_type="message",
                                 subject_id=message.id, event_id=event.id,
                                 payload={"platform": message.platform, "reason": message.label_reason})
    if result.stored or result.rejected:
        await journal.record(session, actor=None, kind="questions.ingested", subject_type="event",
                             subject_id=event.id, event_id=event.id,
                             payload={"stored": len(result.stored), "rejected": result.rejected,
                                      "emergencies": result.emergencies, "rehearsal": rehearsal})
    return result
