"""Helpers for the public live page tests: an event's public page read the way the hub builds it."""

from __future__ import annotations

import io
from typing import Any

from httpx import AsyncClient
from PIL import Image

from server.livepage import service
from server.livepage.schemas import PublicPage
from server.models import Event
from tests.livekit import LiveKit


async def public_page(kit: LiveKit) -> PublicPage | None:
    """The page of the kit's event, or None when it has none (draft, rehearsal)."""
    async with kit.app.state.livecue.sessionmaker() as session:
        event = await service.public_event(session, kit.event["slug"])
        if event is None:
            return None
        assert isinstance(event, Event)
        return await service.page(session, event)


async def image_ref(client: AsyncClient, headers: dict[str, str], alt: str) -> dict[str, Any]:
    """Upload a small PNG and return a media reference with alt text."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 36), (30, 90, 160)).save(buffer, "PNG")
    upload = await client.post("/api/media", files={"file": ("photo.png", buffer.getvalue(), "image/png")},
                               headers=headers)
    assert upload.status_code == 201, upload.text
    media = upload.json()
    return {"sha256": media["sha256"], "alt_text": alt, "mime_type": media["mime_type"],
            "size_bytes": media["size_bytes"], "width": media["width"], "height": media["height"]}
