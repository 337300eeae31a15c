"""Each platform's capabilities as data (text rules, media limits, content-warning mechanism)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from server.platforms.base import Capabilities, MediaLimits

MB = 1024 * 1024
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")

CAPABILITIES: dict[str, Capabilities] = {
    "x": Capabilities(
        name="X", text_limit=280, text_unit="weighted", url_length=23, content_warning="sensitive_media",
        media_validity_seconds=86400,
        media=MediaLimits(max_images=4, max_videos=1, image_max_bytes=5 * MB, video_max_bytes=512 * MB,
                          image_types=IMAGE_TYPES, video_types=("video/mp4", "video/quicktime"),
                          alt_text_max=1000),
    ),
    "mastodon": Capabilities(
        name="Mastodon", text_limit=500, text_unit="graphemes", url_length=23, content_warning="sensitive_spoiler",
        media_validity_seconds=86400,
        media=MediaLimits(max_images=4, max_videos=1, image_max_bytes=16 * MB, video_max_bytes=99 * MB,
                          image_types=(*IMAGE_TYPES, "image/avif", "image/heic"),
                          video_types=("video/mp4", "video/webm", "video/quicktime"), alt_text_max=1500,
                          image_max_pixels=33_177_600),
    ),
    "bluesky": Capabilities(
        name="Bluesky", text_limit=300, text_unit="graphemes+bytes", url_length=None, byte_limit=3000,
        content_warning="self_label", media_validity_seconds=300,
        media=MediaLimits(max_images=4, max_videos=1, image_max_bytes=2_000_000, video_max_bytes=100 * MB,
                          image_types=IMAGE_TYPES, video_types=("video/mp4",), alt_text_max=2000),
    ),
    "sandbox": Capabilities(
        name="Sandbox", text_limit=500, text_unit="graphemes", url_length=None, content_warning="click_through",
        media_validity_seconds=86400,
        media=MediaLimits(max_images=4, max_videos=1, image_max_bytes=16 * MB, video_max_bytes=100 * MB,
                          image_types=IMAGE_TYPES, video_types=("video/mp4", "video/quicktime"),
                          alt_text_max=2000),
    ),
}


def with_overrides(capabilities: Capabilities, **changes: Any) -> Capabilities:
    """A copy with instance-specific values (e.g. a Mastodon server's own limits)."""
    media_changes = {k: v for k, v in changes.items() if k in MediaLimits.__dataclass_fields__}
    top = {k: v for k, v in changes.items() if k not in media_changes}
    media = replace(capabilities.media, **media_changes) if media_changes else capabilities.media
    return replace(capabilities, media=media, **top)
