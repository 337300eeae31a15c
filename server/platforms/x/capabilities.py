"""X capabilities: shared `CAPABILITIES["x"]` when server.textrules provides it, else inline defaults."""

from __future__ import annotations

from server.platforms.base import Capabilities, MediaLimits

# From shared/docs/platform-api-facts.md section 1 (X API v2, twitter-text config v3).
INLINE_CAPABILITIES = Capabilities(
    name="x",
    text_limit=280,
    text_unit="weighted",
    url_length=23,
    media=MediaLimits(
        max_images=4,
        max_videos=1,
        image_max_bytes=5 * 1024 * 1024,
        video_max_bytes=512 * 1024 * 1024,
        image_types=("image/jpeg", "image/png", "image/webp", "image/gif"),
        video_types=("video/mp4", "video/quicktime"),
        alt_text_max=1000,
    ),
    content_warning="sensitive_media",
    media_validity_seconds=86_400,
)


def default_capabilities() -> Capabilities:
    """Return `CAPABILITIES["x"]` from server.textrules when present, else the inline defaults."""
    try:
        from server.textrules.capabilities import CAPABILITIES  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return INLINE_CAPABILITIES
    shared = CAPABILITIES.get("x")
    return shared if isinstance(shared, Capabilities) else INLINE_CAPABILITIES
