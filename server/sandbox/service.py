"""The sandbox timeline: which posts stand alone, which nest as replies, and which media may be served."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import String, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.errors import Conflict, NotFound
from server.models import SandboxAccount, SandboxPost
from server.platforms.sandbox.adapter import ensure_account, post_url
from server.sandbox.schemas import AuthorRead, FeedRead, MediaRead, PostRead, ReplyCreate, ReplyRead

SCAN_LIMIT = 5000
HANDLE_COLUMN = 64  # sandbox_account.handle is VARCHAR(64)
MEDIA_TYPE = re.compile(r"^(image|video)/[a-z0-9.+-]+$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")

Row = tuple[SandboxPost, SandboxAccount]


def media_url(sha256: str) -> str:
    """Where the feed serves an attached file."""
    return f"/sandbox/media/{sha256}"


def _media(post: SandboxPost) -> list[MediaRead]:
    out = []
    for entry in post.media or []:
        sha = str(entry.get("sha256", ""))
        if not SHA256.fullmatch(sha):
            continue
        mime = str(entry.get("mime_type") or "")
        out.append(MediaRead(url=media_url(sha), alt=str(entry.get("alt") or entry.get("alt_text") or ""),
                             mime_type=mime if MEDIA_TYPE.fullmatch(mime) else "application/octet-stream",
                             width=_int(entry.get("width")), height=_int(entry.get("height"))))
    return out


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and value > 0 else None


def _author(account: SandboxAccount) -> AuthorRead:
    return AuthorRead(handle=account.handle, display_name=account.display_name, is_audience=account.is_audience)


def _reply(row: Row, by_id: dict[int, Row]) -> ReplyRead:
    post, account = row
    parent = by_id.get(post.reply_to_id) if post.reply_to_id else None
    return ReplyRead(id=post.id, url=post_url(post.id), author=_author(account), text=post.text,
                     content_warning=post.content_warning, media=_media(post), created_at=post.created_at,
                     rehearsal=post.rehearsal, in_reply_to_id=post.reply_to_id,
                     in_reply_to_handle=parent[1].handle if parent else None)


def _stands_alone(row: Row, by_id: dict[int, Row]) -> bool:
    """A post without a parent, or one continuing its (non-audience) author's own thread."""
    post, account = row
    if post.reply_to_id is None:
        return True
    parent = by_id.get(post.reply_to_id)
    return parent is not None and parent[0].account_id == post.account_id and not account.is_audience


def _anchor(row: Row, by_id: dict[int, Row], alone: set[int]) -> int | None:
    """The timeline post a reply nests under; None when its chain reaches a deleted or unknown post."""
    seen: set[int] = set()
    current: Row | None = row
    while current is not None and current[0].id not in seen:
        seen.add(current[0].id)
        if current[0].id in alone:
            return current[0].id
        parent_id = current[0].reply_to_id
        current = by_id.get(parent_id) if parent_id is not None else None
    return None


async def feed(session: AsyncSession, *, limit: int) -> FeedRead:
    """Timeline posts newest first, each with the replies under it oldest first."""
    query = (select(SandboxPost, SandboxAccount).join(SandboxAccount, SandboxAccount.id == SandboxPost.account_id)
             .where(SandboxPost.deleted.is_(False)).order_by(SandboxPost.id.desc()).limit(SCAN_LIMIT))
    rows: list[Row] = [(p, a) for p, a in (await session.execute(query)).all()]
    by_id = {post.id: (post, account) for post, account in rows}
    alone = {row[0].id for row in rows if _stands_alone(row, by_id)}
    replies: dict[int, list[ReplyRead]] = {}
    for row in reversed(rows):  # oldest first
        if row[0].id in alone:
            continue
        anchor = _anchor(row, by_id, alone)
        if anchor is not None:
            replies.setdefault(anchor, []).append(_reply(row, by_id))
    posts = []
    for row in rows:
        if row[0].id not in alone:
            continue
        base = _reply(row, by_id)
        posts.append(PostRead(**base.model_dump(), thread_parent_id=row[0].reply_to_id,
                              replies=replies.get(row[0].id, [])))
        if len(posts) >= limit:
            break
    return FeedRead(posts=posts)


async def attached_media_type(session: AsyncSession, sha256: str) -> str | None:
    """The media type of a file attached to a standing sandbox post, or None when none carries it."""
    if not SHA256.fullmatch(sha256):
        return None
    query = select(SandboxPost.media).where(SandboxPost.deleted.is_(False),
                                            cast(SandboxPost.media, String).contains(sha256)).limit(50)
    for media in (await session.execute(query)).scalars():
        for entry in media or []:
            if entry.get("sha256") == sha256:
                mime = str(entry.get("mime_type") or "")
                return mime if MEDIA_TYPE.fullmatch(mime) else "application/octet-stream"
    return None


async def reserve_handles(session: AsyncSession, handles: list[str]) -> None:
    """Make the organiser accounts for an event's platform accounts now, so no visitor can take a handle first.

    The adapter posts as the account whose handle is the event's account reference (rehearsals of X, Mastodon
    and Bluesky accounts post on the sandbox too) and creates it only at the first post; a visitor who replied
    under that handle before then had the hospital's posts shown under their display name. An audience account
    already holding the handle (in any letter case) is renamed: its own replies stay its own.
    """
    for handle in sorted(set(handles)):
        if len(handle) > HANDLE_COLUMN:
            continue  # cannot be a sandbox handle (the adapter could not post as it either)
        holders = (await session.execute(select(SandboxAccount).where(
            func.lower(SandboxAccount.handle) == handle.lower(), SandboxAccount.is_audience.is_(True)))).scalars()
        for holder in holders:
            holder.handle = f"{holder.handle[:40]}-renamed-{holder.id}"
        await session.flush()
        await ensure_account(session, handle, audience=False, display_name=handle.title())


async def add_reply(session: AsyncSession, body: ReplyCreate) -> ReplyRead:
    """Store an audience reply under a standing post, creating the audience account when new.

    The replied-to account's row is locked until commit, so replies to one account commit in id order and
    the adapter's cursor (the highest id read) can never pass over a reply committed late (PostgreSQL).
    """
    parent = await session.get(SandboxPost, body.in_reply_to)
    if parent is None or parent.deleted:
        raise NotFound(f"no sandbox post with id {body.in_reply_to}", field="in_reply_to")
    await session.execute(select(SandboxAccount.id).where(SandboxAccount.id == parent.account_id).with_for_update())
    taken = (await session.execute(select(SandboxAccount).where(
        func.lower(SandboxAccount.handle) == body.handle))).scalars().first()
    if taken is not None and not taken.is_audience:
        raise Conflict(f"@{body.handle} is the organiser's account; choose another handle", field="handle")
    account = taken or await ensure_account(session, body.handle, audience=True, display_name=body.display_name)
    post = SandboxPost(account_id=account.id, text=body.text, media=[], reply_to_id=parent.id,
                       root_id=parent.root_id or parent.id, rehearsal=parent.rehearsal)
    session.add(post)
    await session.flush()
    parent_account = await session.get(SandboxAccount, parent.account_id)
    by_id: dict[int, Row] = {parent.id: (parent, parent_account)} if parent_account else {}
    return _reply((post, account), by_id)
