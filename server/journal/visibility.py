"""Who may read which journal entry: the one rule the REST journal and the live feed both apply.

They once had a rule each, and clinical users read `denylist.replaced` entries through the REST journal although
the feed hid them. Admins see everything; comms every entry of an event; clinical users an event's entries
except account, session, denylist and credential ones. Entries with no event are for admins only.
"""

from __future__ import annotations

from server.models import JournalEntry, User

STAFF_ONLY_PREFIXES = ("auth.", "user.", "denylist.", "credentials.")


def visible_by_roles(entry: JournalEntry, *, admin: bool, comms: bool) -> bool:
    """The rule, for callers that have already read the user's roles (the feed does once per client)."""
    if admin:
        return True
    if entry.event_id is None:
        return False
    return comms or not entry.kind.startswith(STAFF_ONLY_PREFIXES)


def visible(entry: JournalEntry, user: User) -> bool:
    """Whether `user` may read `entry`."""
    return visible_by_roles(entry, admin=user.has_role("admin"), comms=user.has_role("comms"))
