"""Cross-field rules of the schedule format, run on plain data (raw YAML or a model dump)."""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from server.schedules.problems import YamlPath, format_field
from server.timeline.offsets import format_offset, parse_offset

RuleProblem = tuple[YamlPath, str]
_DR_NAME = re.compile(r"\bDr\.?\s+([A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?)")


def _dict(value: object) -> dict[Any, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _datetime(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def _offset(value: object) -> timedelta | None:
    try:
        return parse_offset(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _utc_offset(moment: datetime) -> str:
    text = moment.strftime("%z")
    return f"{text[:3]}:{text[3:5]}" if len(text) >= 5 else text


def iter_ids(data: object) -> Iterator[tuple[YamlPath, str]]:
    """Every (path, id) of items, the holding message, answers and replies, in file order."""
    doc = _dict(data)
    for i, item in enumerate(_list(doc.get("items"))):
        yield from _one_id(("items", i), item)
    yield from _one_id(("holding_message",), doc.get("holding_message"))
    for i, answer in enumerate(_list(doc.get("answers"))):
        yield from _one_id(("answers", i), answer)
    replies = _dict(doc.get("replies"))
    for kind in ("emergency", "redirect"):
        yield from _one_id(("replies", kind), replies.get(kind))


def _one_id(path: YamlPath, entry: object) -> Iterator[tuple[YamlPath, str]]:
    ident = _str(_dict(entry).get("id"))
    if ident is not None:
        yield (*path, "id"), ident


def _duplicate_ids(data: object) -> Iterator[RuleProblem]:
    seen: dict[str, YamlPath] = {}
    for path, ident in iter_ids(data):
        if ident in seen:
            yield path, f"duplicate id '{ident}' (also used by {format_field(seen[ident][:-1])})"
        else:
            seen[ident] = path


def _authorizations(data: object) -> Iterator[RuleProblem]:
    doc = _dict(data)
    event = _dict(doc.get("event"))
    start = _datetime(event.get("planned_start"))
    known: dict[str, set[str]] = {}
    for i, auth in enumerate(_list(doc.get("authorizations"))):
        auth = _dict(auth)
        ident = _str(auth.get("id"))
        if ident is None:
            continue
        if ident in known:
            yield ("authorizations", i, "id"), f"duplicate authorization id '{ident}'"
            continue
        known[ident] = {c for c in _list(auth.get("covers")) if isinstance(c, str)}
        expires = _date(auth.get("expires"))
        if expires is not None and start is not None and expires < start.date():
            yield (
                ("authorizations", i, "expires"),
                f"authorization '{ident}' expires {expires.isoformat()}, "
                f"before the event's planned start {start.date().isoformat()}",
            )
    for i, item in enumerate(_list(doc.get("items"))):
        item = _dict(item)
        for j, ref in enumerate(_list(item.get("authorizations"))):
            path: YamlPath = ("items", i, "authorizations", j)
            if isinstance(ref, str) and ref not in known:
                yield path, f"unknown authorization '{ref}'"
            elif isinstance(ref, str) and not known[ref] & {"story", "name"}:
                yield path, f"authorization '{ref}' covers neither story nor name"
        for k, media in enumerate(_list(item.get("media"))):
            for j, ref in enumerate(_list(_dict(media).get("authorizations"))):
                path = ("items", i, "media", k, "authorizations", j)
                if isinstance(ref, str) and ref not in known:
                    yield path, f"unknown authorization '{ref}'"
                elif isinstance(ref, str) and not known[ref] & {"photos", "video"}:
                    yield path, f"authorization '{ref}' covers neither photos nor video"


def _timeline(data: object) -> Iterator[RuleProblem]:
    doc = _dict(data)
    has_warning_text = bool(_str(_dict(doc.get("event")).get("content_warning_text")))
    latest: tuple[timedelta, int] | None = None
    for i, item in enumerate(_list(doc.get("items"))):
        if not isinstance(item, dict):
            continue
        if item.get("at") is None and item.get("cue") is None:
            yield ("items", i), "an item needs 'at' or 'cue' (or both)"
        offset = _offset(item.get("at"))
        if offset is not None:
            if latest is not None and offset < latest[0]:
                yield (
                    ("items", i, "at"),
                    f"items must be in time order: {format_offset(offset)} comes after "
                    f"{format_offset(latest[0])} (items[{latest[1]}])",
                )
            else:
                latest = (offset, i)
        if item.get("content_warning") is True and not has_warning_text:
            message = "content_warning is set but event.content_warning_text is missing"
            yield ("items", i, "content_warning"), message


def _event(data: object) -> Iterator[RuleProblem]:
    event = _dict(_dict(data).get("event"))
    seen: set[tuple[str, str]] = set()
    for i, account in enumerate(_list(event.get("platforms"))):
        account = _dict(account)
        key = (str(account.get("platform")), str(account.get("account")))
        if key in seen:
            yield ("event", "platforms", i), f"duplicate platform account {key[0]}/{key[1]}"
        seen.add(key)
    start = _datetime(event.get("planned_start"))
    zone_name = _str(event.get("timezone"))
    if start is None or start.utcoffset() is None or zone_name is None:
        return
    try:
        zone = zoneinfo.ZoneInfo(zone_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return
    try:
        wall = start.replace(tzinfo=zone)
        expected = wall.utcoffset()
    except (OverflowError, ValueError):
        return
    if expected != start.utcoffset():
        yield (
            ("event", "planned_start"),
            f"UTC offset {_utc_offset(start)} does not match {zone_name} on that date "
            f"(did you mean {wall.isoformat()}?)",
        )


def iter_texts(data: object) -> Iterator[tuple[YamlPath, object]]:
    """Every (path, text) that may be posted: captions, platform texts, holding message, answers, replies."""
    doc = _dict(data)
    for i, item in enumerate(_list(doc.get("items"))):
        item = _dict(item)
        yield ("items", i, "caption"), item.get("caption")
        for platform, text in _dict(item.get("platform_text")).items():
            yield ("items", i, "platform_text", platform), text
    yield ("holding_message", "caption"), _dict(doc.get("holding_message")).get("caption")
    for i, answer in enumerate(_list(doc.get("answers"))):
        yield ("answers", i, "caption"), _dict(answer).get("caption")
    replies = _dict(doc.get("replies"))
    for kind in ("emergency", "redirect"):
        yield ("replies", kind, "caption"), _dict(replies.get(kind)).get("caption")


def _named_staff(data: object) -> Iterator[RuleProblem]:
    staff = _list(_dict(_dict(data).get("event")).get("staff_names"))
    surnames = {name.split()[-1] for name in staff if isinstance(name, str) and name.split()}
    for path, text in iter_texts(data):
        for match in _DR_NAME.finditer(text if isinstance(text, str) else ""):
            words = match.group(1).split()
            if words[-1] not in surnames and words[0] not in surnames:
                yield path, f"names {match.group(0)}, who is not listed in event.staff_names"


def cross_problems(data: object) -> list[RuleProblem]:
    """All cross-field problems in schedule data: ids, consents, time order, staff names, event."""
    found = [*_event(data), *_authorizations(data), *_timeline(data), *_duplicate_ids(data)]
    return found + list(_named_staff(data))
