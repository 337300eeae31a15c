"""The sandbox adapter: a real `Platform` whose remote side is the sandbox tables in Livecue's database."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.db.session_scope import transaction
from server.models import SandboxAccount, SandboxPost
from server.platforms.base import (
    IncomingMessage,
    IncomingPage,
    PublishRequest,
    RemoteRef,
    UploadedMedia,
    UploadRequest,
)
from server.platforms.capabilities import CAPABILITIES
from server.platforms.errors import OutcomeUnknown, RetryLater
from server.platforms.sandbox.faults import Fault, FaultPlan
from server.platforms.sandbox.metrics import SandboxMetrics

PAGE, PAGES = 200, 10


async def ensure_account(session: AsyncSession, handle: str, *, audience: bool,
                         display_name: str | None = None) -> SandboxAccount:
    """The sandbox account with this handle, created when missing."""
    query = select(SandboxAccount).where(SandboxAccount.handle == handle)
    account = (await session.execute(query)).scalar_one_or_none()
    if account is None:
        account = SandboxAccount(handle=handle, display_name=display_name or handle, is_audience=audience)
        session.add(account)
        await session.flush()
    return account


def post_url(post_id: int) -> str:
    """Where a sandbox post is shown."""
    return f"/sandbox#post-{post_id}"


def _ref(post: SandboxPost) -> RemoteRef:
    return RemoteRef(remote_id=str(post.id), url=post_url(post.id),
                     root_uri=str(post.root_id) if post.root_id else str(post.id))


class SandboxPlatform(SandboxMetrics):
    """A local social network for demos, rehearsals and tests, with injectable faults."""

    capabilities = CAPABILITIES["sandbox"]

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], handle: str,
                 faults: FaultPlan | None = None, rehearsal: bool = False) -> None:
        self.sessionmaker = sessionmaker
        self.handle = handle
        self.faults = faults or FaultPlan()
        self.rehearsal = rehearsal

    async def authenticate(self) -> None:
        """Make sure the hospital's sandbox account exists."""
        async with transaction(self.sessionmaker) as session:
            await ensure_account(session, self.handle, audience=False, display_name=self.handle.title())

    async def upload_media(self, media: UploadRequest) -> UploadedMedia:
        """Media already sits in Livecue's store; the sandbox refers to it by hash."""
        self._raise_before_send(await self.faults.before("upload"))
        return UploadedMedia(remote_id=media.sha256, expires_at=None,
                             extra={"alt": media.alt_text, "mime_type": media.mime_type,
                                    "width": media.width, "height": media.height})

    async def publish(self, request: PublishRequest) -> RemoteRef:
        """Store the post (idempotent per key); faults may strike before or after storing."""
        fault = await self.faults.before("publish")
        self._raise_before_send(fault)
        async with transaction(self.sessionmaker) as session:
            existing = await self._by_key(session, request.idempotency_key)
            if existing is not None:
                return _ref(existing)
            account = await ensure_account(session, self.handle, audience=False, display_name=self.handle.title())
            parent = None
            if request.reply_to is not None:
                parent = await session.get(SandboxPost, int(request.reply_to.remote_id))
            post = SandboxPost(
                account_id=account.id, text=request.text, content_warning=request.content_warning,
                media=[{"sha256": m.remote_id, **m.extra} for m in request.media],
                reply_to_id=parent.id if parent else None,
                root_id=(parent.root_id or parent.id) if parent else None,
                idempotency_key=request.idempotency_key, rehearsal=self.rehearsal,
            )
            session.add(post)
            await session.flush()
            ref = _ref(post)
        if fault is not None and fault.kind == "timeout_after_store":
            raise OutcomeUnknown("sandbox: the post was stored but the answer timed out")
        return ref

    async def find_post(self, request: PublishRequest, *, sent_after: datetime) -> RemoteRef | None:
        """Look the post up by its idempotency key (the sandbox stores it with the post: the identity)."""
        async with self.sessionmaker() as session:
            post = await self._by_key(session, request.idempotency_key)
            return _ref(post) if post else None

    async def delete(self, ref: RemoteRef) -> None:
        """Mark a post deleted (deleting twice is fine)."""
        async with transaction(self.sessionmaker) as session:
            post = await session.get(SandboxPost, int(ref.remote_id))
            if post is not None:
                post.deleted = True

    async def fetch_incoming(self, cursor: str | None) -> IncomingPage:
        """Audience replies to the hospital's posts with an id above the cursor, oldest first.

        Replies to one account are written one at a time (see `sandbox.service.add_reply`), so their ids
        commit in order and a cursor never skips one.
        """
        self._raise_before_send(await self.faults.before("fetch"))
        after = int(cursor) if cursor else 0
        async with self.sessionmaker() as session:
            own = select(SandboxPost.id).join(SandboxAccount, SandboxAccount.id == SandboxPost.account_id).where(
                SandboxAccount.handle == self.handle)
            replies = (
                select(SandboxPost, SandboxAccount).join(SandboxAccount, SandboxAccount.id == SandboxPost.account_id)
                .where(SandboxAccount.is_audience.is_(True), SandboxPost.reply_to_id.in_(own),
                       SandboxPost.deleted.is_(False))
                .order_by(SandboxPost.id)
            )
            rows: list[Any] = []
            newest = after
            for _ in range(PAGES):
                page = (await session.execute(replies.where(SandboxPost.id > newest).limit(PAGE))).all()
                rows += page
                if len(page) < PAGE:
                    break
                newest = page[-1][0].id
        messages = [
            IncomingMessage(platform="sandbox", external_id=str(p.id), author_handle=a.handle,
                            author_name=a.display_name, text=p.text, received_at=p.created_at,
                            in_reply_to=str(p.reply_to_id) if p.reply_to_id else None, url=post_url(p.id),
                            root_ref=RemoteRef(remote_id=str(p.root_id or p.id)))
            for p, a in rows
        ]
        top = max((int(m.external_id) for m in messages), default=after)
        return IncomingPage(messages=messages, cursor=str(top) if top else cursor)

    async def fetch_thread_replies(self, roots: Sequence[RemoteRef]) -> list[IncomingMessage]:
        """Nothing: `fetch_incoming` already reads every reply to the hospital's posts.

        It reads the sandbox's own tables by id, so no reply can miss it the way a platform notification
        can. Replies between audience members stay out on purpose: the sandbox treats them as conversation
        among the audience, not questions to the hospital.
        """
        return []

    async def _by_key(self, session: AsyncSession, key: str) -> SandboxPost | None:
        query = select(SandboxPost).where(SandboxPost.idempotency_key == key)
        return (await session.execute(query)).scalar_one_or_none()

    @staticmethod
    def _raise_before_send(fault: Fault | None) -> None:
        if fault is None or fault.kind == "timeout_after_store":
            return
        if fault.kind == "rate_limit":
            raise RetryLater("sandbox: 429 rate limited", retry_after=fault.retry_after)
        if fault.kind == "server_error":
            raise RetryLater("sandbox: 503 service unavailable", retry_after=None)
        raise RetryLater("sandbox: connection reset", retry_after=None)
