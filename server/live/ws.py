"""The WebSocket endpoint: backlog after the client's last sequence, then live entries and heartbeats."""

from __future__ import annotations

import asyncio
import json

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from server.auth import service as auth_service
from server.auth.deps import SESSION_COOKIE
from server.journal import service as journal
from server.live.feed import FeedHub, encode, visible_to
from server.models import JournalEntry, User

router = APIRouter(tags=["live"])
HEARTBEAT_SECONDS = 10.0
BACKLOG_PAGE = 1000


async def _authenticate(websocket: WebSocket) -> User | None:
    token = websocket.cookies.get(SESSION_COOKIE)
    header = websocket.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        token = header[7:].strip()
    if not token:
        return None
    async with websocket.app.state.livecue.sessionmaker() as session:
        resolved = await auth_service.resolve(session, token)
    return resolved[1] if resolved else None


async def feed(websocket: WebSocket, after: int = 0, event_id: int | None = None) -> None:
    """Stream journal entries after `after` (for one event when given), then live ones; same session as pages."""
    user = await _authenticate(websocket)
    if user is None or not user.has_role("admin", "comms", "clinical"):
        await websocket.close(code=4401, reason="log in first")
        return
    await websocket.accept()
    hub: FeedHub = websocket.app.state.livecue.services["feed"]
    sub = hub.subscribe(user, event_id)
    sent = after
    try:
        sessionmaker = websocket.app.state.livecue.sessionmaker
        while True:
            async with sessionmaker() as session:
                backlog = await journal.entries_after(session, after=sent, event_id=event_id, limit=BACKLOG_PAGE)
            for entry in backlog:
                if visible_to(entry, user):
                    await websocket.send_text(encode(entry))
                sent = entry.seq
            if len(backlog) < BACKLOG_PAGE:
                break
        await websocket.send_text(json.dumps({"type": "caught_up", "seq": sent}))
        while True:
            try:
                item: JournalEntry | None = await asyncio.wait_for(sub.queue.get(), timeout=HEARTBEAT_SECONDS)
            except TimeoutError:
                await websocket.send_text(json.dumps({"type": "heartbeat", "seq": sent}))
                continue
            if item is None or sub.overflowed:
                await websocket.close(code=4408, reason="too slow: reconnect with your last sequence")
                return
            if item.seq <= sent:
                continue
            await websocket.send_text(encode(item))
            sent = item.seq
    except WebSocketDisconnect:
        pass
    finally:
        hub.unsubscribe(sub)


feed.livecue_authenticated = True  # type: ignore[attr-defined]
router.add_api_websocket_route("/api/ws", feed)
