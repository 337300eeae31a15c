"""Hand-made test files: JPEGs stuffed with metadata, hostile PNGs, and a minimal MP4 box tree."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image, ImageCms

XMP_UUID = bytes.fromhex("BE7ACFCB97A942E89C71999491E3AFAC")
GPS_TEXT = b"+51.5074-000.1278/"

# --------------------------------------------------------------------------- JPEG / EXIF

ASCII, SHORT, LONG, RATIONAL, UNDEFINED, BYTE = 2, 3, 4, 5, 7, 1
Entry = tuple[int, int, int, bytes]


def _ascii(tag: int, text: str) -> Entry:
    raw = text.encode() + b"\x00"
    return (tag, ASCII, len(raw), raw)


def _rationals(tag: int, *values: tuple[int, int]) -> Entry:
    return (tag, RATIONAL, len(values), b"".join(struct.pack(">II", n, d) for n, d in values))


def _long(tag: int, value: int) -> Entry:
    return (tag, LONG, 1, struct.pack(">I", value))


def _ifd_size(entries: list[Entry]) -> int:
    return 2 + 12 * len(entries) + 4 + sum(len(e[3]) + len(e[3]) % 2 for e in entries if len(e[3]) > 4)


def _ifd(entries: list[Entry], offset: int, next_ifd: int) -> bytes:
    data_at = offset + 2 + 12 * len(entries) + 4
    head, tail = [struct.pack(">H", len(entries))], []
    for tag, kind, count, raw in sorted(entries):
        if len(raw) <= 4:
            head.append(struct.pack(">HHI", tag, kind, count) + raw.ljust(4, b"\x00"))
        else:
            head.append(struct.pack(">HHII", tag, kind, count, data_at))
            padded = raw + b"\x00" * (len(raw) % 2)
            tail.append(padded)
            data_at += len(padded)
    head.append(struct.pack(">I", next_ifd))
    return b"".join(head + tail)


def exif_with_everything(thumbnail: bytes, orientation: int = 6) -> bytes:
    """An APP1 Exif payload: make/model/serial, GPS IFD, maker note, and an IFD1 JPEG thumbnail."""
    gps = [
        (0, BYTE, 4, bytes([2, 2, 0, 0])),
        _ascii(1, "N"),
        _rationals(2, (51, 1), (30, 1), (2644, 100)),
        _ascii(3, "W"),
        _rationals(4, (0, 1), (7, 1), (4008, 100)),
    ]
    exif_ifd = [
        (0x927C, UNDEFINED, 24, b"MAKERNOTE-SERIAL-0042\x00\x00\x00"),
        _ascii(0x9003, "2024:05:01 10:00:00"),
        _ascii(0xA431, "BODYSERIAL-7777"),
    ]
    ifd1 = [_long(0x0201, 0), _long(0x0202, len(thumbnail))]
    ifd0 = [
        _ascii(0x010F, "SecretCam"),
        _ascii(0x0110, "SecretCam Model X"),
        (0x0112, SHORT, 1, struct.pack(">H", orientation)),
        _ascii(0x013B, "Dr Private Person"),
        _long(0x8769, 0),
        _long(0x8825, 0),
    ]
    o0 = 8
    o_exif = o0 + _ifd_size(ifd0)
    o_gps = o_exif + _ifd_size(exif_ifd)
    o1 = o_gps + _ifd_size(gps)
    o_thumb = o1 + _ifd_size(ifd1)
    ifd0 = [e for e in ifd0 if e[0] not in (0x8769, 0x8825)] + [_long(0x8769, o_exif), _long(0x8825, o_gps)]
    ifd1 = [_long(0x0201, o_thumb), _long(0x0202, len(thumbnail))]
    tiff = (
        b"MM\x00\x2a"
        + struct.pack(">I", o0)
        + _ifd(ifd0, o0, o1)
        + _ifd(exif_ifd, o_exif, 0)
        + _ifd(gps, o_gps, 0)
        + _ifd(ifd1, o1, 0)
        + thumbnail
    )
    return b"Exif\x00\x00" + tiff


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def xmp_payload() -> bytes:
    """An APP1 XMP packet with GPS and a person's name."""
    return (
        b"http://ns.adobe.com/xap/1.0/\x00"
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description '
        b'exif:GPSLatitude="51,30.44N" tiff:Make="SecretCam" dc:creator="Dr Private Person"/>'
        b"</rdf:RDF></x:xmpmeta>"
    )


