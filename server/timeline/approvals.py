"""Two pairs of eyes: approving and rejecting exact versions, enforced here rather than in any page."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from server.clock import session_now
from server.consent import service as consent_service
from server.errors import Conflict, Forbidden
from server.events.policy import effective_policy
from server.journal import service as journal
from server.journal.kinds import JournalKind
from server.models import Approval, Event, Item, User
from server.timeline.content import approvals_for, current_version

REVIEWER_ROLES = ("comms", "clinical")


def _check_reviewable(event: Event, item: Item, version: int) -> None:
    if event.status == "ended":
        raise Conflict("the event has ended", extra={"state": event.status})
    if item.status in ("posted", "skipped", "queued"):
        raise Conflict(f"the item is already {item.status}", extra={"state": item.status})
    if item.status == "blocked":
        raise Conflict(f"the item is blocked ({item.blocked_reason}); edit it to use a valid consent",
                       extra={"state": item.status})
    if version != item.current_version:
        raise Conflict(
            f"version {version} is out of date: the current version is {item.current_version}; "
            "review the latest content", field="version", extra={"current_version": item.current_version},
        )


async def approve(session: AsyncSession, *, event: Event, item: Item, version: int, user: User) -> Item:
    """Record an approval of the current version and mark the item approved when the policy is met."""
    _check_reviewable(event, item, version)
    if not user.has_role(*REVIEWER_ROLES):
        raise Forbidden("only comms or clinical reviewers can approve content")
    content = await current_version(session, item)
    if content.created_by == user.id:
        raise Forbidden("nobody approves their own edit: ask another reviewer")
    decisions = await approvals_for(session, item)
    if any(a.user_id == user.id for a, _ in decisions):
        raise Conflict("you have already reviewed this version")
    rejection = next((a for a, _ in decisions if a.decision == "reject"), None)
    if rejection is not None:
        raise Conflict("this version was rejected; it must be edited before it can be approved",
                       extra={"state": item.status})
    open_findings = [f for f in (content.findings or []) if not f.get("overridden")]
    if open_findings:
        raise Conflict(f"{len(open_findings)} privacy finding(s) must be fixed or overridden first",
                       field="findings")
    consent_problems = await consent_service.authorization_problems(session, event=event, version=content)
    if consent_problems:
        raise Conflict(f"cannot approve: {consent_problems[0]}", field="authorizations",
                       extra={"problems": consent_problems})
    approved = [a for a, _ in decisions if a.decision == "approve"]
    as_clinical = user.has_role("clinical")
    policy = effective_policy(session, event)  # never below the server's floor, whatever the event stored
    clinical_missing = policy.clinical_required - sum(1 for a in approved if a.as_clinical)
    slots_left = policy.approvals_required - len(approved)
    if not as_clinical and 0 < slots_left <= clinical_missing:
        raise Forbidden("the remaining approval must come from a clinical reviewer")
    session.add(Approval(item_id=item.id, version_number=version, user_id=user.id, decision="approve",
                         as_clinical=as_clinical))
    approved_count = len(approved) + 1
    clinical_count = sum(1 for a in approved if a.as_clinical) + int(as_clinical)
    complete = approved_count >= policy.approvals_required and clinical_count >= policy.clinical_required
    if complete and item.status != "approved":
        item.status = "approved"
        item.approved_at = session_now(session)
    await session.flush()
    await journal.record(session, actor=user, kind=JournalKind.ITEM_APPROVED, subject_type="item", subject_id=item.id,
                         event_id=event.id, payload={"version": version, "as_clinical": as_clinical,
                                                     "fully_approved": complete})
    return item


async def reject(session: AsyncSession, *, event: Event, item: Item, version: int, user: User, note: str) -> Item:
    """Reject the current version with a note; it needs an edit before anyone can approve it."""
    _check_reviewable(event, item, version)
    if not user.has_role(*REVIEWER_ROLES):
        raise Forbidden("only comms or clinical reviewers can reject content")
    decisions = await approvals_for(session, item)
    if any(a.user_id == user.id and a.decision == "reject" for a, _ in decisions):
        raise Conflict("you have already rejected this version")
    existing = next((a for a, _ in decisions if a.user_id == user.id), None)
    if existing is not None:
        await session.delete(existing)
        await session.flush()
    session.add(Approval(item_id=item.id, version_number=version, user_id=user.id, decision="reject",
                         as_clinical=user.has_role("clinical"), note=note))
    item.status = "rejected"
    item.approved_at = None
    await session.flush()
    await journal.record(session, actor=user, kind=JournalKind.ITEM_REJECTED, subject_type="item", subject_id=item.id,
                         event_id=event.id, payload={"version": version, "note": note})
    return item


def ensure_publishable(item: Item) -> None:
    """Refuse to publish anything that is not fully approved."""
    if item.status != "approved":
        raise Conflict(f"only fully approved items can be published; this one is {item.status}",
                       extra={"state": item.status})


async def recompute_status(session: AsyncSession, *, event: Event, item: Item) -> None:
    """Derive draft / rejected / approved from the current version's decisions (after an unblock)."""
    decisions = await approvals_for(session, item)
    approved = [a for a, _ in decisions if a.decision == "approve"]
    clinical = sum(1 for a in approved if a.as_clinical)
    policy = effective_policy(session, event)
    item.blocked_reason = None
    if any(a.decision == "reject" for a, _ in decisions):
        item.status = "rejected"
    elif len(approved) >= policy.approvals_required and clinical >= policy.clinical_required:
        item.status = "approved"
        item.approved_at = item.approved_at or session_now(session)
    else:
        item.status = "draft"
    await session.flush()
