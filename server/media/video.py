"""MP4/MOV (ISO BMFF) sanitizing without ffmpeg: validate the box tree, blank identifying metadata in place.

Metadata boxes are turned into `free` boxes with zeroed payloads, so the file keeps its length and every
chunk offset (`stco`/`co64`) stays valid. Timed metadata tracks (GoPro GPS `gpmd`, camera motion `camm`,
Apple `mebx`, any `meta`-handler track) have their samples zeroed in `mdat` and their `trak` blanked.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass, field

from server.media._imaging import NOUN, SHORT, display_name, extension_label, sniff
from server.media.errors import MediaRejected
from server.media.types import SanitizedMedia

VIDEO_EXTENSIONS = {".mp4": "MP4", ".m4v": "MP4", ".mov": "MOV", ".qt": "MOV"}
VIDEO_MIME = {"MP4": "video/mp4", "MOV": "video/quicktime"}

MAX_DEPTH = 12
MAX_SAMPLES = 5_000_000
CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf", b"mvex"}
NEUTRALISE = {
    b"udta",
    b"meta",
    b"uuid",
    b"XMP_",
    b"loci",
    b"Xtra",
    b"\xa9xyz",
    b"\xa9mak",
    b"\xa9mod",
    b"\xa9swr",
    b"\xa9day",
    b"pnot",
    b"PICT",
    b"thum",
    b"CNTH",
    b"CNCV",
    b"CNMN",
    b"NCDT",
}
BLANK_PAYLOAD = {b"free", b"skip", b"wide"}
TOP_LEVEL_KEEP = {
    b"ftyp",
    b"moov",
    b"mdat",
    b"pdin",
    b"styp",
    b"sidx",
    b"ssix",
    b"moof",
    b"mfra",
    b"emsg",
    b"prft",
} | BLANK_PAYLOAD
TIMESTAMPED = {b"mvhd", b"tkhd", b"mdhd"}
METADATA_SAMPLE_FORMATS = {b"gpmd", b"camm", b"mebx", b"rtmd", b"mett", b"metx", b"urim"}
_IMAGE_BRANDS = {b"heic", b"heix", b"hevc", b"mif1", b"msf1", b"avif", b"avis"}


@dataclass(frozen=True)
class Box:
    """One box: its four-character type and byte range in the file."""

    type: bytes
    start: int
    header: int
    end: int

    @property
    def payload(self) -> int:
        """Offset of the first payload byte."""
        return self.start + self.header


@dataclass
class _State:
    name: str
    width: int = 0
    height: int = 0
    chunk_offsets: list[int] = field(default_factory=list)
    fragmented: bool = False


def _u32(buf: bytearray, pos: int) -> int:
    return int(struct.unpack_from(">I", buf, pos)[0])


def _u64(buf: bytearray, pos: int) -> int:
    return int(struct.unpack_from(">Q", buf, pos)[0])


def parse_boxes(buf: bytearray, start: int, end: int, name: str, top: bool = False) -> list[Box]:
    """Split buf[start:end] into boxes, rejecting sizes that overrun (truncated) or are malformed."""
    boxes: list[Box] = []
    pos = start
    while pos < end:
        if end - pos < 8:
            raise _cut(name, top)
        size, kind, header = _u32(buf, pos), bytes(buf[pos + 4 : pos + 8]), 8
        if size == 1:
            if end - pos < 16:
                raise _cut(name, top)
            size, header = _u64(buf, pos + 8), 16
        elif size == 0:
            size = end - pos
        if kind == b"uuid":
            header += 16
        if size < header:
            raise MediaRejected(f"{name} is damaged (a {kind!r} box has an impossible size)")
        if pos + size > end:
            raise _cut(name, top)
        boxes.append(Box(kind, pos, header, pos + size))
        pos += size
    return boxes


def _cut(name: str, top: bool) -> MediaRejected:
    if top:
        return MediaRejected(f"{name} is truncated (the file ends in the middle of a box)")
    return MediaRejected(f"{name} is damaged (a box overruns the box that contains it)")


def _blank(buf: bytearray, box: Box, retype: bool = True) -> None:
    """Zero the payload (after size and type, and the 64-bit size if any) and, if asked, rename to `free`."""
    keep = 16 if _u32(buf, box.start) == 1 else 8
    if retype:
        buf[box.start + 4 : box.start + 8] = b"free"
    buf[box.start + keep : box.end] = bytes(box.end - box.start - keep)


def _fullbox_payload(buf: bytearray, box: Box, need: int, name: str) -> int:
    if box.end - box.payload < need:
        raise MediaRejected(f"{name} is damaged (the {box.type.decode('latin-1')} box is too short)")
    return box.payload


def _zero_times(buf: bytearray, box: Box, name: str) -> None:
    pos = _fullbox_payload(buf, box, 20, name)
    if buf[pos] == 1:
        _fullbox_payload(buf, box, 28, name)
        buf[pos + 4 : pos + 20] = bytes(16)
    else:
        buf[pos + 4 : pos + 12] = bytes(8)


def _track_size(buf: bytearray, box: Box, state: _State) -> None:
    pos = box.payload
    base = pos + (32 if buf[pos] == 1 else 24) + 16
    if box.end < base + 44 or state.width:
        return
    a, b = struct.unpack_from(">ii", buf, base)
    width, height = _u32(buf, base + 36) >> 16, _u32(buf, base + 40) >> 16
    if width and height:
        if a == 0 and abs(b) == 0x10000:
            width, height = height, width
        state.width, state.height = width, height


def _chunk_offsets(buf: bytearray, box: Box, name: str) -> list[int]:
    pos = _fullbox_payload(buf, box, 8, name)
    count, wide = _u32(buf, pos + 4), box.type == b"co64"
    step = 8 if wide else 4
    if count * step > box.end - pos - 8:
        raise MediaRejected(f"{name} is damaged (its chunk offset table is cut short)")
    fmt = f">{count}{'Q' if wide else 'I'}"
    return [int(v) for v in struct.unpack_from(fmt, buf, pos + 8)]


def _find(buf: bytearray, box: Box, path: list[bytes], name: str) -> Box | None:
    """First descendant of `box` reached by following box types along `path`."""
    current = box
    for kind in path:
        children = parse_boxes(buf, current.payload, current.end, name)
        found = next((c for c in children if c.type == kind), None)
        if found is None:
            return None
        current = found
    return current


def _is_metadata_track(buf: bytearray, trak: Box, name: str) -> bool:
    hdlr = _find(buf, trak, [b"mdia", b"hdlr"], name)
    if (
        hdlr is not None
        and hdlr.end - hdlr.payload >= 12
        and buf[hdlr.payload + 8 : hdlr.payload + 12] == b"meta"
    ):
        return True
    stsd = _find(buf, trak, [b"mdia", b"minf", b"stbl", b"stsd"], name)
    if stsd is None or stsd.end - stsd.payload < 16:
        return False
    return bytes(buf[stsd.payload + 12 : stsd.payload + 16]) in METADATA_SAMPLE_FORMATS


def _zero_track_samples(buf: bytearray, trak: Box, state: _State) -> None:
    """Zero every sample a track points at in `mdat`, using its stsz/stsc/stco tables."""
    name = state.name
    stbl = _find(buf, trak, [b"mdia", b"minf", b"stbl"], name)
    if stbl is None:
        return
    tables = {b.type: b for b in parse_boxes(buf, stbl.payload, stbl.end, name)}
    stsz, stsc = tables.get(b"stsz"), tables.get(b"stsc")
    offsets_box = tables.get(b"stco") or tables.get(b"co64")
    if stsz is None or stsc is None or offsets_box is None:
        if b"stz2" in tables or state.fragmented:
            raise MediaRejected(
                f"{name} contains a sensor/location metadata track that cannot be removed safely"
            )
        return
    offsets = _chunk_offsets(buf, offsets_box, name)
    pos = _fullbox_payload(buf, stsz, 12, name)
    fixed, count = _u32(buf, pos + 4), _u32(buf, pos + 8)
    if count > MAX_SAMPLES:
        raise MediaRejected(f"{name} has an implausible number of metadata samples")
    if not fixed and count * 4 > stsz.end - pos - 12:
        raise MediaRejected(f"{name} is damaged (its sample size table is cut short)")
    sizes = [fixed] * count if fixed else list(struct.unpack_from(f">{count}I", buf, pos + 12))
    pos = _fullbox_payload(buf, stsc, 8, name)
    runs = _u32(buf, pos + 4)
    if runs * 12 > stsc.end - pos - 8:
        raise MediaRejected(f"{name} is damaged (its sample-to-chunk table is cut short)")
    entries = [struct.unpack_from(">III", buf, pos + 8 + 12 * i) for i in range(runs)]
    sample = 0
    for i, (first, per_chunk, _desc) in enumerate(entries):
        last = entries[i + 1][0] - 1 if i + 1 < len(entries) else len(offsets)
        for chunk in range(first, last + 1):
            if not 1 <= chunk <= len(offsets):
                break
            cursor = offsets[chunk - 1]
            for _ in range(per_chunk):
                if sample >= len(sizes):
                    return
                end = min(cursor + sizes[sample], len(buf))
                if cursor < end:
                    buf[cursor:end] = bytes(end - cursor)
                cursor, sample = cursor + sizes[sample], sample + 1


def _walk(buf: bytearray, boxes: list[Box], depth: int, state: _State) -> None:
    if depth > MAX_DEPTH:
        raise MediaRejected(f"{state.name} is damaged (its boxes are nested too deeply)")
    for box in boxes:
        if box.type in NEUTRALISE:
            _blank(buf, box)
        elif box.type in BLANK_PAYLOAD:
            _blank(buf, box, retype=False)
        elif box.type == b"trak" and _is_metadata_track(buf, box, state.name):
            _zero_track_samples(buf, box, state)
            _blank(buf, box)
        elif box.type in CONTAINERS:
            _walk(buf, parse_boxes(buf, box.payload, box.end, state.name), depth + 1, state)
        elif box.type in TIMESTAMPED:
            _zero_times(buf, box, state.name)
            if box.type == b"tkhd":
                _track_size(buf, box, state)
        elif box.type in (b"stco", b"co64"):
            state.chunk_offsets.extend(_chunk_offsets(buf, box, state.name))
        elif box.type == b"cmov":
            raise MediaRejected(f"{state.name} uses a compressed movie header, which is not supported")


def _real_kind(buf: bytearray, first: Box, name: str) -> str:
    if first.type != b"ftyp" or first.end - first.payload < 8:
        raise MediaRejected(f"{name} is not a valid MP4/MOV video (it does not start with a file-type box)")
    major = bytes(buf[first.payload : first.payload + 4])
    brands = {major} | {bytes(buf[p : p + 4]) for p in range(first.payload + 8, first.end - 3, 4)}
    if major in _IMAGE_BRANDS:
        raise MediaRejected(f"{name} is a still image in a video container (HEIC/AVIF), not a video")
    return "MOV" if major == b"qt  " or brands == {b"qt  "} else "MP4"


def sanitize_video(data: bytes, declared_name: str) -> SanitizedMedia:
    """Validate an MP4/MOV file and blank metadata that could identify the device, place or time."""
    name = display_name(declared_name)
    ext, _ = extension_label(declared_name)
    expected = VIDEO_EXTENSIONS.get(ext)
    if expected is None:
        raise MediaRejected(f"{name} does not have a video extension (expected .mp4, .m4v or .mov)")
    if not data:
        raise MediaRejected(f"{name} is empty")
    sniffed = sniff(data)
    if sniffed not in ("MP4", "MOV", "HEIC", "AVIF"):
        found = SHORT.get(sniffed or "", "not a recognised format")
        raise MediaRejected(f"{name} is not {NOUN[expected]} (it is {found})")
    buf = bytearray(data)
    top = parse_boxes(buf, 0, len(buf), name, top=True)
    real = _real_kind(buf, top[0], name)
    if real != expected:
        raise MediaRejected(f"{name} is not {NOUN[expected]} (it is {SHORT[real]})")
    if not any(b.type == b"moov" for b in top):
        raise MediaRejected(f"{name} has no movie header (moov box); the recording may be incomplete")
    state = _State(name=name, fragmented=any(b.type == b"moof" for b in top))
    for box in top[1:]:
        if box.type not in TOP_LEVEL_KEEP:
            _blank(buf, box)
    _walk(buf, [b for b in top if b.type in TOP_LEVEL_KEEP and b.type != b"ftyp"], 0, state)
    if any(offset >= len(buf) for offset in state.chunk_offsets):
        raise MediaRejected(f"{name} is truncated (its media data points past the end of the file)")
    out = bytes(buf)
    return SanitizedMedia(
        data=out,
        mime_type=VIDEO_MIME[real],
        width=state.width,
        height=state.height,
        sha256=hashlib.sha256(out).hexdigest(),
        kind="video",
    )
