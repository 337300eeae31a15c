"""The media endpoints (server/media/router.py): an upload loses its metadata, bad files are refused, nothing kept."""

from __future__ import annotations

import io
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient
from PIL import Image

from tests.factories import create_user, login


async def _people(client: AsyncClient, sessionmaker: Any) -> tuple[dict[str, str], dict[str, str]]:
    author = await login(client, await create_user(sessionmaker, "comms"))
    comms = await login(client, await create_user(sessionmaker, "comms"))
    return author, comms


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (320, 200), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "PhoneModel X"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (43.0, 43.0, 19.0), "W", (79.0, 22.0, 34.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


async def test_uploaded_photo_loses_gps_and_device_metadata(client: AsyncClient, sessionmaker: Any) -> None:
    author, comms = await _people(client, sessionmaker)
    original = _jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)
    upload = await client.post("/api/media", files={"file": ("or.jpg", original, "image/jpeg")}, headers=author)
    assert upload.status_code == 201, upload.text
    stored = await client.get(f"/api/media/{upload.json()['sha256']}", headers=comms)
    image = Image.open(io.BytesIO(stored.content))
    assert not image.getexif()
    assert b"PhoneModel" not in stored.content and b"Exif" not in stored.content


async def test_bad_uploads_are_rejected_and_nothing_is_stored(client: AsyncClient, sessionmaker: Any,
                                                              app: FastAPI) -> None:
    author, _ = await _people(client, sessionmaker)
    png = io.BytesIO()
    Image.new("RGB", (10, 10)).save(png, "PNG")
    cases = {"empty.jpg": b"", "fake.jpg": png.getvalue(), "cut.png": png.getvalue()[:40]}
    for name, data in cases.items():
        response = await client.post("/api/media", files={"file": (name, data, "image/jpeg")}, headers=author)
        assert response.status_code == 422, (name, response.text)
        assert response.json()["field"] == "file"
        assert name in response.json()["detail"]
    media_dir = app.state.livecue.settings.data_dir / "media"
    assert not media_dir.exists() or not any(p.is_file() for p in media_dir.rglob("*"))
