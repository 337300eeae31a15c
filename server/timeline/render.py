"""Turning approved content into the exact text each platform receives, and saying beforehand what will not fit.

A post can carry a time line ("10:15 EST", when the event dates everything) and, on platforms without a warning
field, a content-warning first line (`server.textrules.warning`). Both count against the platform's limit. The
time line is shortened before it is dropped (a blank line before it, then none), and an item whose time line
will not fit says so in its checks while it awaits approval, so nobody learns it from the published post.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from server.models import Event
from server.platforms.capabilities import get_capabilities
from server.textrules import check_text, text_length
from server.textrules.media import DISPLAY_NAMES
from server.textrules.warning import posted_text
from server.timeline.schemas import ItemContent

DEFAULT_WARNING = "Surgical images"


def text_for(content: ItemContent, platform: str) -> str:
    """The text that goes to `platform`: its override, or the caption."""
    for name, text in content.platform_text.items():
        if name == platform:
            return text
    return content.caption


def local_stamp(event: Event, at: datetime) -> str:
    """`10:15 EST` in the event's time zone."""
    local = at.astimezone(ZoneInfo(event.timezone))
    return f"{local:%H:%M} {local.tzname()}"


def time_lines(stamp: str) -> tuple[str, str]:
    """The time line as appended to a text, longest first: after a blank line, then right under it."""
    return f"\n\n{stamp}", f"\n{stamp}"


def fits(platform: str, text: str, warning: str | None = None) -> bool:
    """Whether `text` (with the warning line where the platform puts one) is within the platform's limits."""
    return not check_text(platform, posted_text(get_capabilities(platform), text, warning))


def render_text(event: Event, content: ItemContent, platform: str, at: datetime) -> str:
    """The platform's text: its override or the caption, plus a time line when the event dates everything.

    The time line goes after a blank line, or right under the text when that is what fits; when neither fits
    the text goes out without it (never cut), as the item's `checks` said before it was approved.
    """
    text = text_for(content, platform)
    if not event.date_everything:
        return text
    warning = warning_text(event, content)
    for line in time_lines(local_stamp(event, at)):
        if fits(platform, text + line, warning):
            return text + line
    return text


def warning_text(event: Event, content: ItemContent) -> str | None:
    """The content warning for graphic content: the event's standing text or a default."""
    if not content.content_warning:
        return None
    return event.content_warning_text or DEFAULT_WARNING


def content_checks(event: Event, content: ItemContent, platforms: list[str], at: datetime) -> list[str]:
    """What approvers should know about how this content will go out, one sentence per finding.

    `at` stands for the posting time (the stamp's length hardly varies). Text that breaks a platform's
    limits on its own is refused when edited; this names what the additions cost: a time line that will be
    left out, or a warning line that no longer fits because the event's warning text changed since.
    """
    warning = warning_text(event, content)
    stamp = local_stamp(event, at)
    notes = []
    for platform in platforms:
        name = DISPLAY_NAMES.get(platform, platform)
        text = text_for(content, platform)
        if not fits(platform, text, warning):
            notes.append(f"{name}: the text with its content-warning line is too long; the post will be refused "
                         f"there. Shorten the {name} text.")
            continue
        shortest = text + time_lines(stamp)[1]
        if event.date_everything and not fits(platform, shortest, warning):
            cap = get_capabilities(platform)
            over = text_length(platform, posted_text(cap, shortest, warning)) - cap.text_limit
            notes.append(f"{name}: no room for the time line (\u201c{stamp}\u201d); the post goes out without "
                         f"it. Shorten the {name} text by {max(over, 1)} to keep it.")
    return notes
