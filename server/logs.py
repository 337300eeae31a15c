"""Logging setup with a filter that keeps secrets out of log lines."""

from __future__ import annotations

import logging
import re

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


def configure_logging(level: str = "INFO") -> None:
    """Log to stderr with secrets redacted."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
