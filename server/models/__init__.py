"""Every table, imported here so Alembic and `Base.metadata` see them all."""

from server.models.consent import Authorization, EventDenylist, MediaAsset
from server.models.event import Event, EventPlatform
from server.models.item import Approval, Item, ItemVersion
from server.models.journal import JournalEntry, JournalHead
from server.models.metrics import EngagementSample, FollowerSample, MetricsAccount
from server.models.publishing import Delivery, MediaUpload, PlatformToken
from server.models.questions import GroupKey, IngestCursor, Message, MutedAuthor, QuestionGroup
from server.models.sandbox import SandboxAccount, SandboxPost
from server.models.user import AuthSession, User

__all__ = [
    "Approval",
    "Authorization",
    "AuthSession",
    "Delivery",
    "Event",
    "GroupKey",
    "IngestCursor",
    "Message",
    "MutedAuthor",
    "QuestionGroup",
    "EventDenylist",
    "EventPlatform",
    "EngagementSample",
    "FollowerSample",
    "Item",
    "ItemVersion",
    "JournalEntry",
    "JournalHead",
    "MediaAsset",
    "MediaUpload",
    "MetricsAccount",
    "PlatformToken",
    "SandboxAccount",
    "SandboxPost",
    "User",
]
