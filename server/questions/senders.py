"""Public-form senders as staff see them: a keyed hash of the address, enough to tell "same sender", never the IP.

Staff used to see each form submitter's IP address (the author handle was `form:<address>`). What they need is
to group one sender's questions and mute a flooder; a keyed hash does both and, with the key kept outside the
database (derived from the server's secret key), a copy of the database does not give the addresses back either.
"""

from __future__ import annotations

import hashlib
import hmac

from server.config import Settings
from server.secret_key import settings_key

PREFIX = "form:sender-"


def sender_key(settings: Settings) -> bytes:
    """The key for sender hashes, derived from the server's secret key (a key of its own for this one use)."""
    return hmac.new(settings_key(settings), b"livecue public-form sender v1", hashlib.sha256).digest()


def sender_handle(key: bytes, address: str) -> str:
    """The author handle of a form message from `address`: the same for every question from it."""
    return PREFIX + hmac.new(key, address.encode(), hashlib.sha256).hexdigest()[:12]
