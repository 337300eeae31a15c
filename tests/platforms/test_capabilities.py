"""The capabilities table (platform limits as data) and a Mastodon instance's overrides."""

from __future__ import annotations

from server.platforms.base import Capabilities
from server.platforms.capabilities import CAPABILITIES, get_capabilities, mastodon_capabilities, with_overrides
from server.textrules import PLATFORMS

MIB = 1024 * 1024


def test_capabilities_table() -> None:
    assert PLATFORMS == ("sandbox", "x", "mastodon", "bluesky")
    assert set(CAPABILITIES) == set(PLATFORMS)
    for name, cap in CAPABILITIES.items():
        assert isinstance(cap, Capabilities)
        assert cap.name == name
    x, mastodon, bluesky, sandbox = (CAPABILITIES[p] for p in ("x", "mastodon", "bluesky", "sandbox"))
    assert (x.text_limit, x.text_unit, x.url_length) == (280, "weighted", 23)
    assert (x.media.max_images, x.media.max_videos, x.media.image_max_bytes) == (4, 1, 5 * MIB)
    assert (x.media.alt_text_max, x.media_validity_seconds) == (1000, 86400)
    assert (mastodon.text_limit, mastodon.url_length, mastodon.media.alt_text_max) == (500, 23, 1500)
    assert (mastodon.media.image_max_bytes, mastodon.media.video_max_bytes) == (16 * MIB, 99 * MIB)
    assert mastodon.media_validity_seconds == 86400
    assert (bluesky.text_limit, bluesky.byte_limit, bluesky.text_unit) == (300, 3000, "graphemes+bytes")
    assert (bluesky.media.image_max_bytes, bluesky.media.max_images, bluesky.media.alt_text_max) == (
        2_000_000,
        4,
        2000,
    )
    assert bluesky.media_validity_seconds == 300
    assert (sandbox.text_limit, sandbox.media.max_images, sandbox.content_warning) == (
        500,
        4,
        "click_through",
    )
    assert get_capabilities("x") is x


def test_with_overrides_keeps_other_fields() -> None:
    base = CAPABILITIES["mastodon"]
    changed = with_overrides(base, text_limit=5000, alt_text_max=3000, image_types=("image/png",))
    assert (changed.text_limit, changed.media.alt_text_max, changed.media.image_types) == (
        5000,
        3000,
        ("image/png",),
    )
    assert changed.media.video_types == base.media.video_types
    assert changed.url_length == base.url_length
    assert base.text_limit == 500  # the table itself is untouched


def test_mastodon_capabilities_from_instance() -> None:
    configuration = {
        "statuses": {"max_characters": 1000, "max_media_attachments": 6, "characters_reserved_per_url": 25},
        "media_attachments": {
            "supported_mime_types": ["image/png", "video/mp4", "audio/mpeg"],
            "image_size_limit": 10_000_000,
            "image_matrix_limit": 1000,
            "video_size_limit": 40_000_000,
            "description_limit": 2000,
        },
    }
    cap = mastodon_capabilities(configuration)
    assert (cap.text_limit, cap.url_length, cap.media.max_images) == (1000, 25, 6)
    assert (cap.media.image_types, cap.media.video_types) == (("image/png",), ("video/mp4",))
    assert (cap.media.image_max_bytes, cap.media.video_max_bytes) == (10_000_000, 40_000_000)
    assert (cap.media.alt_text_max, cap.media.image_max_pixels) == (2000, 1000)
    assert mastodon_capabilities({}) == CAPABILITIES["mastodon"]
    assert mastodon_capabilities({"statuses": {"max_characters": "bad"}}) == CAPABILITIES["mastodon"]
    assert mastodon_capabilities({"statuses": []}) == CAPABILITIES["mastodon"]
