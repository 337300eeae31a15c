"""A content warning written into the post's text, for platforms whose own warning mechanism cannot carry it.

Bluesky shows no warning for a self-labelled text-only post (its labels warn about media only), and with
default preferences a post carrying an adult media label (`graphic-media` is one) is filtered out of feeds,
which leaves holes in a thread. So on a platform whose capability is `first_line` the warning is the post's
first line, where every reader sees it before the rest. Checks and rendering count it, so a post that fits
here fits on the platform.
"""

from __future__ import annotations

from server.platforms.base import Capabilities

WARNING_PREFIX = "\u26a0\ufe0f Content warning: "


def warning_line(warning: str) -> str:
    """The first line of a warned post: `⚠️ Content warning: <the event's warning text>`."""
    return f"{WARNING_PREFIX}{warning.strip()}"


def posted_text(capabilities: Capabilities, text: str, warning: str | None) -> str:
    """The text as the platform receives it: with the warning line first where the platform needs one."""
    if not warning or not warning.strip() or capabilities.content_warning != "first_line":
        return text
    return f"{warning_line(warning)}\n\n{text}"
