"""'What staff may share': a one-page policy per role, generated from the event's configuration."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.consent import denylist as denylist_store
from server.consent import service as consent_service
from server.events import service as event_service
from server.events.policy import effective_policy
from server.models import Event, Item


class PolicySection(BaseModel):
    """A heading and its points."""

    title: str
    points: list[str]


class PolicyPage(BaseModel):
    """The page shown on first login to the console or tablet."""

    event_id: int
    role: str
    title: str
    sections: list[PolicySection]


NEVER = [
    "Never post a patient's or relative's name, face, birth date, address, record number or any of the 18 HIPAA "
    "identifiers unless a signed authorization on file covers it.",
    "Never post anything that has not been approved by two reviewers, one of them clinical.",
    "Never quote an audience member's health details back in public.",
    "Never give individual medical advice online.",
]


async def policy_page(session: AsyncSession, *, event: Event, role: str) -> PolicyPage:
    """Build the policy for `role` ('comms' or 'clinical') from the event's settings."""
    platforms = [p.platform for p in await event_service.platforms_of(session, event.id) if p.enabled]
    consents = await consent_service.list_authorizations(session, event.id)
    valid = [c for c in consents if c.revoked_at is None]
    covers = sorted({cover for c in valid for cover in c.covers})
    denylist = await denylist_store.status(session, event.id)
    policy = effective_policy(session, event)
    templates = {i.kind for i in (await session.execute(select(Item).where(
        Item.event_id == event.id, Item.kind.in_(("reply_emergency", "reply_redirect", "holding")),
        Item.status == "approved"))).scalars()}
    may = [
        f"Post to {', '.join(platforms) or 'no platform yet'} with the hashtag {event.hashtag}.",
        f"Consents on file cover: {', '.join(covers) or 'nothing yet'} "
        f"({len(valid)} active, {len(consents) - len(valid)} revoked). Media showing a person must cite one.",
        f"Name only the staff listed for this event: {', '.join(event.staff_names or []) or 'none listed'}.",
        "General education, statistics and timestamps ('Update 10:15') are fine.",
    ]
    if event.content_warning_text:
        may.append(f"Graphic images go out behind the warning '{event.content_warning_text}'.")
    offline = [
        "When someone asks about their own or a relative's case, send the pre-approved redirect reply"
        + ("" if "reply_redirect" in templates else " (none approved yet: ask comms)") + ".",
        "When someone describes an emergency (chest pain now, overdose, self-harm), send the emergency reply"
        + ("" if "reply_emergency" in templates else " (none approved yet: ask comms)")
        + " at once and alert the team.",
    ]
    sections = [PolicySection(title="You may", points=may), PolicySection(title="You must never", points=NEVER),
                PolicySection(title="Take it offline", points=offline)]
    if role == "clinical":
        sections.append(PolicySection(title="Answering from the tablet", points=[
            "Claim a question before answering; your claim lapses after 10 minutes.",
            "Your approval counts as the clinical one; comms approves before it goes out.",
            "Prefer a pre-approved bank answer when one fits.",
        ]))
    else:
        sections.append(PolicySection(title="Running the console", points=[
            f"Approval policy: {policy.approvals_required} approvals, {policy.clinical_required} clinical, "
            "never your own edit.",
            "Emergency hold stops everything automatic"
            + (" and can post the approved holding message." if "holding" in templates else "; no holding "
               "message is approved yet."),
            "The patient denylist is " + ("set." if denylist.configured else "NOT set: enter it before going live."),
        ]))
    return PolicyPage(event_id=event.id, role=role, title=f"What you may share: {event.title}", sections=sections)
