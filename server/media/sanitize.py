"""Turn an uploaded photo into pixels only: real type checked, decoded within limits, re-encoded clean."""

from __future__ import annotations

import hashlib

from server.media import _imaging
from server.media._imaging import EXTENSIONS, MIME, NOUN, SHORT, SUPPORTED
from server.media.errors import MediaRejected
from server.media.types import SanitizedMedia
from server.media.video import VIDEO_EXTENSIONS, sanitize_video

JPEG_QUALITY = 90


def _supported_list() -> str:
    return "JPEG, PNG, GIF or WebP"


def check_declared_type(data: bytes, declared_name: str) -> str:
    """Return the real image format of `data`; raise MediaRejected if empty, unknown or mislabelled."""
    name = _imaging.display_name(declared_name)
    if not data:
        raise MediaRejected(f"{name} is empty")
    real = _imaging.sniff(data)
    ext, claimed = _imaging.extension_label(declared_name)
    if claimed is None:
        expected = ", ".join(e for e, fmt in EXTENSIONS.items() if fmt in SUPPORTED)
        raise MediaRejected(
            f"{name} does not have a recognised image extension (expected one of {expected})"
            if ext
            else f"{name} has no file extension, so its type cannot be checked"
        )
    if real is None:
        raise MediaRejected(f"{name} is not {NOUN[claimed]} (its contents are not a recognised format)")
    if real != claimed:
        raise MediaRejected(f"{name} is not {NOUN[claimed]} (it is {SHORT[real]})")
    if real not in SUPPORTED:
        raise MediaRejected(f"{name} is {NOUN[real]}, which is not supported; use {_supported_list()}")
    return real


def sanitize_image(data: bytes, declared_name: str) -> SanitizedMedia:
    """Verify an uploaded image and re-encode it with every piece of metadata removed."""
    fmt = check_declared_type(data, declared_name)
    name = _imaging.display_name(declared_name)
    if _imaging.looks_truncated(data, fmt):
        raise MediaRejected(f"{name} is truncated (the file ends before the image does)")
    decoded = _imaging.decode(data, fmt, name)
    with _imaging.guarded(name, fmt):
        out = _imaging.encode(decoded, fmt, JPEG_QUALITY)
    width, height = decoded.size
    return SanitizedMedia(
        data=out,
        mime_type=MIME[fmt],
        width=width,
        height=height,
        sha256=hashlib.sha256(out).hexdigest(),
        kind="image",
    )


def sanitize_media(data: bytes, declared_name: str) -> SanitizedMedia:
    """Sanitize a photo or a video, chosen by the declared extension (types are still verified)."""
    ext, _ = _imaging.extension_label(declared_name)
    if ext in VIDEO_EXTENSIONS:
        return sanitize_video(data, declared_name)
    return sanitize_image(data, declared_name)
