"""Record keys in TID syntax for Livecue's posts: the posting time, made deterministic by the delivery's key.

A TID is a 64-bit integer written as 13 characters of "base32-sortable"
(`234567abcdefghijklmnopqrstuvwxyz`): the top bit is 0, the next 53 bits are microseconds since
the Unix epoch and the last 10 bits are a clock identifier. `app.bsky.feed.post` records use
`key: "tid"`, so a client-chosen record key must have that syntax.

`tid_for_delivery` takes the time from the delivery's creation (the same on every attempt, and in thread
order, so the repository's order is the thread's and the key dates the post) to the millisecond, and fills
the sub-millisecond digits and the clock identifier from a hash of the idempotency key (about 20 bits):
the same delivery always gets the same record key, so re-sending after an unknown outcome targets the same
record and cannot create a second one, and two deliveries created in the same millisecond still differ.
Should two ever meet, `attempt` gives the next key in a fixed sequence (the adapter checks the record it
finds there is this delivery's post before taking it).

`tid_for_key` is the older scheme (hash only, dated 2023-24), kept so a delivery sent before the change can
still be found.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

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


def tid_for_delivery(idempotency_key: str, created_at: datetime, attempt: int = 0) -> str:
    """The record key of a delivery's post: created_at to the millisecond, then key-derived bits (see above)."""
    if not idempotency_key:
        raise ValueError("idempotency key must not be empty")
    if created_at.tzinfo is None:
        raise ValueError("created_at must be timezone-aware")
    seed = idempotency_key if attempt == 0 else f"{idempotency_key}#{attempt}"
    digest = int.from_bytes(hashlib.sha256(seed.encode("utf-8")).digest()[:8], "big")
    moment = created_at.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    millis = (moment.days * 86_400 + moment.seconds) * 1000 + moment.microseconds // 1000
    timestamp_us = millis * 1000 + digest % 1000
    clock_id = (digest >> 16) & ((1 << _CLOCK_BITS) - 1)
    return encode_tid((timestamp_us << _CLOCK_BITS) | clock_id)


RKEY_SEQUENCE = 3  # keys a delivery may use in turn; a collision needs two deliveries in one millisecond


def record_keys(idempotency_key: str, created_at: datetime | None) -> list[str]:
    """The record keys of a delivery's post, in the order the adapter tries them.

    Without a creation time (a caller outside the outbox) only the key-derived TID is deterministic.
    """
    if created_at is None:
        return [tid_for_key(idempotency_key)]
    return [tid_for_delivery(idempotency_key, created_at, n) for n in range(RKEY_SEQUENCE)]
