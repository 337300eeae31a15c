"""fit_to_limits: downscale/recompress/convert until an image fits, reject only when impossible."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from server.media import MediaRejected, SanitizedMedia, fit_to_limits, sanitize_image
from server.platforms.base import MediaLimits


def _limits(
    max_bytes: int,
    types: tuple[str, ...] = ("image/jpeg", "image/png", "image/gif", "image/webp"),
    max_pixels: int | None = None,
) -> MediaLimits:
    return MediaLimits(
        max_images=4,
        max_videos=1,
        image_max_bytes=max_bytes,
        video_max_bytes=10_000_000,
        image_types=types,
        video_types=("video/mp4",),
        alt_text_max=1000,
        image_max_pixels=max_pixels,
    )


def _photo(size: tuple[int, int], fmt: str, mode: str = "RGB") -> bytes:
    """A photo-like image: a smooth gradient with grain, which compresses like a real photo."""
    grad = Image.linear_gradient("L").resize(size)
    noise = Image.effect_noise(size, 40)
    im = Image.merge("RGB", (grad, noise, grad.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    if mode == "RGBA":
        im.putalpha(grad)
    buf = io.BytesIO()
    im.save(buf, fmt)
    return buf.getvalue()


def _size(media: SanitizedMedia) -> tuple[int, int]:
    with Image.open(io.BytesIO(media.data)) as im:
        return im.size


def test_media_that_fits_is_returned_unchanged() -> None:
    media = sanitize_image(_photo((300, 200), "JPEG"), "a.jpg")
    assert fit_to_limits(media, _limits(5_000_000)) is media


def test_oversize_jpeg_is_shrunk_to_fit_bytes_and_pixels() -> None:
    media = sanitize_image(_photo((3000, 2000), "JPEG"), "big.jpg")
    assert len(media.data) > 1_000_000
    fitted = fit_to_limits(media, _limits(300_000, max_pixels=2_000_000))
    assert len(fitted.data) <= 300_000
    assert fitted.width * fitted.height <= 2_000_000
    assert _size(fitted) == (fitted.width, fitted.height)
    assert abs(fitted.width / fitted.height - 1.5) < 0.01  # aspect ratio kept
    assert fitted.mime_type == "image/jpeg"
    with Image.open(io.BytesIO(fitted.data)) as im:
        assert len(im.getexif()) == 0


def test_pixel_limit_alone_triggers_resize() -> None:
    media = sanitize_image(_photo((1000, 1000), "JPEG"), "square.jpg")
    fitted = fit_to_limits(media, _limits(50_000_000, max_pixels=250_000))
    assert fitted.width * fitted.height <= 250_000
    assert fitted.width >= 490


def test_opaque_png_photo_becomes_jpeg_rather_than_tiny() -> None:
    media = sanitize_image(_photo((2000, 1500), "PNG"), "scan.png")
    fitted = fit_to_limits(media, _limits(2_000_000, ("image/jpeg", "image/png")))
    assert len(fitted.data) <= 2_000_000
    assert fitted.mime_type == "image/jpeg"
    assert (fitted.width, fitted.height) == (2000, 1500)


def test_transparent_png_stays_png_and_is_downscaled() -> None:
    media = sanitize_image(_photo((1600, 1200), "PNG", mode="RGBA"), "logo.png")
    fitted = fit_to_limits(media, _limits(1_000_000, ("image/jpeg", "image/png")))
    assert fitted.mime_type == "image/png"
    assert len(fitted.data) <= 1_000_000
    assert fitted.width < 1600
    with Image.open(io.BytesIO(fitted.data)) as im:
        assert im.mode == "RGBA"


def test_unaccepted_type_is_converted() -> None:
    media = sanitize_image(_photo((400, 300), "WEBP"), "photo.webp")
    fitted = fit_to_limits(media, _limits(5_000_000, ("image/jpeg", "image/png")))
    assert fitted.mime_type == "image/jpeg"
    assert _size(fitted) == (400, 300)


def test_impossible_limit_is_rejected() -> None:
    media = sanitize_image(_photo((800, 600), "JPEG"), "a.jpg")
    with pytest.raises(MediaRejected, match="cannot be made to fit"):
        fit_to_limits(media, _limits(500))


def test_platform_without_usable_types_is_rejected() -> None:
    media = sanitize_image(_photo((80, 60), "JPEG"), "a.jpg")
    with pytest.raises(MediaRejected, match="accepts none"):
        fit_to_limits(media, _limits(5_000_000, ("image/heic",)))


def test_video_over_limit_is_rejected_not_transcoded() -> None:
    video = SanitizedMedia(b"\x00" * 2000, "video/mp4", 0, 0, "0" * 64, "video")
    assert fit_to_limits(video, _limits(1000)) is video
    small = MediaLimits(4, 1, 1000, 1000, ("image/jpeg",), ("video/mp4",), 1000)
    with pytest.raises(MediaRejected, match="at most"):
        fit_to_limits(video, small)
    no_video = MediaLimits(4, 0, 1000, 10_000, ("image/jpeg",), (), 1000)
    with pytest.raises(MediaRejected, match="does not accept videos"):
        fit_to_limits(video, no_video)


def test_animated_gif_is_downscaled_frame_by_frame() -> None:
    frames = [Image.new("RGB", (400, 300), colour) for colour in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=120, loop=0)
    media = sanitize_image(buf.getvalue(), "wave.gif")
    fitted = fit_to_limits(media, _limits(5_000_000, ("image/gif", "image/jpeg"), max_pixels=30_000))
    assert fitted.mime_type == "image/gif"
    assert fitted.width * fitted.height <= 30_000
    with Image.open(io.BytesIO(fitted.data)) as im:
        assert getattr(im, "n_frames", 1) == 3


def test_cmyk_jpeg_becomes_rgb() -> None:
    buf = io.BytesIO()
    Image.new("CMYK", (64, 48), (0, 200, 200, 0)).save(buf, "JPEG")
    media = sanitize_image(buf.getvalue(), "print.jpg")
    with Image.open(io.BytesIO(media.data)) as im:
        assert im.mode == "RGB"
        pixel = im.getpixel((10, 10))
        assert isinstance(pixel, tuple)
        assert pixel[0] > 200 > pixel[1]
