"""Mastodon capabilities: the documented defaults, overridden by an instance's `/api/v2/instance`."""

from __future__ import annotations

import dataclasses
from typing import Any

from server.platforms.base import Capabilities
from server.textrules.capabilities import CAPABILITIES


def default_capabilities() -> Capabilities:
    """`CAPABILITIES["mastodon"]` from server.textrules (the one place platform limits are written down)."""
    return CAPABILITIES["mastodon"]


def _int(section: dict[str, Any], key: str, fallback: int) -> int:
    value = section.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else fallback


def from_instance(base: Capabilities, instance: dict[str, Any]) -> Capabilities:
    """Apply the `configuration` limits of a `/api/v2/instance` body to `base`."""
    config = instance.get("configuration")
    if not isinstance(config, dict):
        return base
    statuses = config.get("statuses")
    statuses = statuses if isinstance(statuses, dict) else {}
    attachments = config.get("media_attachments")
    attachments = attachments if isinstance(attachments, dict) else {}
    mimes = [m for m in attachments.get("supported_mime_types", []) if isinstance(m, str)]
    media = dataclasses.replace(
        base.media,
        max_images=_int(statuses, "max_media_attachments", base.media.max_images),
        image_max_bytes=_int(attachments, "image_size_limit", base.media.image_max_bytes),
        video_max_bytes=_int(attachments, "video_size_limit", base.media.video_max_bytes),
        alt_text_max=_int(attachments, "description_limit", base.media.alt_text_max),
        image_max_pixels=_int(attachments, "image_matrix_limit", base.media.image_max_pixels or 0) or None,
        image_types=tuple(m for m in mimes if m.startswith("image/")) or base.media.image_types,
        video_types=tuple(m for m in mimes if m.startswith("video/")) or base.media.video_types,
    )
    return dataclasses.replace(
        base,
        text_limit=_int(statuses, "max_characters", base.text_limit),
        url_length=_int(statuses, "characters_reserved_per_url", base.url_length or 23),
        media=media,
    )
