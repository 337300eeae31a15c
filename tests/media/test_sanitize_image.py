"""sanitize_image: real-type checks, hostile files, and that no metadata survives re-encoding."""

from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image, PngImagePlugin

from server.media import MediaRejected, sanitize_image, sanitize_media
from tests.media import builders

LEAK_MARKERS = [
    b"Exif",
    b"http://ns.adobe.com/xap",
    b"Photoshop 3.0",
    b"8BIM",
    b"SecretCam",
    b"MAKERNOTE",
    b"BODYSERIAL",
    b"Dr Private",
    b"Hospital City",
    b"Jane Doe",
    b"THUMBNAIL-MARK",
    b"2024:05:01",
]


def _png(im: Image.Image, **params: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "PNG", **params)
    return buf.getvalue()


def _gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    exif[0x0112] = 1
    exif.get_ifd(0x8825).update({1: "N", 2: (51.0, 30.0, 26.44), 3: "W", 4: (0.0, 7.0, 40.08)})
    return exif


def test_input_really_carries_the_metadata() -> None:
    data = builders.jpeg_with_metadata()
    with Image.open(io.BytesIO(data)) as im:
        assert im.getexif().get_ifd(0x8825)[1] == "N"
        assert im.getexif()[0x010F] == "SecretCam"
        assert {"xmp", "photoshop", "comment", "icc_profile", "exif"} <= set(im.info)
    for marker in LEAK_MARKERS:
        assert marker in data, marker


def test_jpeg_comes_out_with_pixels_only() -> None:
    media = sanitize_image(builders.jpeg_with_metadata(orientation=6), "photo.jpg")
    assert media.mime_type == "image/jpeg"
    assert media.kind == "image"
    assert media.sha256 == hashlib.sha256(media.data).hexdigest()
    for marker in LEAK_MARKERS:
        assert marker not in media.data, marker
    # Only the structural JPEG segments remain: SOI-relative APP0 (JFIF), DQT, SOF0, DHT, SOS.
    assert set(builders.jpeg_markers(media.data)) <= {0xE0, 0xDB, 0xC0, 0xC4, 0xDA, 0xDD}
    with Image.open(io.BytesIO(media.data)) as out:
        assert out.format == "JPEG"
        assert len(out.getexif()) == 0
        assert out.getexif().get_ifd(0x8825) == {}
        assert not {"exif", "xmp", "photoshop", "comment", "icc_profile"} & set(out.info)
        # Orientation 6 (rotate 90° clockwise) was applied before EXIF was dropped.
        assert out.size == (100, 200) == (media.width, media.height)
        out_rgb = out.convert("RGB")
        top = out_rgb.getpixel((50, 20))
        bottom = out_rgb.getpixel((50, 180))
        assert isinstance(top, tuple)
        assert isinstance(bottom, tuple)
        assert top[0] > 150 > top[2], top  # red half now on top
        assert bottom[2] > 150 > bottom[0], bottom


