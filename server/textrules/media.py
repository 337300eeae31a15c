"""Media checks: count (images or one video, never both), type, size, pixels and alt text per platform."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from server.platforms.base import Capabilities, UploadRequest

DISPLAY_NAMES = {"sandbox": "Sandbox", "x": "X", "mastodon": "Mastodon", "bluesky": "Bluesky"}


@dataclass(frozen=True)
class MediaSpec:
    """What the rules need to know about one media file of a post."""

    mime_type: str
    size_bytes: int
    alt_text: str
    width: int | None = None
    height: int | None = None

    @classmethod
    def from_upload(cls, upload: UploadRequest) -> MediaSpec:
        """Describe a sanitized `UploadRequest`."""
        return cls(upload.mime_type, len(upload.data), upload.alt_text, upload.width, upload.height)


def _mime(spec: MediaSpec) -> str:
    return spec.mime_type.split(";", 1)[0].strip().lower()


def _bytes(size: int) -> str:
    mib, rest = divmod(size, 1024 * 1024)
    return f"{size:,} bytes ({mib} MiB)" if mib and not rest else f"{size:,} bytes"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def media_problems(platform_name: str, cap: Capabilities, media: Sequence[MediaSpec]) -> list[str]:
    """Return human messages for `media` against `cap` (`platform_name` is used in the messages)."""
    limits = cap.media
    problems: list[str] = []
    kinds: list[str | None] = []
    for spec in media:
        mime = _mime(spec)
        kind = "image" if mime in limits.image_types else "video" if mime in limits.video_types else None
        kinds.append(kind)
    images, videos = kinds.count("image"), kinds.count("video")
    if images and videos:
        problems.append(f"{platform_name} does not allow images and a video in the same post")
    if images > limits.max_images:
        problems.append(
            f"{_plural(images, 'image')}; {platform_name} allows at most {limits.max_images} per post"
            if limits.max_images
            else f"{platform_name} does not accept images"
        )
    if videos > limits.max_videos:
        problems.append(
            f"{_plural(videos, 'video')}; {platform_name} allows at most {limits.max_videos} per post"
            if limits.max_videos
            else f"{platform_name} does not accept video"
        )

    for number, (spec, kind) in enumerate(zip(media, kinds, strict=True), start=1):
        label = f"media {number} ({_mime(spec) or 'no type'})"
        if kind is None:
            accepted = ", ".join(limits.image_types + limits.video_types) or "nothing"
            problems.append(f"{label} is not a type {platform_name} accepts ({accepted})")
        else:
            max_bytes = limits.image_max_bytes if kind == "image" else limits.video_max_bytes
            if spec.size_bytes <= 0:
                problems.append(f"{label} is empty")
            elif spec.size_bytes > max_bytes:
                problems.append(
                    f"{label} is {spec.size_bytes:,} bytes; {platform_name} accepts {kind}s "
                    f"up to {_bytes(max_bytes)}"
                )
            pixels_max = limits.image_max_pixels
            if kind == "image" and pixels_max and spec.width and spec.height:
                pixels = spec.width * spec.height
                if pixels > pixels_max:
                    problems.append(
                        f"{label} is {spec.width}x{spec.height} = {pixels:,} pixels; "
                        f"{platform_name} accepts up to {pixels_max:,}"
                    )
        if not spec.alt_text.strip():
            problems.append(f"{label} has no alt text")
        elif len(spec.alt_text) > limits.alt_text_max:
            alt = f"{len(spec.alt_text)}/{limits.alt_text_max}"
            problems.append(f"{label}: alt text is {alt} characters on {platform_name}")
    return problems
