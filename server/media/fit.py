"""Make sanitized media fit a platform's limits: convert, downscale, recompress; reject only if hopeless."""

from __future__ import annotations

import hashlib
import math

from server.media import _imaging
from server.media._imaging import FORMAT_OF_MIME, MIME, SHORT, Decoded
from server.media.errors import MediaRejected
from server.media.types import SanitizedMedia
from server.platforms.base import MediaLimits

SCALE_STEP = 0.8
"""Each retry shrinks both sides to this fraction."""
MIN_LONG_SIDE = 200
"""We stop shrinking (and reject) before the longest side drops below this many pixels."""
_QUALITIES = {"JPEG": (90, 82, 74, 66), "WEBP": (90, 80, 70, 60)}
_ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg"}


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB"


def _allowed_formats(limits: MediaLimits) -> list[str]:
    mimes = [_ALIASES.get(m.lower(), m.lower()) for m in limits.image_types]
    return [FORMAT_OF_MIME[m] for m in mimes if m in FORMAT_OF_MIME]


def _choose_format(fmt: str, allowed: list[str], has_alpha: bool, animated: bool) -> str:
    if fmt in allowed:
        return fmt
    if animated:
        prefs = ["GIF", "WEBP", "PNG", "JPEG"]
    elif has_alpha:
        prefs = ["PNG", "WEBP", "GIF", "JPEG"]
    else:
        prefs = ["JPEG", "WEBP", "PNG", "GIF"]
    return next(p for p in prefs if p in allowed)


def _fit_video(media: SanitizedMedia, limits: MediaLimits) -> SanitizedMedia:
    accepted = [m.lower() for m in limits.video_types]
    if limits.max_videos < 1 or not accepted:
        raise MediaRejected("this platform does not accept videos")
    if media.mime_type.lower() not in accepted:
        raise MediaRejected(
            f"this platform does not accept {media.mime_type} videos ({', '.join(accepted)} only)"
        )
    if len(media.data) > limits.video_max_bytes:
        raise MediaRejected(
            f"the video is {_mb(len(media.data))} but this platform accepts at most "
            f"{_mb(limits.video_max_bytes)}; trim or compress it before uploading"
        )
    return media


def _first_size(width: int, height: int, max_pixels: int | None) -> tuple[int, int]:
    if max_pixels is None or width * height <= max_pixels:
        return width, height
    scale = math.sqrt(max_pixels / (width * height))
    w, h = max(1, int(width * scale)), max(1, int(height * scale))
    while w * h > max_pixels:
        scale *= 0.995
        w, h = max(1, int(width * scale)), max(1, int(height * scale))
    return w, h


def _result(data: bytes, fmt: str, size: tuple[int, int]) -> SanitizedMedia:
    return SanitizedMedia(
        data=data,
        mime_type=MIME[fmt],
        width=size[0],
        height=size[1],
        sha256=hashlib.sha256(data).hexdigest(),
        kind="image",
    )


def fit_to_limits(media: SanitizedMedia, limits: MediaLimits) -> SanitizedMedia:
    """Return `media` unchanged if it fits `limits`, else a converted/downscaled/recompressed copy."""
    if media.kind == "video":
        return _fit_video(media, limits)
    allowed = _allowed_formats(limits)
    if not allowed:
        raise MediaRejected("this platform accepts none of the image types Livecue produces")
    fmt = FORMAT_OF_MIME.get(media.mime_type)
    if fmt is None:
        raise MediaRejected(f"unsupported image type {media.mime_type}")
    max_pixels = limits.image_max_pixels
    max_bytes = limits.image_max_bytes
    width, height = media.width, media.height
    if (
        fmt in allowed
        and len(media.data) <= max_bytes
        and (max_pixels is None or width * height <= max_pixels)
    ):
        return media

    name = "the image"
    decoded = _imaging.decode(media.data, fmt, name)
    width, height = decoded.size
    animated = len(decoded.frames) > 1
    target = _choose_format(fmt, allowed, decoded.has_alpha, animated)
    if animated and target == "JPEG":
        decoded = Decoded(decoded.format, decoded.frames[:1], decoded.loop)
        animated = False
    size = _first_size(width, height, max_pixels)
    smallest = len(media.data)
    while True:
        candidate = decoded if size == (width, height) else _imaging.resized(decoded, size)
        for quality in _QUALITIES.get(target, (90,)):
            if size == (width, height) and target == fmt and quality == 90:
                continue  # that is exactly what `media` already is, and it did not fit
            with _imaging.guarded(name, target):
                data = _imaging.encode(candidate, target, quality)
            smallest = min(smallest, len(data))
            if len(data) <= max_bytes:
                return _result(data, target, size)
        if target in ("PNG", "GIF") and not animated and not decoded.has_alpha and "JPEG" in allowed:
            target = "JPEG"  # a photo saved losslessly: a good JPEG beats a tiny PNG
            continue
        next_size = (max(1, int(size[0] * SCALE_STEP)), max(1, int(size[1] * SCALE_STEP)))
        if max(next_size) < MIN_LONG_SIDE:
            raise MediaRejected(
                f"{name} cannot be made to fit this platform's {_mb(max_bytes)} limit "
                f"(smallest {SHORT[target]} was {_mb(smallest)} before it became too small to read)"
            )
        size = next_size
