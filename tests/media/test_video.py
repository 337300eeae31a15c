"""sanitize_video: the box walker blanks identifying metadata in place and rejects broken files."""

from __future__ import annotations

import struct

import pytest

from server.media import MediaRejected, sanitize_media, sanitize_video
from server.media.video import parse_boxes
from tests.media import builders

LEAKS = [
    b"\xa9xyz",
    b"\xa9mak",
    b"\xa9mod",
    b"udta",
    b"SecretMaker",
    b"SecretModel",
    b"SecretCam",
    builders.GPS_TEXT,
    b"GPS5",
    b"gpmd",
    b"com.apple.quicktime.location",
    b"ns.adobe",
    b"xmpmeta",
    builders.XMP_UUID,
]


def _stco_offsets(data: bytes) -> list[int]:
    offsets: list[int] = []
    pos = 0
    while (pos := data.find(b"stco", pos)) != -1:
        count = struct.unpack_from(">I", data, pos + 8)[0]
        offsets.extend(struct.unpack_from(f">{count}I", data, pos + 12))
        pos += 4
    return offsets


def _box_types(data: bytes, path: list[bytes]) -> list[bytes]:
    buf = bytearray(data)
    boxes = parse_boxes(buf, 0, len(buf), "t", top=True)
    for kind in path:
        parent = next(b for b in boxes if b.type == kind)
        boxes = parse_boxes(buf, parent.payload, parent.end, "t")
    return [b.type for b in boxes]


def test_fixture_really_carries_the_metadata() -> None:
    data, _, _ = builders.mp4_with_gps()
    for marker in LEAKS:
        assert marker in data, marker


def test_metadata_blanked_in_place_and_offsets_still_valid() -> None:
    data, video_at, gps_at = builders.mp4_with_gps()
    media = sanitize_video(data, "ward-tour.mp4")
    out = media.data
    assert len(out) == len(data)
    assert media.kind == "video"
    assert media.mime_type == "video/mp4"
    assert (media.width, media.height) == (640, 360)
    for marker in LEAKS:
        assert marker not in out, marker
    # The video track's chunk offset is unchanged and still points at its first frame.
    assert _stco_offsets(out) == [video_at]
    assert out[video_at : video_at + 11] == b"VIDEOFRAME1"
    assert out.find(b"VIDEOFRAME2") == video_at + len(builders.VIDEO_SAMPLES[0])
    # The GPS samples inside mdat were zeroed.
    assert out[gps_at : gps_at + len(builders.GPS_SAMPLE)] == bytes(len(builders.GPS_SAMPLE))
    # The structure still parses; metadata boxes became `free`.
    assert builders.top_level_types(out) == [b"ftyp", b"free", b"moov", b"mdat"]
    assert _box_types(out, [b"moov"]) == [b"mvhd", b"trak", b"free", b"free", b"free"]
    assert _box_types(out, [b"moov", b"trak", b"mdia"]) == [b"mdhd", b"hdlr", b"minf"]


def test_recording_timestamps_are_zeroed() -> None:
    data, _, _ = builders.mp4_with_gps()
    out = sanitize_video(data, "a.mp4").data
    for kind in (b"mvhd", b"tkhd", b"mdhd"):
        pos = out.find(kind)
        assert out[pos + 8 : pos + 16] == bytes(8), kind


def test_rotated_video_reports_display_size() -> None:
    data, _, _ = builders.mp4_with_gps(matrix=builders.ROTATE_90)
    media = sanitize_video(data, "portrait.mp4")
    assert (media.width, media.height) == (360, 640)


def test_quicktime_mov() -> None:
    data, _, _ = builders.mp4_with_gps(brand=b"qt  ")
    media = sanitize_video(data, "clip.MOV")
    assert media.mime_type == "video/quicktime"
    assert builders.GPS_TEXT not in media.data


def test_unknown_top_level_box_is_blanked() -> None:
    data, _, _ = builders.mp4_with_gps()
    trailer = builders.box(b"sefd", b"SEFT location: " + builders.GPS_TEXT)
    out = sanitize_video(data + trailer, "a.mp4").data
    assert builders.top_level_types(out)[-1] == b"free"
    assert builders.GPS_TEXT not in out


