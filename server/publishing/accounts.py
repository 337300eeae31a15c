"""Platform accounts from the setup page: reconnect one, and send it a test post to the sandbox.

Reconnecting re-reads the secrets file (where credentials live, never in the database or a request), rebuilds
the adapters, checks the account by authenticating, and lets the posts that waited for it go again. Operators
used to restart Livecue and press Retry on every waiting post; both are one button now.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from server.clock import session_now
from server.errors import NotFound
from server.events import service as event_service
from server.journal import service as journal
from server.journal.kinds import JournalKind
from server.models import Delivery, Event, EventPlatform, User
from server.platforms.credentials import CredentialsConfig
from server.platforms.errors import PlatformError
from server.platforms.registry import AdapterRegistry
from server.publishing import outbox


class AccountCheck(BaseModel):
    """What a reconnect found: whether the account works now, why not, and how many waiting posts go again."""

    platform: str
    account: str
    ready: bool
    detail: str
    resumed: int


class QueuedTestPost(BaseModel):
    """The queued test post (it goes to the sandbox, outside the event's thread)."""

    delivery_id: int
    platform: str
    account: str
    text: str


async def _account(session: AsyncSession, event: Event, platform: str) -> EventPlatform:
    for row in await event_service.platforms_of(session, event.id):
        if row.platform == platform:
            return row
    raise NotFound(f"the event posts to no {platform} account", field="platform")


async def reconnect(session: AsyncSession, *, event: Event, platform: str, registry: AdapterRegistry,
                    secrets_file: Path | None, key: bytes, actor: User) -> AccountCheck:
    """Re-read the secrets, check the account, and resume its posts that wait for re-authentication."""
    row = await _account(session, event, platform)
    registry.reload(CredentialsConfig.load(secrets_file, key))
    ready, detail = False, "No credentials for this account in the secrets file."
    if platform == "sandbox":  # nothing to authenticate (and it would write inside this request's transaction)
        ready, detail = True, "The sandbox needs no account."
    elif registry.is_configured(platform, row.account):
        try:
            await registry.get(platform, row.account).authenticate()
            ready, detail = True, "Connected: the account answered."
        except PlatformError as exc:
            detail = f"The platform refused the credentials: {exc}"
        except Exception as exc:  # a network failure is an answer too: said by its kind, never its secrets
            detail = f"The platform could not be reached ({type(exc).__name__})."
    resumed = 0
    if ready:
        result = await session.execute(
            update(Delivery).where(Delivery.event_id == event.id, Delivery.platform == platform,
                                   Delivery.account == row.account, Delivery.status == "needs_reauth")
            .values(status="unknown", attempts=0, next_attempt_at=session_now(session), last_error=None))
        resumed = int(result.rowcount or 0)  # type: ignore[attr-defined]
    await journal.record(session, actor=actor, kind=JournalKind.PLATFORM_RECONNECTED, subject_type="event",
                         subject_id=event.id, event_id=event.id,
                         payload={"platform": platform, "account": row.account, "ready": ready, "resumed": resumed})
    return AccountCheck(platform=platform, account=row.account, ready=ready, detail=detail, resumed=resumed)


async def send_test_post(session: AsyncSession, *, event: Event, platform: str, actor: User) -> QueuedTestPost:
    """Queue a test post for one of the event's accounts, to the sandbox, through the one outgoing gate."""
    row = await _account(session, event, platform)
    delivery = await outbox.enqueue_test_post(session, event=event, platform=platform, account=row.account,
                                              actor=actor)
    return QueuedTestPost(delivery_id=delivery.id, platform=platform, account=row.account, text=delivery.text)
