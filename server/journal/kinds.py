"""Every kind of journal entry, in one place: `journal.record` takes only these.

The journal is the one event stream (the console's feed, the REST journal, the recap and the public page all
read it), so a misspelt kind is a line nobody sees. Kinds used to be free strings in some sixty calls; the console
even handled an `item.blocked` nothing wrote (a withdrawn consent journals `authorization.revoked` with the
items it blocks). The values are the strings stored in `journal_entries.kind`: never change one.

To add a kind: add a member here (value "<subject>.<what happened>"), record it with `JournalKind.<NAME>`, and
give it a line in console_ui/js/lib/words.js if people should read it in the console.
"""

from __future__ import annotations

from enum import StrEnum


class JournalKind(StrEnum):
    """The kind of one journal entry (a `str`: compares equal to the stored value)."""

    ALERT_EMERGENCY_HOLD = "alert.emergency_hold"
    ALERT_EMERGENCY_MESSAGE = "alert.emergency_message"
    ANSWER_DRAFTED = "answer.drafted"
    ANSWER_QUEUED = "answer.queued"
    ANSWER_TEMPLATE = "answer.template"
    ANSWER_WAITING = "answer.waiting"
    ANSWER_WITHHELD = "answer.withheld"
    AUTH_LOGIN = "auth.login"
    AUTH_LOGOUT = "auth.logout"
    AUTHOR_MUTED = "author.muted"
    AUTHORIZATION_RECORDED = "authorization.recorded"
    AUTHORIZATION_REVOKED = "authorization.revoked"
    AUTHORIZATION_UPDATED = "authorization.updated"
    DELIVERY_ABANDONED = "delivery.abandoned"
    DELIVERY_FAILED = "delivery.failed"
    DELIVERY_NEEDS_REAUTH = "delivery.needs_reauth"
    DELIVERY_POSTED = "delivery.posted"
    DELIVERY_PULLED_BACK = "delivery.pulled_back"
    DELIVERY_RECONCILED = "delivery.reconciled"
    DELIVERY_RETRY = "delivery.retry"
    DELIVERY_RETRY_REQUESTED = "delivery.retry_requested"
    DELIVERY_UNKNOWN = "delivery.unknown"
    DENYLIST_REPLACED = "denylist.replaced"
    EVENT_CREATED = "event.created"
    EVENT_POLICY_CHANGED = "event.policy_changed"
    EVENT_STATUS = "event.status"
    EVENT_UPDATED = "event.updated"
    FINDING_OVERRIDDEN = "finding.overridden"
    ITEM_APPROVED = "item.approved"
    ITEM_CREATED = "item.created"
    ITEM_EDITED = "item.edited"
    ITEM_QUEUED = "item.queued"
    ITEM_REJECTED = "item.rejected"
    ITEM_RESCHEDULED = "item.rescheduled"
    ITEM_RESCREENED = "item.rescreened"
    ITEM_SKIPPED = "item.skipped"
    ITEM_UNSKIPPED = "item.unskipped"
    MESSAGE_HIDDEN = "message.hidden"
    MESSAGE_RELABELED = "message.relabeled"
    PLATFORM_RECONNECTED = "platform.reconnected"
    PLATFORM_TEST_POST = "platform.test_post"
    PREFLIGHT_WAIVED = "preflight.waived"
    QUESTION_ASSIGNED = "question.assigned"
    QUESTION_CLAIMED = "question.claimed"
    QUESTION_RELEASED = "question.released"
    QUESTION_STATUS = "question.status"
    QUESTION_UNASSIGNED = "question.unassigned"
    QUESTIONS_INGESTED = "questions.ingested"
    REHEARSAL_QUEUED = "rehearsal.queued"
    REHEARSAL_RESET = "rehearsal.reset"
    SCHEDULE_IMPORTED = "schedule.imported"
    TIMELINE_REORDERED = "timeline.reordered"
    USER_CREATED = "user.created"
    USER_POLICY_ACKNOWLEDGED = "user.policy_acknowledged"
