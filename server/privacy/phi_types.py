"""Shared types for the PHI screen: the `Finding` record and the kinds it can carry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

NAME: Final = "name"
PHONE: Final = "phone"
FAX: Final = "fax"
EMAIL: Final = "email"
SSN: Final = "ssn"
RECORD_NUMBER: Final = "record_number"
ADDRESS: Final = "address"
POSTAL_CODE: Final = "postal_code"
DATE: Final = "date"
AGE_OVER_89: Final = "age_over_89"
URL: Final = "url"
IP_ADDRESS: Final = "ip_address"
DENYLIST: Final = "denylist"

KINDS: Final[tuple[str, ...]] = (
    NAME,
    PHONE,
    FAX,
    EMAIL,
    SSN,
    RECORD_NUMBER,
    ADDRESS,
    POSTAL_CODE,
    DATE,
    AGE_OVER_89,
    URL,
    IP_ADDRESS,
    DENYLIST,
)


@dataclass(frozen=True, slots=True)
class Finding:
    """A span of text that looks like protected health information.

    `start`/`end` are Python string indices (code points) into the original text, end exclusive.
    """

    kind: str
    start: int
    end: int
    reason: str

    def as_dict(self) -> dict[str, object]:
        """Return the finding as a JSON-serialisable dict."""
        return {"kind": self.kind, "start": self.start, "end": self.end, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Hit:
    """A detector's candidate finding plus the priority used to resolve overlaps (higher wins)."""

    finding: Finding
    priority: int


def hit(kind: str, start: int, end: int, reason: str, priority: int) -> Hit:
    """Build a `Hit` in one call."""
    return Hit(Finding(kind, start, end, reason), priority)
