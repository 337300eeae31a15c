"""Every table, imported here so Alembic and `Base.metadata` see them all."""

from server.models.event import Event, EventPlatform
from server.models.item import Approval, Item, ItemVersion
from server.models.journal import JournalEntry, JournalHead
from server.models.user import AuthSession, User

__all__ = [
    "Approval",
    "AuthSession",
    "Event",
    "EventPlatform",
    "Item",
    "ItemVersion",
    "JournalEntry",
    "JournalHead",
    "User",
]
