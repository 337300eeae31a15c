"""The pre-flight checklist that going live requires.

Six checks, each with a name, a verdict and a sentence for the console's checklist: a patient consent on file,
the patient's identifiers (denylist) set, every platform of the event reachable, the holding message approved,
the approvals complete for the first hour's items, and a rehearsal done or waived with a reason. Going live is
refused (409, naming the failed checks) until all pass; only the rehearsal can be waived, with a written reason
that is journaled (`preflight.waived`). The requirement applies when `LIVECUE_PREFLIGHT_REQUIRED` is on (the
default). The denylist rule lives here and only here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.consent import denylist
from server.consent import service as consent_service
from server.errors import Conflict
from server.events import service as event_service
from server.journal import service as journal
from server.journal.kinds import JournalKind
from server.models import Event, Item, JournalEntry, User
from server.timeline.order import label

FIRST_HOUR_SECONDS = 3600
WAIVABLE = ("rehearsal",)
NOT_READY = ("draft", "rejected", "blocked")
SHOWN = 5  # items named in a detail sentence


class Registry(Protocol):
    """What the checklist asks of the platform registry."""

    def is_configured(self, platform: str, account: str) -> bool: ...


class PreflightCheck(BaseModel):
    """One check: `ok` is true when it passes or was waived (then `waived` says so and `detail` says why)."""

    name: str
    title: str
    ok: bool
    detail: str
    waived: bool = False
    waivable: bool = False


class PreflightReport(BaseModel):
    """The checklist; `ok` when every check passes or is waived; `required` when going live needs it."""

    event_id: int
    ok: bool
    required: bool
    failed: list[str]
    checks: list[PreflightCheck]


class WaiverRequest(BaseModel):
    """Waive a check (only the rehearsal) with a reason that is kept in the journal."""

    model_config = ConfigDict(extra="forbid")

    check: Literal["rehearsal"] = "rehearsal"
    reason: str = Field(min_length=5, max_length=500)


def _names(items: list[Item]) -> str:
    shown = ", ".join(f"‘{label(i)}’" for i in items[:SHOWN])
    return shown + (f" and {len(items) - SHOWN} more" if len(items) > SHOWN else "")


async def _consent(session: AsyncSession, event: Event, now: datetime) -> PreflightCheck:
    ok = await consent_service.valid_patient_authorization(session, event, now)
    return PreflightCheck(name="consent", title="Patient consent on file", ok=ok,
                          detail="A valid patient consent is on file." if ok
                          else "No valid patient consent: record the signed form under Setup → Consents.")


async def _denylist(session: AsyncSession, event: Event) -> PreflightCheck:
    status = await denylist.status(session, event.id)
    return PreflightCheck(name="denylist", title="Patient identifiers (denylist) set", ok=status.configured,
                          detail=f"{status.entry_count} identifier(s) of the patient are screened for."
                          if status.configured else "Not set: enter the patient's name and identifiers under "
                                                    "Setup → Denylist, so no post can name them.")


async def _platforms(session: AsyncSession, event: Event, registry: Registry) -> PreflightCheck:
    enabled = [p for p in await event_service.platforms_of(session, event.id) if p.enabled]
    missing = [p for p in enabled if not registry.is_configured(p.platform, p.account)]
    if not enabled:
        detail = "The event posts to no platform."
    elif missing:
        detail = "No credentials for " + ", ".join(f"{p.platform} (account ‘{p.account}’)" for p in missing) + \
            ": add them to the secrets file and restart."
    else:
        detail = "Every platform account is set up: " + ", ".join(p.platform for p in enabled) + "."
    return PreflightCheck(name="platforms", title="Every platform reachable", ok=bool(enabled) and not missing,
                          detail=detail)


async def _items(session: AsyncSession, event: Event) -> list[Item]:
    query = select(Item).where(Item.event_id == event.id, Item.kind.in_(("post", "holding")))
    return list((await session.execute(query.order_by(Item.position, Item.id))).scalars())


def _holding(items: list[Item]) -> PreflightCheck:
    holding = [i for i in items if i.kind == "holding"]
    ok = any(i.status == "approved" for i in holding)
    if ok:
        detail = "The holding message is approved: an emergency hold can post it."
    elif holding:
        detail = f"The holding message {_names(holding)} is not approved yet."
    else:
        detail = "There is no holding message: write one and have it approved."
    return PreflightCheck(name="holding", title="Holding message approved", ok=ok, detail=detail)


def first_hour(items: list[Item]) -> list[Item]:
    """Timeline posts needed in the first hour: planned within it, or cued before the first later one."""
    needed: list[Item] = []
    past_the_hour = False
    for item in items:
        if item.kind != "post" or item.status in ("skipped", "posted", "queued"):
            continue
        if item.offset_seconds is not None and item.offset_seconds > FIRST_HOUR_SECONDS:
            past_the_hour = True
            continue
        if item.offset_seconds is not None or not past_the_hour:
            needed.append(item)
    return needed


def _approvals(items: list[Item]) -> PreflightCheck:
    needed = first_hour(items)
    open_items = [i for i in needed if i.status in NOT_READY]
    if open_items:
        detail = f"{len(open_items)} item(s) of the first hour are not approved: {_names(open_items)}."
    else:
        detail = f"All {len(needed)} item(s) of the first hour are approved." if needed \
            else "No item is planned for the first hour."
    return PreflightCheck(name="approvals", title="Approvals complete for the first hour", ok=not open_items,
                          detail=detail)


async def _rehearsal(session: AsyncSession, event: Event) -> PreflightCheck:
    query = (select(JournalEntry, User.display_name).outerjoin(User, User.id == JournalEntry.actor_id)
             .where(JournalEntry.event_id == event.id, JournalEntry.kind.in_(("event.status", "preflight.waived")))
             .order_by(JournalEntry.seq))
    rehearsed: str | None = None
    waived: str | None = None
    for entry, name in (await session.execute(query)).all():
        payload = entry.payload or {}
        who = name or entry.actor_name
        if entry.kind == "event.status" and payload.get("to") == "rehearsal":
            rehearsed = f"A rehearsal ran (started by {who} at {payload.get('time_scale', 1)}× speed)."
        elif entry.kind == "preflight.waived" and payload.get("check") == "rehearsal":
            waived = f"Waived by {who}: {payload.get('reason', '')}"
    title = "Rehearsal done or waived"
    if rehearsed:
        return PreflightCheck(name="rehearsal", title=title, ok=True, detail=rehearsed, waivable=True)
    if waived:
        return PreflightCheck(name="rehearsal", title=title, ok=True, detail=waived, waived=True, waivable=True)
    return PreflightCheck(name="rehearsal", title=title, ok=False, waivable=True,
                          detail="No rehearsal yet: run one under Setup → Rehearsal, or waive it with a reason.")


async def report(session: AsyncSession, *, event: Event, registry: Registry, now: datetime,
                 required: bool = True) -> PreflightReport:
    """Every check, in the order the console lists them."""
    items = await _items(session, event)
    checks = [await _consent(session, event, now), await _denylist(session, event),
              await _platforms(session, event, registry), _holding(items), _approvals(items),
              await _rehearsal(session, event)]
    failed = [c.name for c in checks if not c.ok]
    return PreflightReport(event_id=event.id, ok=not failed, required=required, failed=failed, checks=checks)


async def require(session: AsyncSession, *, event: Event, registry: Registry, now: datetime) -> None:
    """Refuse to go live (409 naming the failed checks) unless every check passes or is waived."""
    result = await report(session, event=event, registry=registry, now=now)
    if result.failed:
        titles = "; ".join(c.title.lower() for c in result.checks if not c.ok)
        raise Conflict(f"cannot go live: the pre-flight checklist is not complete ({titles})", field="preflight",
                       extra={"failed": result.failed, "state": event.status})


async def waive(session: AsyncSession, *, event: Event, data: WaiverRequest, actor: User) -> None:
    """Waive a check before going live, with the reason in the journal."""
    if event.status not in ("draft", "rehearsal"):
        raise Conflict(f"the pre-flight checklist is for before going live (the event is {event.status})",
                       extra={"state": event.status})
    await journal.record(session, actor=actor, kind=JournalKind.PREFLIGHT_WAIVED, subject_type="event",
                         subject_id=event.id, event_id=event.id,
                         payload={"check": data.check, "reason": data.reason.strip()})
