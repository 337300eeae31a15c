"""Password hashing with argon2id (the async forms run in their own threads: see server/offload.py)."""

from __future__ import annotations

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from server.offload import offload

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    """Hash a password for storage."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Check a password against its stored hash, in constant time."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def hashed(password: str) -> str:
    """`hash_password` off the event loop."""
    return await offload("passwords", hash_password, password)


async def verified(password_hash: str, password: str) -> bool:
    """`verify_password` off the event loop."""
    return await offload("passwords", verify_password, password_hash, password)


@functools.cache
def dummy_hash() -> str:
    """A hash verified against when the user does not exist, so timing does not tell.

    Made on first use, not at import: an argon2 hash costs ~0.1-0.7 s of CPU, and every restart (kill -9 to
    serving, bench/restart_bench.py) paid it before answering anything.
    """
    return hash_password("livecue-no-such-user-placeholder")


def _verify_dummy(password: str) -> bool:
    return verify_password(dummy_hash(), password)


async def verified_dummy(password: str) -> bool:
    """Verify against `dummy_hash()` off the event loop (its first call also makes the hash there)."""
    return await offload("passwords", _verify_dummy, password)
