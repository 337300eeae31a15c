"""Storing an upload: sanitizing and writing run in the media threads, never on the event loop."""

from __future__ import annotations

import io
import threading
from typing import Any

import pytest
from PIL import Image
from sqlalchemy.ext.asyncio import AsyncSession

from server.media import assets
from server.media.assets import media_store, store_upload


async def test_upload_work_runs_off_the_event_loop(session: AsyncSession, settings: Any,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[str] = []
    sanitize = assets.sanitize_media

    def watched(data: bytes, filename: str) -> Any:
        threads.append(threading.current_thread().name)
        return sanitize(data, filename)

    monkeypatch.setattr(assets, "sanitize_media", watched)
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 200, 10)).save(out, format="JPEG")
    asset = await store_upload(session, media_store(settings.data_dir), data=out.getvalue(), filename="a.jpg")
    assert asset.mime_type == "image/jpeg"
    assert threads and threads[0].startswith("livecue-media")
    assert threading.current_thread() is threading.main_thread()