def iptc_payload() -> bytes:
    """An APP13 Photoshop IRB with an IPTC city and by-line."""
    iptc = b"\x1c\x02\x5a" + struct.pack(">H", 13) + b"Hospital City"
    iptc += b"\x1c\x02\x50" + struct.pack(">H", 17) + b"Dr Private Person"
    block = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", len(iptc)) + iptc
    return b"Photoshop 3.0\x00" + block + b"\x00" * (len(iptc) % 2)


def two_colour(size: tuple[int, int] = (200, 100)) -> Image.Image:
    """Left half red, right half blue: lets a test see which way the image was turned."""
    im = Image.new("RGB", size, (220, 20, 20))
    im.paste((20, 20, 220), (size[0] // 2, 0, size[0], size[1]))
    return im


def jpeg_with_metadata(orientation: int = 6) -> bytes:
    """A JPEG carrying EXIF (GPS, maker note, thumbnail), XMP, IPTC, an ICC profile and a COM comment."""
    thumb_buf = io.BytesIO()
    Image.new("RGB", (16, 8), (1, 2, 3)).save(thumb_buf, "JPEG")
    thumb = thumb_buf.getvalue()
    thumb = thumb[:2] + _segment(0xFE, b"THUMBNAIL-MARK") + thumb[2:]
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    base = io.BytesIO()
    two_colour().save(base, "JPEG", quality=95, icc_profile=icc)
    raw = base.getvalue()
    extra = (
        _segment(0xE1, exif_with_everything(thumb, orientation))
        + _segment(0xE1, xmp_payload())
        + _segment(0xED, iptc_payload())
        + _segment(0xFE, b"Patient: Jane Doe, bed 12")
    )
    return raw[:2] + extra + raw[2:]


def jpeg_markers(data: bytes) -> list[int]:
    """Marker bytes of a JPEG's header segments, up to and including the first SOS."""
    assert data[:2] == b"\xff\xd8"
    pos, markers = 2, []
    while pos < len(data):
        assert data[pos] == 0xFF
        marker = data[pos + 1]
        markers.append(marker)
        if marker == 0xDA:
            break
        (length,) = struct.unpack_from(">H", data, pos + 2)
        pos += 2 + length
    return markers


# --------------------------------------------------------------------------- PNG


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    """One PNG chunk with a correct CRC."""
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_chunks(data: bytes) -> list[bytes]:
    """The chunk types of a PNG, in order."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, kinds = 8, []
    while pos < len(data):
        (length,) = struct.unpack_from(">I", data, pos)
        kinds.append(data[pos + 4 : pos + 8])
        pos += 12 + length
    return kinds


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A tiny PNG whose header declares an enormous canvas."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")
    )


# --------------------------------------------------------------------------- MP4


def box(kind: bytes, payload: bytes) -> bytes:
    """A plain ISO BMFF box."""
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def fullbox(kind: bytes, payload: bytes, version: int = 0, flags: int = 0) -> bytes:
    """A box with a version byte and 24-bit flags."""
    return box(kind, struct.pack(">I", (version << 24) | flags) + payload)


IDENTITY = (0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
ROTATE_90 = (0, 0x10000, 0, -0x10000, 0, 0, 0, 0, 0x40000000)


def _tkhd(track_id: int, width: int, height: int, matrix: tuple[int, ...]) -> bytes:
    body = struct.pack(">IIIII", 3_700_000_000, 3_700_000_001, track_id, 0, 1000)
    body += b"\x00" * 8 + struct.pack(">hhhH", 0, 0, 0, 0) + struct.pack(">9i", *matrix)
    body += struct.pack(">II", width << 16, height << 16)
    return fullbox(b"tkhd", body, flags=3)


def _stbl(fmt: bytes, sizes: list[int], chunk_offset: int) -> bytes:
    entry = box(fmt, b"\x00" * 6 + struct.pack(">H", 1) + b"\x00" * 16)
    return box(
        b"stbl",
        fullbox(b"stsd", struct.pack(">I", 1) + entry)
        + fullbox(b"stts", struct.pack(">III", 1, len(sizes), 100))
        + fullbox(b"stsc", struct.pack(">IIII", 1, 1, len(sizes), 1))
        + fullbox(b"stsz", struct.pack(">II", 0, len(sizes)) + b"".join(struct.pack(">I", s) for s in sizes))
        + fullbox(b"stco", struct.pack(">II", 1, chunk_offset)),
    )


def _trak(
    track_id: int,
    handler: bytes,
    fmt: bytes,
    sizes: list[int],
    offset: int,
    wh: tuple[int, int],
    matrix: tuple[int, ...],
) -> bytes:
    mdhd = fullbox(b"mdhd", struct.pack(">IIIIHH", 3_700_000_000, 3_700_000_001, 1000, 1000, 0x55C4, 0))
    hdlr = fullbox(b"hdlr", struct.pack(">I", 0) + handler + b"\x00" * 12 + b"Handler\x00")
    minf = box(b"minf", box(b"dinf", fullbox(b"dref", struct.pack(">I", 0))) + _stbl(fmt, sizes, offset))
    return box(b"trak", _tkhd(track_id, *wh, matrix) + box(b"mdia", mdhd + hdlr + minf))


def _qt_string(kind: bytes, text: bytes) -> bytes:
    return box(kind, struct.pack(">HH", len(text), 0x15C7) + text)


VIDEO_SAMPLES = [b"VIDEOFRAME1-" + b"\x11" * 40, b"VIDEOFRAME2-" + b"\x22" * 40]
GPS_SAMPLE = b"DEVC\x00GPS5" + GPS_TEXT + b"\x00" * 10


def mp4_with_gps(brand: bytes = b"isom", matrix: tuple[int, ...] = IDENTITY) -> tuple[bytes, int, int]:
    """An MP4: video track, GoPro-style GPS track, udta ©xyz/©mak/©mod, Apple meta, XMP uuid.

    Returns the file, the video track's stco offset and the GPS track's stco offset.
    """
    ftyp = box(b"ftyp", brand + struct.pack(">I", 0x200) + brand + b"iso2avc1mp41")
    xmp = box(
        b"uuid",
        XMP_UUID + b'<x:xmpmeta xmlns:xmp="http://ns.adobe.com/xap/1.0/">GPS 51,30.44N SecretCam</x:xmpmeta>',
    )
    udta = box(
        b"udta",
        _qt_string(b"\xa9xyz", GPS_TEXT)
        + _qt_string(b"\xa9mak", b"SecretMaker")
        + _qt_string(b"\xa9mod", b"SecretModel"),
    )
    keys = fullbox(b"keys", struct.pack(">I", 1) + box(b"mdta", b"com.apple.quicktime.location.ISO6709"))
    ilst = box(b"ilst", box(b"\x00\x00\x00\x01", box(b"data", struct.pack(">II", 1, 0) + GPS_TEXT)))
    meta = box(b"meta", fullbox(b"hdlr", b"\x00" * 4 + b"mdta" + b"\x00" * 12 + b"\x00") + keys + ilst)
    video_sizes = [len(s) for s in VIDEO_SAMPLES]

    def moov(video_at: int, gps_at: int) -> bytes:
        mvhd = fullbox(b"mvhd", struct.pack(">IIII", 3_700_000_000, 3_700_000_001, 1000, 1000) + b"\x00" * 80)
        video = _trak(1, b"vide", b"avc1", video_sizes, video_at, (640, 360), matrix)
        gps = _trak(2, b"meta", b"gpmd", [len(GPS_SAMPLE)], gps_at, (0, 0), IDENTITY)
        return box(b"moov", mvhd + video + gps + udta + meta)

    head_len = len(ftyp) + len(xmp) + len(moov(0, 0)) + 8
    video_at = head_len
    gps_at = head_len + sum(video_sizes)
    mdat = box(b"mdat", b"".join(VIDEO_SAMPLES) + GPS_SAMPLE)
    data = ftyp + xmp + moov(video_at, gps_at) + mdat
    assert data[video_at : video_at + 11] == b"VIDEOFRAME1"
    return data, video_at, gps_at


def top_level_types(data: bytes) -> list[bytes]:
    """Four-character types of the top-level boxes."""
    pos, kinds = 0, []
    while pos < len(data):
        size = struct.unpack_from(">I", data, pos)[0]
        kinds.append(data[pos + 4 : pos + 8])
        pos += size
    return kinds
