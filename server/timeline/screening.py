"""Running the PHI screen over item versions when they are saved, and clinical overrides of single findings.

It lives with the timeline because it writes item versions' findings and recomputes item status; the screen
itself is server/privacy/, the denylist it reads is server/consent/denylist.py.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.clock import session_now
from server.consent import denylist as denylist_store
from server.errors import Conflict, Forbidden, NotFound
from server.journal import service as journal
from server.journal.kinds import JournalKind
from server.models import Authorization, Event, Item, ItemVersion, User
from server.privacy.denylist import Denylist
from server.privacy.phi import screen_text
from server.timeline.approvals import recompute_status
from server.timeline.content import version_content
from server.timeline.schemas import ItemContent


def screen(content: ItemContent, denylist: Denylist | None, staff_names: list[str]) -> list[dict[str, Any]]:
    """Findings for every public text of the content: caption, per-platform texts and alt texts."""
    texts = [("caption", content.caption)]
    texts += [(f"platform_text.{p}", t) for p, t in sorted(content.platform_text.items())]
    texts += [(f"media.{i}.alt_text", m.alt_text) for i, m in enumerate(content.media)]
    findings = []
    for field, text in texts:
        for f in screen_text(text, denylist, allow_names=staff_names):
            findings.append({"field": field, "kind": f.kind, "start": f.start, "end": f.end, "reason": f.reason})
    return findings


async def allow_list(session: AsyncSession, event: Event) -> list[str]:
    """Names that may appear: the event's staff names (also where the hospital's own names and city go), the
    staff directory (every active account's display name), the capitalised words of the event's title, and
    the people who signed a consent that is not revoked. Capitalised names outside it are flagged."""
    names = list(event.staff_names or [])
    names += (await session.execute(select(User.display_name).where(User.active.is_(True)))).scalars().all()
    names += [w for w in event.title.split() if w[:1].isupper()]
    names += (await session.execute(select(Authorization.person).where(
        Authorization.event_id == event.id, Authorization.revoked_at.is_(None)))).scalars().all()
    return names


async def screen_for_event(session: AsyncSession, event: Event, content: ItemContent) -> list[dict[str, Any]]:
    """Screen content with the event's denylist and allow-list."""
    return screen(content, await denylist_store.load(session, event.id), await allow_list(session, event))


def open_findings(version: ItemVersion) -> list[dict[str, Any]]:
    """Findings nobody has overridden."""
    return [f for f in (version.findings or []) if not f.get("overridden")]


async def override(session: AsyncSession, *, event: Event, item: Item, version: int, index: int, reason: str,
                   user: User) -> None:
    """Let one finding stand with a written, journaled reason: a clinician's call (an admin's role is not enough)."""
    if not user.has_role("clinical"):
        raise Forbidden("only a clinician can override a privacy finding")
    if version != item.current_version:
        raise Conflict(f"version {version} is out of date: the current version is {item.current_version}",
                       field="version")
    row = (await session.execute(select(ItemVersion).where(
        ItemVersion.item_id == item.id, ItemVersion.number == version))).scalar_one()
    findings = [dict(f) for f in (row.findings or [])]
    if not 0 <= index < len(findings):
        raise NotFound(f"no finding {index} on this version")
    if findings[index].get("overridden"):
        raise Conflict("this finding is already overridden")
    findings[index]["overridden"] = {"by": user.username, "reason": reason, "at": session_now(session).isoformat()}
    row.findings = findings
    await session.flush()
    await journal.record(session, actor=user, kind=JournalKind.FINDING_OVERRIDDEN, subject_type="item",
                         subject_id=item.id, event_id=event.id, payload={"version": version, "index": index,
                                                     "kind": findings[index]["kind"], "reason": reason})
    if item.status == "blocked" and (item.blocked_reason or "").startswith("privacy") and not open_findings(row):
        await recompute_status(session, event=event, item=item)


async def rescreen_open_items(session: AsyncSession, *, event: Event, actor: User) -> None:
    """Screen every unposted item again (after the denylist changed); approved items with new findings block."""
    denylist = await denylist_store.load(session, event.id)
    allowed = await allow_list(session, event)
    query = (
        select(Item, ItemVersion)
        .join(ItemVersion, (ItemVersion.item_id == Item.id) & (ItemVersion.number == Item.current_version))
        .where(Item.event_id == event.id, Item.status.in_(("draft", "rejected", "approved", "queued")))
    )
    for item, version in (await session.execute(query)).all():
        overridden = {(f["field"], f["kind"], f["start"], f["end"]): f["overridden"]
                      for f in (version.findings or []) if f.get("overridden")}
        fresh = screen(version_content(version), denylist, allowed)
        for finding in fresh:
            key = (finding["field"], finding["kind"], finding["start"], finding["end"])
            if key in overridden:
                finding["overridden"] = overridden[key]
        if fresh == (version.findings or []):
            continue
        version.findings = fresh
        open_count = sum(1 for f in fresh if not f.get("overridden"))
        if open_count and item.status in ("approved", "queued"):
            item.status = "blocked"
            item.blocked_reason = "privacy: new finding(s) after the denylist changed; fix or override them"
        await session.flush()
        await journal.record(session, actor=actor, kind=JournalKind.ITEM_RESCREENED, subject_type="item",
                             subject_id=item.id, event_id=event.id, payload={"open_findings": open_count})
