"""Planned offsets from an event's start, written "T+HH:MM" or "T+HH:MM:SS"."""

from __future__ import annotations

import re
from datetime import timedelta

OFFSET_PATTERN = r"^T\+(\d{2}):([0-5]\d)(?::([0-5]\d))?$"
_OFFSET_RE = re.compile(OFFSET_PATTERN)


def parse_offset(text: str) -> timedelta:
    """Parse a planned offset such as "T+01:30" or "T+01:30:15" into a timedelta."""
    match = _OFFSET_RE.match(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"bad offset {text!r}: expected T+HH:MM or T+HH:MM:SS")
    hours, minutes, seconds = match.group(1), match.group(2), match.group(3) or "0"
    return timedelta(hours=int(hours), minutes=int(minutes), seconds=int(seconds))


def format_offset(offset: timedelta) -> str:
    """Format a non-negative timedelta as "T+HH:MM", or "T+HH:MM:SS" when it has seconds."""
    total = int(offset.total_seconds())
    if total < 0 or offset.microseconds:
        raise ValueError(f"offset must be a non-negative whole number of seconds, got {offset}")
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours > 99:
        raise ValueError(f"offset too large for T+HH:MM: {offset}")
    text = f"T+{hours:02d}:{minutes:02d}"
    return f"{text}:{seconds:02d}" if seconds else text
