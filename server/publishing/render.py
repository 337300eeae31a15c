"""Turning approved content into the exact text each platform receives."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from server.models import Event
from server.timeline.content import text_for
from server.timeline.schemas import ItemContent

DEFAULT_WARNING = "Surgical images"


def local_stamp(event: Event, at: datetime) -> str:
    """`10:15 EST` in the event's time zone."""
    local = at.astimezone(ZoneInfo(event.timezone))
    return f"{local:%H:%M} {local.tzname()}"


def render_text(event: Event, content: ItemContent, platform: str, at: datetime) -> str:
    """The platform's text: its override or the caption, plus a time line when the event dates everything."""
    from server.textrules import check_text

    text = text_for(content, platform)
    if not event.date_everything:
        return text
    stamped = f"{text}\n\n{local_stamp(event, at)}"
    return stamped if not check_text(platform, stamped) else text


def warning_text(event: Event, content: ItemContent) -> str | None:
    """The content warning for graphic content: the event's standing text or a default."""
    if not content.content_warning:
        return None
    return event.content_warning_text or DEFAULT_WARNING
