"""Password hashing with argon2id (the async forms run in their own threads: see server/offload.py)."""

from __future__ import annotations

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


# A hash of a random string, verified against when the user does not exist, so timing does not tell.
DUMMY_HASH = _hasher.hash("livecue-no-such-user-placeholder")
