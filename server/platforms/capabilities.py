"""Per-platform text and media limits, as `Capabilities` data (see shared/docs/platform-api-facts.md).

Sizes: X's "5 MB" is taken as 5 MiB; Mastodon's defaults are the byte values its instance API reports;
Bluesky's image limit is the lexicon's 2,000,000 bytes. Bluesky video goes through a separate video service
that Livecue does not use, so Bluesky accepts no video here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Literal, get_args

from server.platforms.base import Capabilities, MediaLimits

MIB = 1024 * 1024
DAY_SECONDS = 86400

CAPABILITIES: dict[str, Capabilities] = {
    "sandbox": Capabilities(
        name="sandbox",
        text_limit=500,
        text_unit="graphemes",
        url_length=None,
        media=MediaLimits(
            max_images=4,
            max_videos=1,
            image_max_bytes=50 * MIB,
            video_max_bytes=512 * MIB,
            image_types=("image/jpeg", "image/png", "image/gif", "image/webp", "image/avif", "image/heic"),
            video_types=("video/mp4", "video/webm", "video/quicktime"),
            alt_text_max=5000,
        ),
        content_warning="click_through",
        media_validity_seconds=DAY_SECONDS,
    ),
    "x": Capabilities(
        name="x",
        text_limit=280,
        text_unit="weighted",
        url_length=23,
        media=MediaLimits(
            max_images=4,
            max_videos=1,
            image_max_bytes=5 * MIB,
            video_max_bytes=512 * MIB,
            image_types=("image/jpeg", "image/png", "image/gif", "image/webp"),
            video_types=("video/mp4", "video/quicktime"),
            alt_text_max=1000,
        ),
        content_warning="sensitive_media",
        media_validity_seconds=DAY_SECONDS,
    ),
    "mastodon": Capabilities(
        name="mastodon",
        text_limit=500,
        text_unit="graphemes",
        url_length=23,
        media=MediaLimits(
            max_images=4,
            max_videos=1,
            image_max_bytes=16 * MIB,
            video_max_bytes=99 * MIB,
            image_types=("image/jpeg", "image/png", "image/gif", "image/webp", "image/avif", "image/heic"),
            video_types=("video/mp4", "video/webm", "video/quicktime"),
            alt_text_max=1500,
            image_max_pixels=33_177_600,
        ),
        content_warning="sensitive_spoiler",
        media_validity_seconds=DAY_SECONDS,
    ),
    "bluesky": Capabilities(
        name="bluesky",
        text_limit=300,
        text_unit="graphemes+bytes",
        url_length=None,
        media=MediaLimits(
            max_images=4,
            max_videos=0,
            image_max_bytes=2_000_000,
            video_max_bytes=0,
            image_types=("image/jpeg", "image/png", "image/webp", "image/gif"),
            video_types=(),
            alt_text_max=2000,
        ),
        content_warning="first_line",
        media_validity_seconds=300,
        byte_limit=3000,
    ),
}


# The platform names, one vocabulary: the table's keys. `PlatformName` spells them for pydantic and mypy (request
# schemas, the schedule format, path parameters); the check below keeps it and the table from drifting apart.
PlatformName = Literal["sandbox", "x", "mastodon", "bluesky"]
PLATFORM_NAMES: tuple[str, ...] = tuple(CAPABILITIES)
if set(PLATFORM_NAMES) != set(get_args(PlatformName)):  # pragma: no cover - a programming error, caught at import
    raise RuntimeError(f"PlatformName {get_args(PlatformName)} differs from the capability table {PLATFORM_NAMES}")


def get_capabilities(platform: str) -> Capabilities:
    """Return the default capabilities of `platform`; raise ValueError for an unknown platform."""
    try:
        return CAPABILITIES[platform]
    except KeyError:
        raise ValueError(f"unknown platform {platform!r}; expected one of {sorted(CAPABILITIES)}") from None


def with_overrides(
    cap: Capabilities,
    *,
    text_limit: int | None = None,
    url_length: int | None = None,
    byte_limit: int | None = None,
    max_images: int | None = None,
    max_videos: int | None = None,
    image_max_bytes: int | None = None,
    video_max_bytes: int | None = None,
    image_types: tuple[str, ...] | None = None,
    video_types: tuple[str, ...] | None = None,
    alt_text_max: int | None = None,
    image_max_pixels: int | None = None,
    media_validity_seconds: int | None = None,
) -> Capabilities:
    """Return a copy of `cap` with the given limits replaced (arguments left as None keep their value)."""
    top: dict[str, Any] = {
        "text_limit": text_limit,
        "url_length": url_length,
        "byte_limit": byte_limit,
        "media_validity_seconds": media_validity_seconds,
    }
    media: dict[str, Any] = {
        "max_images": max_images,
        "max_videos": max_videos,
        "image_max_bytes": image_max_bytes,
        "video_max_bytes": video_max_bytes,
        "image_types": image_types,
        "video_types": video_types,
        "alt_text_max": alt_text_max,
        "image_max_pixels": image_max_pixels,
    }
    new_media = replace(cap.media, **{k: v for k, v in media.items() if v is not None})
    return replace(cap, media=new_media, **{k: v for k, v in top.items() if v is not None})


def _positive_int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    try:
        number = int(value)
    except ValueError:
        return None
    return number if number > 0 else None


def mastodon_capabilities(configuration: Mapping[str, Any], base: Capabilities | None = None) -> Capabilities:
    """Apply a Mastodon instance's `GET /api/v2/instance` `configuration` object to the defaults."""
    cap = base or CAPABILITIES["mastodon"]
    statuses = configuration.get("statuses") or {}
    media = configuration.get("media_attachments") or {}
    if not isinstance(statuses, Mapping) or not isinstance(media, Mapping):
        return cap
    types = media.get("supported_mime_types")
    image_types = video_types = None
    if isinstance(types, list) and all(isinstance(t, str) for t in types):
        image_types = tuple(t for t in types if t.startswith("image/")) or None  # none listed: keep the defaults
        video_types = tuple(t for t in types if t.startswith("video/")) or None
    max_attachments = _positive_int(statuses.get("max_media_attachments"))
    url_length = statuses.get("characters_reserved_per_url")
    return with_overrides(
        cap,
        text_limit=_positive_int(statuses.get("max_characters")),
        url_length=url_length if isinstance(url_length, int) and url_length >= 0 else None,
        max_images=max_attachments,
        image_max_bytes=_positive_int(media.get("image_size_limit")),
        video_max_bytes=_positive_int(media.get("video_size_limit")),
        image_types=image_types,
        video_types=video_types,
        alt_text_max=_positive_int(media.get("description_limit")),
        image_max_pixels=_positive_int(media.get("image_matrix_limit")),
    )
