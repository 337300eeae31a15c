"""Logging setup with a filter that keeps secrets out of log lines; text or JSON lines.

JSON logs (LIVECUE_LOG_FORMAT=json) are one object a line for a log collector, each carrying the id of the
request being served and the event it concerns, so the lines of one request (across replicas behind a proxy)
can be found together. Both ids live in context variables set by `server.monitoring.requestids`.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
from datetime import UTC, datetime

_SECRET_PATTERNS = [
    re.compile(r"(?i)(authorization:\s*)(bearer|oauth)\s+[^\s,]+"),
    re.compile(r"(?i)((?:access|refresh)_?(?:jwt|token)|password|secret|token_secret)(['\"]?\s*[:=]\s*['\"]?)"
               r"[^\s'\",}]+"),
]


def redact(text: str) -> str:
    """Replace anything that looks like a credential with [redacted]."""
    text = _SECRET_PATTERNS[0].sub(r"\1\2 [redacted]", text)
    return _SECRET_PATTERNS[1].sub(r"\1\2[redacted]", text)


class RedactingFilter(logging.Filter):
    """Rewrite every record's message through `redact`."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact and keep the record."""
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("livecue_request_id", default=None)
EVENT_ID: contextvars.ContextVar[int | None] = contextvars.ContextVar("livecue_event_id", default=None)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, request_id, event_id, exception."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON (the message already redacted by `RedactingFilter`)."""
        line: dict[str, object] = {
            # A log record's own creation time, not the app's clock: it says when the line was written.
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or REQUEST_ID.get(),
            "event_id": getattr(record, "event_id", None) or EVENT_ID.get(),
        }
        if record.exc_info:
            line["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(level: str = "INFO", fmt: str = "text") -> None:
    """Log to stderr with secrets redacted, as text lines or (`fmt="json"`) JSON lines."""
    handler = logging.StreamHandler()
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