def test_png_text_exif_and_time_chunks_are_dropped() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Dr Private Person")
    info.add_text("Comment", "Patient: Jane Doe", zip=True)
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>http://ns.adobe.com/xap SecretCam</x:xmpmeta>")
    info.add(b"tIME", bytes([7, 232, 5, 1, 10, 0, 0]))
    data = _png(builders.two_colour(), pnginfo=info, exif=_gps_exif())
    assert {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"} <= set(builders.png_chunks(data))
    media = sanitize_image(data, "scan.PNG")
    assert media.mime_type == "image/png"
    assert set(builders.png_chunks(media.data)) <= {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"}
    for marker in (b"Dr Private", b"Jane Doe", b"SecretCam", b"xmp", b"Exif"):
        assert marker not in media.data
    with Image.open(io.BytesIO(media.data)) as out:
        assert len(out.getexif()) == 0
        assert out.size == (200, 100)


def test_palette_png_keeps_transparency() -> None:
    im = Image.new("P", (40, 40), 1)
    im.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    data = _png(im, transparency=0)
    media = sanitize_image(data, "icon.png")
    with Image.open(io.BytesIO(media.data)) as out:
        assert out.mode == "P"
        assert out.info.get("transparency") == 0


def test_webp_exif_and_xmp_are_dropped() -> None:
    buf = io.BytesIO()
    builders.two_colour().save(buf, "WEBP", exif=_gps_exif(), xmp=b"<x:xmpmeta>SecretCam</x:xmpmeta>")
    assert b"EXIF" in buf.getvalue()
    media = sanitize_image(buf.getvalue(), "photo.webp")
    assert media.mime_type == "image/webp"
    assert b"EXIF" not in media.data
    assert b"XMP " not in media.data
    assert b"SecretCam" not in media.data


def test_animated_gif_keeps_frames_but_not_comment() -> None:
    frames = [Image.new("RGB", (60, 40), colour) for colour in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    buf = io.BytesIO()
    frames[0].save(
        buf,
        "GIF",
        save_all=True,
        append_images=frames[1:],
        duration=[100, 200, 300],
        loop=0,
        comment=b"Patient: Jane Doe",
    )
    assert b"Jane Doe" in buf.getvalue()
    media = sanitize_image(buf.getvalue(), "clip.gif")
    assert b"Jane Doe" not in media.data
    with Image.open(io.BytesIO(media.data)) as out:
        assert getattr(out, "n_frames", 1) == 3
        assert "comment" not in out.info
        durations = []
        for index in range(3):
            out.seek(index)
            durations.append(out.info.get("duration"))
        assert durations == [100, 200, 300]


@pytest.mark.parametrize(
    ("data_maker", "name", "message"),
    [
        (lambda: _png(builders.two_colour()), "photo.jpg", "photo.jpg is not a JPEG image (it is PNG)"),
        (lambda: builders.jpeg_with_metadata(), "photo.png", "photo.png is not a PNG image (it is JPEG)"),
        (lambda: builders.jpeg_with_metadata(), "photo.heic", "photo.heic is not a HEIC image (it is JPEG)"),
        (lambda: b"hello, not an image", "photo.jpg", "photo.jpg is not a JPEG image"),
        (lambda: builders.jpeg_with_metadata(), "photo", "photo has no file extension"),
        (lambda: builders.jpeg_with_metadata(), "photo.txt", "photo.txt does not have a recognised image"),
    ],
)
def test_declared_type_must_match(data_maker: object, name: str, message: str) -> None:
    assert callable(data_maker)
    with pytest.raises(MediaRejected) as caught:
        sanitize_image(data_maker(), name)
    assert caught.value.message.startswith(message)


def test_unsupported_format_is_named() -> None:
    buf = io.BytesIO()
    builders.two_colour().save(buf, "BMP")
    with pytest.raises(MediaRejected, match=r"scan\.bmp is a BMP image, which is not supported"):
        sanitize_image(buf.getvalue(), "scan.bmp")


def test_path_in_declared_name_is_not_echoed() -> None:
    with pytest.raises(MediaRejected) as caught:
        sanitize_image(b"", "../../etc/photo.jpg")
    assert caught.value.message == "photo.jpg is empty"


def test_zero_bytes() -> None:
    with pytest.raises(MediaRejected) as caught:
        sanitize_image(b"", "photo.jpg")
    assert str(caught.value) == "photo.jpg is empty"


@pytest.mark.parametrize(
    ("fmt", "keep"),
    # A GIF missing only its one-byte trailer still holds the whole image, so it is not in the list.
    [(fmt, keep) for fmt in ("JPEG", "PNG", "WEBP") for keep in ("half", "all-but-2")] + [("GIF", "half")],
)
def test_truncated(fmt: str, keep: str) -> None:
    im = Image.effect_noise((300, 200), 60).convert("RGB")
    buf = io.BytesIO()
    im.save(buf, fmt)
    data = buf.getvalue()
    cut = len(data) // 2 if keep == "half" else len(data) - 2
    name = f"photo.{fmt.lower().replace('jpeg', 'jpg')}"
    with pytest.raises(MediaRejected) as caught:
        sanitize_image(data[:cut], name)
    assert caught.value.message == f"{name} is truncated (the file ends before the image does)"


def test_decompression_bomb_png_is_rejected_before_decoding() -> None:
    with pytest.raises(MediaRejected) as caught:
        sanitize_image(builders.png_bomb(), "photo.png")
    assert caught.value.message.startswith("photo.png is too large to decode safely (")


def test_moderately_oversized_canvas_is_rejected() -> None:
    # 8000×8000 = 64 MP: between our 50 MP cap and Pillow's hard error at twice the limit.
    with pytest.raises(MediaRejected, match="too large to decode safely"):
        sanitize_image(builders.png_bomb(8000, 8000), "photo.png")


def test_sanitize_media_dispatches_on_extension() -> None:
    media = sanitize_media(builders.jpeg_with_metadata(), "photo.jpeg")
    assert media.kind == "image"
    assert media.mime_type == "image/jpeg"


def test_random_corruption_never_crashes() -> None:
    import random

    data = builders.jpeg_with_metadata()
    png = _png(builders.two_colour())
    rng = random.Random(99)
    for source, name in ((data, "f.jpg"), (png, "f.png")):
        for _ in range(300):
            buf = bytearray(source)
            for _ in range(rng.randint(1, 8)):
                buf[rng.randrange(2, len(buf))] = rng.randrange(256)
            try:
                media = sanitize_image(bytes(buf), name)
            except MediaRejected:
                continue
            for marker in (b"Exif", b"Photoshop 3.0", b"http://ns.adobe.com/xap", b"Jane Doe"):
                assert marker not in media.data
