"""Identify a schedule's media files by their content, not their names."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from PIL import Image

IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}


@dataclass(frozen=True)
class SniffedMedia:
    """What a media file really is: type, size and (for images) pixel dimensions."""

    mime_type: str
    size_bytes: int
    width: int | None = None
    height: int | None = None

    @property
    def kind(self) -> Literal["image", "video"]:
        """ "image" or "video"."""
        return "video" if self.mime_type.startswith("video/") else "image"


def _video_type(head: bytes) -> str | None:
    if head[4:8] == b"ftyp":
        return "video/quicktime" if head[8:12] == b"qt  " else "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    return None


def sniff_media(path: Path) -> SniffedMedia:
    """Identify an image (PNG, JPEG, GIF, WebP) or video (MP4, MOV, WebM); ValueError otherwise."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(32)
    except OSError as exc:
        raise ValueError(f"cannot read media file: {exc.strerror or exc}") from None
    video = _video_type(head)
    if video is not None:
        return SniffedMedia(video, size)
    try:
        with Image.open(path) as image:
            fmt = image.format or "?"
            width, height = image.size
            image.verify()
    except Image.DecompressionBombError:
        raise ValueError("image has too many pixels to be posted safely") from None
    except Exception:  # Pillow raises many types for unreadable or damaged files
        raise ValueError("not an image or video file (not PNG, JPEG, GIF, WebP, MP4, MOV or WebM)") from None
    mime = IMAGE_TYPES.get(fmt)
    if mime is None:
        raise ValueError(f"unsupported image format {fmt}: use PNG, JPEG, GIF or WebP")
    return SniffedMedia(mime, size, width, height)
