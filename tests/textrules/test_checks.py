"""check_text, check_media and text_length (the capabilities table: tests/platforms/test_capabilities.py)."""

from __future__ import annotations

import pytest

from server.platforms.base import UploadRequest
from server.platforms.capabilities import with_overrides
from server.textrules import (
    CAPABILITIES,
    MediaSpec,
    check_media,
    check_text,
    text_length,
)

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"
MIB = 1024 * 1024


@pytest.mark.parametrize(
    ("platform", "text", "expected"),
    [
        ("x", "hello", []),
        ("x", "a" * 280, []),
        ("x", "a" * 281, ["text is 281/280 weighted characters on X"]),
        ("x", "中" * 141, ["text is 282/280 weighted characters on X"]),
        ("x", "https://example.com/" + "a" * 1000, []),
        ("x", "", ["text is empty"]),
        ("x", " \n\t", ["text is empty"]),
        ("x", "ok\ufeff", ["text contains U+FEFF, which X does not accept"]),
        ("mastodon", "a" * 500, []),
        ("mastodon", "a" * 501, ["text is 501/500 characters on Mastodon"]),
        ("mastodon", "https://example.com/" + "a" * 600 + " " + "b" * 476, []),
        ("mastodon", "@someone@a-very-long-instance-name.example " + "b" * 491, []),
        ("mastodon", "", ["text is empty"]),
        ("bluesky", "a" * 300, []),
        ("bluesky", "a" * 301, ["text is 301/300 graphemes on Bluesky"]),
        ("bluesky", FAMILY * 120, []),
        ("bluesky", FAMILY * 121, ["text is 3025/3000 UTF-8 bytes on Bluesky"]),
        (
            "bluesky",
            "中" * 1001,
            ["text is 1001/300 graphemes on Bluesky", "text is 3003/3000 UTF-8 bytes on Bluesky"],
        ),
        ("sandbox", "a" * 500, []),
        ("sandbox", "a" * 501, ["text is 501/500 characters on Sandbox"]),
        ("sandbox", "", ["text is empty"]),
    ],
)
def test_check_text(platform: str, text: str, expected: list[str]) -> None:
    assert check_text(platform, text) == expected


def test_check_text_with_instance_limits() -> None:
    bigger = with_overrides(CAPABILITIES["mastodon"], text_limit=1000)
    assert check_text("mastodon", "a" * 600, bigger) == []
    assert check_text("mastodon", "a" * 1001, bigger) == ["text is 1001/1000 characters on Mastodon"]
    longer_urls = with_overrides(CAPABILITIES["x"], url_length=30)
    assert text_length("x", "https://example.com", longer_urls) == 30


@pytest.mark.parametrize(
    ("platform", "text", "expected"),
    [
        ("x", "hi 中 https://example.com", 3 + 2 + 1 + 23),
        ("mastodon", "hi @a@b.example https://example.com", 6 + 23),
        ("bluesky", "hi " + FAMILY, 4),
        ("sandbox", "hi https://example.com", 22),
    ],
)
def test_text_length(platform: str, text: str, expected: int) -> None:
    assert text_length(platform, text) == expected


def test_unknown_platform() -> None:
    with pytest.raises(ValueError, match="unknown platform"):
        check_text("myspace", "hi")
    with pytest.raises(ValueError, match="unknown platform"):
        text_length("myspace", "hi")
    with pytest.raises(ValueError, match="unknown platform"):
        check_media("myspace", [])


def _img(mime: str = "image/jpeg", size: int = 1000, alt: str = "A surgeon at work", **kw: int) -> MediaSpec:
    return MediaSpec(mime_type=mime, size_bytes=size, alt_text=alt, width=kw.get("w"), height=kw.get("h"))


def _vid(size: int = 1000) -> MediaSpec:
    return MediaSpec("video/mp4", size, "Theatre walkthrough")


@pytest.mark.parametrize(
    ("platform", "media", "expected"),
    [
        ("x", [], []),
        ("x", [_img()] * 4, []),
        ("x", [_img()] * 5, ["5 images; X allows at most 4 per post"]),
        ("x", [_vid()], []),
        ("x", [_vid(), _vid()], ["2 videos; X allows at most 1 per post"]),
        ("x", [_img(), _vid()], ["X does not allow images and a video in the same post"]),
        ("mastodon", [_img(), _vid()], ["Mastodon does not allow images and a video in the same post"]),
        (
            "x",
            [_img(size=6 * MIB)],
            ["media 1 (image/jpeg) is 6,291,456 bytes; X accepts images up to 5,242,880 bytes (5 MiB)"],
        ),
        ("x", [_img(size=5 * MIB)], []),
        (
            "x",
            [_img("image/bmp")],
            [
                "media 1 (image/bmp) is not a type X accepts "
                "(image/jpeg, image/png, image/gif, image/webp, video/mp4, video/quicktime)"
            ],
        ),
        ("x", [_img(alt=" ")], ["media 1 (image/jpeg) has no alt text"]),
        ("x", [_img(alt="a" * 1000)], []),
        ("x", [_img(alt="a" * 1001)], ["media 1 (image/jpeg): alt text is 1001/1000 characters on X"]),
        ("x", [_img(size=0)], ["media 1 (image/jpeg) is empty"]),
        ("x", [_img("IMAGE/PNG; q=1")], []),
        ("mastodon", [_img(alt="a" * 1500), _img(size=16 * MIB)], []),
        (
            "mastodon",
            [_img(alt="a" * 1501)],
            ["media 1 (image/jpeg): alt text is 1501/1500 characters on Mastodon"],
        ),
        (
            "mastodon",
            [_img(w=8000, h=5000)],
            ["media 1 (image/jpeg) is 8000x5000 = 40,000,000 pixels; Mastodon accepts up to 33,177,600"],
        ),
        ("mastodon", [MediaSpec("video/webm", 99 * MIB, "Clip")], []),
        ("bluesky", [_img(size=2_000_000)] * 4, []),
        (
            "bluesky",
            [_img(size=2_000_001)],
            ["media 1 (image/jpeg) is 2,000,001 bytes; Bluesky accepts images up to 2,000,000 bytes"],
        ),
        (
            "bluesky",
            [_vid()],
            [
                "media 1 (video/mp4) is not a type Bluesky accepts "
                "(image/jpeg, image/png, image/webp, image/gif)"
            ],
        ),
        ("sandbox", [_img(size=40 * MIB)] * 4, []),
        ("sandbox", [_img()] * 5, ["5 images; Sandbox allows at most 4 per post"]),
        (
            "x",
            [_img(alt=""), _img("image/tiff")],
            [
                "media 1 (image/jpeg) has no alt text",
                "media 2 (image/tiff) is not a type X accepts "
                "(image/jpeg, image/png, image/gif, image/webp, video/mp4, video/quicktime)",
            ],
        ),
    ],
)
def test_check_media(platform: str, media: list[MediaSpec], expected: list[str]) -> None:
    assert check_media(platform, media) == expected


def test_check_media_with_overrides() -> None:
    no_video = with_overrides(CAPABILITIES["sandbox"], max_videos=0)
    assert check_media("sandbox", [_vid()], no_video) == ["Sandbox does not accept video"]


def test_media_spec_from_upload() -> None:
    upload = UploadRequest(data=b"12345", mime_type="image/png", alt_text="Chart", width=10, height=20)
    assert MediaSpec.from_upload(upload) == MediaSpec("image/png", 5, "Chart", 10, 20)
