"""Record keys in TID syntax, derived deterministically from an idempotency key.

A TID is a 64-bit integer written as 13 characters of "base32-sortable"
(`234567abcdefghijklmnopqrstuvwxyz`): the top bit is 0, the next 53 bits are microseconds since
the Unix epoch and the last 10 bits are a clock identifier. `app.bsky.feed.post` records use
`key: "tid"`, so a client-chosen record key must have that syntax.

`tid_for_key` hashes the idempotency key (SHA-256) and uses 55 of its bits: 45 for a timestamp
inside a fixed window in the past (2023-01-01 plus up to ~407 days, so no key ever looks like it
comes from the future) and 10 for the clock identifier. The same key always gives the same
record key, so re-sending a post after an unknown outcome targets the same record and cannot
create a second one.
"""

from __future__ import annotations

import hashlib

import regex

B32_SORTABLE = "234567abcdefghijklmnopqrstuvwxyz"
TID_RE = regex.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
_WINDOW_START_US = 1_672_531_200_000_000  # 2023-01-01T00:00:00Z in microseconds
_WINDOW_BITS = 45
_CLOCK_BITS = 10


def encode_tid(value: int) -> str:
    """Encode a non-negative integer below 2**63 as a 13-character TID."""
    if not 0 <= value < 1 << 63:
        raise ValueError("TID value must fit in 63 bits")
    chars = []
    for _ in range(13):
        chars.append(B32_SORTABLE[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def decode_tid(tid: str) -> int:
    """Decode a TID string back to its integer value."""
    if not is_valid_tid(tid):
        raise ValueError(f"not a TID: {tid!r}")
    value = 0
    for char in tid:
        value = (value << 5) | B32_SORTABLE.index(char)
    return value


def is_valid_tid(tid: str) -> bool:
    """Tell whether `tid` has TID syntax."""
    return TID_RE.match(tid) is not None


def tid_for_key(idempotency_key: str) -> str:
    """Return the deterministic TID-syntax record key for an idempotency key."""
    if not idempotency_key:
        raise ValueError("idempotency key must not be empty")
    digest = int.from_bytes(hashlib.sha256(idempotency_key.encode("utf-8")).digest()[:8], "big")
    clock_id = digest & ((1 << _CLOCK_BITS) - 1)
    offset = (digest >> _CLOCK_BITS) & ((1 << _WINDOW_BITS) - 1)
    timestamp_us = _WINDOW_START_US + offset
    return encode_tid((timestamp_us << _CLOCK_BITS) | clock_id)
