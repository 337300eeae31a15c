"""The clinical queue's order and its cursor, so a long queue pages without hiding what is urgent.

Order: first the urgent groups (emergency and personal-medical, and any group triage flagged as an alert or as
in a language it cannot read), newest ask first, so a new one is always at the
top of the first page, whatever came before it (a burst of false alarms once pushed a new personal-medical
question out of a list cut at 100), a possible emergency before the others asked at the same moment; then the
other questions, biggest first, oldest first among equals. The id breaks the remaining ties, so the order is
total.

The cursor is opaque to clients (base64 of the last group's sort key) and pages by key, not by offset: a
group that arrives meanwhile does not shift the next page. A group whose key changes between two pages (a new
asker) can move across the boundary; the clients' live feed refreshes the first page for that.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, or_
from sqlalchemy.sql.elements import ColumnElement

from server.errors import Invalid
from server.models import QuestionGroup

URGENT_LABELS = ("emergency", "personal_medical")
URGENT, OTHER = 0, 1


def _is_urgent() -> ColumnElement[bool]:
    """An urgent label, or a group flagged by triage: an alert under any label, or a language it cannot read."""
    return or_(QuestionGroup.label.in_(URGENT_LABELS), QuestionGroup.alert.is_(True),
               QuestionGroup.unscreened.is_(True))


def tier() -> ColumnElement[int]:
    """0 for urgent groups, 1 for the rest."""
    return case((_is_urgent(), URGENT), else_=OTHER)


def _urgent_ask() -> ColumnElement[Any]:
    return case((_is_urgent(), QuestionGroup.last_asked_at), else_=None)


def _rank() -> ColumnElement[int]:
    """0 for a possible emergency (the label or a triage alert), 1 for the rest: it leads its moment."""
    return case((or_(QuestionGroup.label == "emergency", QuestionGroup.alert.is_(True)), 0), else_=1)


def _other(column: Any) -> ColumnElement[Any]:
    return case((_is_urgent(), None), else_=column)


def ordered(query: Select[Any]) -> Select[Any]:
    """`query` in queue order (see the module docstring)."""
    return query.order_by(tier(), _urgent_ask().desc(), _rank(), _other(QuestionGroup.size).desc(),
                          _other(QuestionGroup.created_at), QuestionGroup.id)


@dataclass(frozen=True)
class Position:
    """Where a page ended: the last group's sort key."""

    tier: int
    group_id: int
    asked: datetime | None = None  # urgent
    rank: int = 0  # urgent: 0 a possible emergency, 1 the rest
    size: int | None = None  # other
    created: datetime | None = None  # other

    @classmethod
    def of(cls, group: QuestionGroup) -> Position:
        """The position right after `group`."""
        if group.label in URGENT_LABELS or group.alert or group.unscreened:
            rank = 0 if group.label == "emergency" or group.alert else 1
            return cls(URGENT, group.id, asked=group.last_asked_at, rank=rank)
        return cls(OTHER, group.id, size=group.size, created=group.created_at)

    def encode(self) -> str:
        """The opaque cursor string."""
        data = {"t": self.tier, "i": self.group_id, "a": _iso(self.asked), "r": self.rank, "s": self.size,
                "c": _iso(self.created)}
        return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, cursor: str) -> Position:
        """Parse a cursor; 400 naming the `cursor` parameter when it is not one of ours."""
        try:
            data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
            position = cls(tier=int(data["t"]), group_id=int(data["i"]), asked=_time(data.get("a")),
                           rank=int(data.get("r") or 0), size=None if data.get("s") is None else int(data["s"]),
                           created=_time(data.get("c")))
        except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
            raise Invalid("not a cursor this server gave out", field="cursor") from None
        complete = position.asked is not None if position.tier == URGENT else (
            position.tier == OTHER and position.size is not None and position.created is not None)
        if not complete:
            raise Invalid("not a cursor this server gave out", field="cursor")
        return position

    def after(self) -> ColumnElement[bool]:
        """The groups that come after this position in queue order."""
        group = QuestionGroup
        if self.tier == URGENT:
            same = group.last_asked_at == self.asked
            later = or_(group.last_asked_at < self.asked, and_(same, _rank() > self.rank),
                        and_(same, _rank() == self.rank, group.id > self.group_id))
            return or_(and_(tier() == URGENT, later), tier() == OTHER)
        later = or_(group.size < self.size, and_(group.size == self.size, or_(
            group.created_at > self.created, and_(group.created_at == self.created, group.id > self.group_id))))
        return and_(tier() == OTHER, later)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _time(value: object) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(str(value))
    if parsed.tzinfo is None:
        raise ValueError("naive time in cursor")
    return parsed
