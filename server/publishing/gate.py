"""What may go out: the one rule every delivery passes when it is created and again when it is sent.

Every path that posts — a timeline item on its time or on cue, "post now", the holding message, a bank or new
answer, a redirect or emergency reply, a rehearsal post — asks `check` before it creates a delivery (refused:
409 with the reason, nothing created), and the dispatcher asks again right before the platform request (the
event may have been held, the item edited or a consent revoked meanwhile). Keeping the rule in one place is what
makes "nothing goes out during an emergency hold" true by construction rather than by each caller remembering.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Literal

from sqlalchemy import Select, bindparam, select
from sqlalchemy.exc import NoResultFound
from sqlalchemy.ext.asyncio import AsyncSession

from server.clock import session_now
from server.consent import service as consent_service
from server.errors import Conflict
from server.models import Authorization, Delivery, Event, Item, ItemVersion
from server.timeline.order import earlier_waiting, label, waiting_for_text

Kind = Literal["item", "holding", "answer", "emergency_reply", "redirect", "rehearsal", "test"]
SAFETY_KINDS: tuple[Kind, ...] = ("holding", "emergency_reply")  # skip the safety delay; no patient content

EMERGENCY_HOLD_RULE = ("Emergency hold: nothing goes out except the holding message and emergency replies the "
                       "operator confirms one by one. Answers wait until the operator resumes.")
HOLD_RULE = ("On hold: automatic posts wait. The operator can still post an item after confirming; "
             "answers to the audience go out after their safety delay.")


@dataclass(frozen=True)
class Outgoing:
    """What is about to go out, as far as the rule cares."""

    kind: Kind
    manual: bool = False  # asked for by a person (cue, post now, an answer) rather than by the schedule
    confirmed: bool = False  # confirmed deliberately: a post during a hold, an emergency reply during an emergency hold
    rehearsal: bool = False
    out_of_order: bool = False  # the operator confirmed posting this item ahead of earlier ones
    queued_before_end: bool = False  # a post queued while live (the closing post) still leaves after "End"


@dataclass
class Verdict:
    """The rule's answer: empty `reasons` means it may go; `waits` means only a hold stands in the way."""

    reasons: list[str] = dataclasses.field(default_factory=list)
    waits: bool = False
    field: str | None = None
    extra: dict[str, object] = dataclasses.field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when nothing stands in the way."""
        return not self.reasons


def posting_rule(event: Event) -> str:
    """The sentence the console and the tablet show for what goes out now (they quote it, never guess)."""
    if event.status == "held":
        return EMERGENCY_HOLD_RULE if event.hold_kind == "emergency" else HOLD_RULE
    if event.status == "live":
        delay = event.safety_delay_seconds or 0
        pause = f" after a {delay} s safety delay in which the operator can pull them back" if delay else ""
        return f"Live: approved posts and answers go out{pause}."
    if event.status == "rehearsal":
        return "Rehearsal: posts and answers go to the sandbox only."
    if event.status == "ended":
        return "The event has ended: nothing more goes out."
    return "Not live yet: nothing goes out until the operator goes live."


def state_verdict(event: Event, outgoing: Outgoing) -> Verdict:
    """The event-state part of the rule (pure, so the pages' words and the tests can share it)."""
    if outgoing.kind == "test":  # a sandbox test post: no patient content, no audience, never in the thread
        if event.status == "ended":
            return Verdict(["the event has ended: nothing more goes out"])
        if event.status == "held" and event.hold_kind == "emergency":
            return Verdict(["the event is under an emergency hold: test posts wait until the operator resumes"])
        return Verdict()
    if outgoing.rehearsal or outgoing.kind == "rehearsal":
        if event.status in ("rehearsal", "draft"):
            return Verdict()
        return Verdict([f"the event is {event.status}: rehearsal posts go out only during a rehearsal"])
    if event.status == "ended":
        return Verdict() if outgoing.queued_before_end else Verdict(["the event has ended: nothing more goes out"])
    if event.status not in ("live", "held"):
        return Verdict([f"the event is not live (it is {event.status}): nothing goes out yet"])
    if event.status == "held" and event.hold_kind == "emergency":
        return _emergency_verdict(outgoing)
    if event.status == "held" and outgoing.kind == "item":
        if not outgoing.manual:
            return Verdict(["the event is on hold: automatic posts wait until the operator resumes"], waits=True)
        if not outgoing.confirmed:
            return Verdict(["the event is on hold: confirm to post anyway"], field="confirm")
    return Verdict()


def _emergency_verdict(outgoing: Outgoing) -> Verdict:
    if outgoing.kind == "holding":
        return Verdict()
    if outgoing.kind == "emergency_reply":
        if outgoing.confirmed:
            return Verdict()
        return Verdict(["the event is under an emergency hold: confirm this emergency reply to send it now"],
                       field="confirm_emergency")
    if outgoing.kind in ("answer", "redirect"):
        return Verdict(["the event is under an emergency hold: this answer waits until the operator resumes"],
                       waits=True)
    return Verdict(["the event is under an emergency hold: nothing goes out except the holding message and "
                    "confirmed emergency replies until the operator resumes"], waits=True)


@dataclass(frozen=True)
class Facts:
    """What the content rule reads besides the item: its current version and the event's consent records."""

    version: ItemVersion
    authorizations: Sequence[Authorization] = ()


@cache
def _facts_query() -> Select[ItemVersion, Authorization]:
    """Built once: every item that goes out asks it (building a statement costs more than running it; issue 19)."""
    return (select(ItemVersion, Authorization)
            .outerjoin(Authorization, Authorization.event_id == bindparam("facts_event"))
            .where(ItemVersion.item_id == bindparam("facts_item"), ItemVersion.number == bindparam("facts_version"))
            .order_by(Authorization.id))


async def facts_of(session: AsyncSession, event: Event, item: Item) -> Facts:
    """The item's current version and the event's consent records, in one statement (issue 19: each statement is
    a round trip to the database's thread); raises like `current_version` when the version is missing."""
    rows = (await session.execute(_facts_query(), {"facts_event": event.id, "facts_item": item.id,
                                                   "facts_version": item.current_version})).all()
    if not rows:
        raise NoResultFound(f"item {item.id} has no version {item.current_version}")
    return Facts(rows[0][0], [a for _, a in rows if a is not None])


def content_problems_in(item: Item, outgoing: Outgoing, facts: Facts, day: date, *,
                        at_send: bool = False) -> list[str]:
    """Approvals, privacy findings and consents of the item's current version.

    At send time an item another platform already posted may still go out on the others. Safety messages
    (holding message, emergency reply) carry no patient content, so they do not wait for the patient's
    authorization: an emergency reply must reach the asker even if consent was just withdrawn.
    """
    problems: list[str] = []
    allowed = ("approved", "queued", "posted") if at_send else ("approved", "queued")
    if item.status not in allowed:
        why = f" ({item.blocked_reason})" if item.blocked_reason else ""
        problems.append(f"the item is {item.status}, not approved{why}")
    if any(not f.get("overridden") for f in (facts.version.findings or [])):
        problems.append("open privacy findings")
    problems += consent_service.authorization_problems_in(facts.authorizations, facts.version, day)
    if outgoing.kind not in SAFETY_KINDS and not consent_service.patient_authorization_in(facts.authorizations, day):
        problems.append("no valid patient authorization on file for the event")
    return problems


def verdict_at_send(event: Event, outgoing: Outgoing, item: Item | None, facts: Facts | None, day: date) -> Verdict:
    """The whole rule at send time over rows already read (the dispatcher reads them with the delivery in one
    statement): the same answer as `verdict(..., at_send=True)` on the same committed state."""
    result = state_verdict(event, outgoing)
    if not result.ok or item is None:
        return result
    if facts is None:
        raise NoResultFound(f"item {item.id} has no version {item.current_version}")
    problems = content_problems_in(item, outgoing, facts, day, at_send=True)
    return Verdict([f"cannot send: {p}" for p in problems]) if problems else result


async def verdict(session: AsyncSession, event: Event, outgoing: Outgoing, item: Item | None, *,
                  at_send: bool = False, facts: Facts | None = None) -> Verdict:
    """The whole rule: event state first (a hold says why in words), then the content (`facts` when the caller
    has just read them, else read now)."""
    result = state_verdict(event, outgoing)
    if not result.ok:
        return result
    if item is None:
        return result
    facts = facts or await facts_of(session, event, item)
    problems = content_problems_in(item, outgoing, facts, session_now(session).date(), at_send=at_send)
    if problems:
        return Verdict([f"cannot send: {p}" for p in problems])
    if outgoing.kind in ("item", "rehearsal") and not at_send:  # once queued, the thread keeps the order
        return await order_verdict(session, item, outgoing)
    return result


async def order_verdict(session: AsyncSession, item: Item, outgoing: Outgoing) -> Verdict:
    """An automatic post never overtakes an earlier step; a manual one may, once confirmed, naming what it jumps."""
    done: set[int] = set()
    if outgoing.kind == "rehearsal":
        query = select(Delivery.item_id).where(Delivery.event_id == item.event_id, Delivery.rehearsal.is_(True))
        done = {i for i in (await session.execute(query)).scalars() if i is not None}
    earlier = await earlier_waiting(session, item, done=done)
    if not earlier:
        return Verdict()
    if not outgoing.manual:
        return Verdict([f"'{item.key}' is {waiting_for_text(earlier)}"], waits=True)
    if outgoing.out_of_order:
        return Verdict()
    names = ", ".join(f"‘{label(e)}’" for e in earlier[:5]) + (" and more" if len(earlier) > 5 else "")
    return Verdict([f"'{item.key}' would jump ahead of {names}: confirm to post it out of order"],
                   field="confirm_out_of_order",
                   extra={"jumps": [{"id": e.id, "key": e.key, "cue": e.cue} for e in earlier]})


async def check(session: AsyncSession, event: Event, outgoing: Outgoing, item: Item | None, *,
                facts: Facts | None = None) -> None:
    """Raise 409 with the reason in words when this may not go out now (nothing is created)."""
    result = await verdict(session, event, outgoing, item, facts=facts)
    if not result.ok:
        state = "emergency_hold" if event.status == "held" and event.hold_kind == "emergency" else event.status
        raise Conflict(result.reasons[0], field=result.field,
                       extra={"problems": result.reasons, "state": state, "waits": result.waits, **result.extra})


def outgoing_of(delivery: Delivery, item: Item | None, event: Event | None = None) -> Outgoing:
    """What a stored delivery is, for the check at send time."""
    kind: Kind
    if delivery.purpose == "test":
        return Outgoing(kind="test", manual=True)
    if delivery.rehearsal:
        kind = "rehearsal" if delivery.purpose == "thread" and (item is None or item.kind == "post") else "answer"
    elif item is None or item.kind in ("answer", "reply"):
        kind = "answer"
    elif item.kind == "holding":
        kind = "holding"
    elif item.kind == "reply_emergency":
        kind = "emergency_reply"
    elif item.kind == "reply_redirect":
        kind = "redirect"
    else:
        kind = "item"
    # A delivery that exists passed the check at creation with the flags it was given: a manual timeline post
    # was confirmed then if the event was on hold; an emergency reply counts as confirmed only if it was.
    confirmed = delivery.confirmed or (kind == "item" and delivery.manual)
    before_end = bool(event is not None and event.ended_at is not None and delivery.created_at is not None
                      and delivery.created_at <= event.ended_at)
    return Outgoing(kind=kind, manual=delivery.manual, confirmed=confirmed, rehearsal=delivery.rehearsal,
                    queued_before_end=before_end)