def test_largesize_box_is_handled() -> None:
    data, video_at, _ = builders.mp4_with_gps()
    # Append a top-level udta written with a 64-bit size.
    payload = builders.box(b"\xa9xyz", builders.GPS_TEXT)
    big = struct.pack(">I", 1) + b"udta" + struct.pack(">Q", 16 + len(payload)) + payload
    out = sanitize_video(data + big, "a.mp4").data
    assert builders.GPS_TEXT not in out
    assert out[-len(big) : -len(big) + 16] == struct.pack(">I", 1) + b"free" + struct.pack(">Q", len(big))


@pytest.mark.parametrize("cut", [10, 100, -5])
def test_truncated(cut: int) -> None:
    data, _, _ = builders.mp4_with_gps()
    with pytest.raises(MediaRejected) as caught:
        sanitize_video(data[:cut], "a.mp4")
    assert caught.value.message.startswith("a.mp4 is truncated")


def test_truncated_exactly_before_mdat() -> None:
    data, video_at, _ = builders.mp4_with_gps()
    mdat_at = video_at - 8
    with pytest.raises(MediaRejected, match=r"a\.mp4 is truncated \(its media data points past the end"):
        sanitize_video(data[:mdat_at], "a.mp4")


def test_child_overrunning_parent_is_damaged() -> None:
    data, _, _ = builders.mp4_with_gps()
    buf = bytearray(data)
    pos = buf.find(b"mvhd") - 4
    buf[pos : pos + 4] = struct.pack(">I", 10_000)
    with pytest.raises(MediaRejected, match="damaged"):
        sanitize_video(bytes(buf), "a.mp4")


def test_zero_bytes() -> None:
    with pytest.raises(MediaRejected) as caught:
        sanitize_video(b"", "a.mp4")
    assert caught.value.message == "a.mp4 is empty"


def test_mov_named_mp4_is_rejected() -> None:
    data, _, _ = builders.mp4_with_gps(brand=b"qt  ")
    with pytest.raises(MediaRejected) as caught:
        sanitize_video(data, "a.mp4")
    assert caught.value.message == "a.mp4 is not an MP4 video (it is QuickTime MOV)"


def test_jpeg_named_mp4_is_rejected() -> None:
    with pytest.raises(MediaRejected) as caught:
        sanitize_video(builders.jpeg_with_metadata(), "a.mp4")
    assert caught.value.message == "a.mp4 is not an MP4 video (it is JPEG)"


def test_missing_ftyp_or_moov() -> None:
    data, _, _ = builders.mp4_with_gps()
    with pytest.raises(MediaRejected, match="file-type box"):
        sanitize_video(builders.box(b"free", b"") + data, "a.mp4")
    ftyp = builders.box(b"ftyp", b"isom" + bytes(4) + b"isom")
    with pytest.raises(MediaRejected, match="no movie header"):
        sanitize_video(ftyp + builders.box(b"mdat", b"x" * 20), "a.mp4")


def test_heic_is_not_a_video() -> None:
    ftyp = builders.box(b"ftyp", b"heic" + bytes(4) + b"mif1heic")
    with pytest.raises(MediaRejected, match="still image"):
        sanitize_video(ftyp + builders.box(b"meta", b""), "a.mp4")


def test_non_video_extension_is_rejected() -> None:
    data, _, _ = builders.mp4_with_gps()
    with pytest.raises(MediaRejected, match="does not have a video extension"):
        sanitize_video(data, "a.avi")


def test_sanitize_media_routes_videos() -> None:
    data, _, _ = builders.mp4_with_gps()
    assert sanitize_media(data, "clip.m4v").kind == "video"


def test_random_corruption_never_crashes() -> None:
    import random

    data, _, _ = builders.mp4_with_gps()
    rng = random.Random(1234)
    for _ in range(3000):
        buf = bytearray(data)
        for _ in range(rng.randint(1, 6)):
            buf[rng.randrange(len(buf))] = rng.randrange(256)
        cut = rng.choice([len(buf), rng.randrange(1, len(buf) + 1)])
        try:
            out = sanitize_video(bytes(buf[:cut]), "fuzz.mp4")
        except MediaRejected:
            continue
        assert len(out.data) == cut
