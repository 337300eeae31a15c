"""Pillow plumbing shared by sanitizing and fitting: sniffing, bounded decoding, clean re-encoding.

Every image that leaves this module was rebuilt from pixels with an empty `info` dict, so no EXIF,
XMP, IPTC, comments, text chunks, thumbnails or colour profiles can ride along: Pillow copies
`info` into the encoder options of GIF/PNG/JPEG writers, so clearing it is what keeps them out.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps, ImageSequence, UnidentifiedImageError

from server.media.errors import MediaRejected

MAX_PIXELS = 50_000_000
"""Largest canvas (width × height) we agree to decode."""
MAX_FRAMES = 500
"""Most frames an animation may have."""
MAX_ANIMATION_PIXELS = 150_000_000
"""Most pixels decoded across all frames of one animation (bounds memory and CPU)."""

# Pillow warns above MAX_IMAGE_PIXELS and refuses above twice that; we turn the warning into an error.
if Image.MAX_IMAGE_PIXELS is None or Image.MAX_IMAGE_PIXELS > MAX_PIXELS:
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS

SUPPORTED = ("JPEG", "PNG", "GIF", "WEBP")
MIME = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
FORMAT_OF_MIME = {mime: fmt for fmt, mime in MIME.items()}
_KEEP_MODES = {
    "PNG": ("1", "L", "LA", "RGB", "RGBA", "P", "I;16"),
    "GIF": ("P", "L"),
    "WEBP": ("RGB", "RGBA"),
}

SHORT = {
    "JPEG": "JPEG",
    "PNG": "PNG",
    "GIF": "GIF",
    "WEBP": "WebP",
    "BMP": "BMP",
    "TIFF": "TIFF",
    "HEIC": "HEIC",
    "AVIF": "AVIF",
    "PDF": "PDF",
    "MP4": "MP4",
    "MOV": "QuickTime MOV",
    "WEBM": "WebM",
    "AVI": "AVI",
    "ICO": "ICO",
    "SVG": "SVG",
}
NOUN = {
    "JPEG": "a JPEG image",
    "PNG": "a PNG image",
    "GIF": "a GIF image",
    "WEBP": "a WebP image",
    "BMP": "a BMP image",
    "TIFF": "a TIFF image",
    "HEIC": "a HEIC image",
    "AVIF": "an AVIF image",
    "PDF": "a PDF document",
    "MP4": "an MP4 video",
    "MOV": "a QuickTime (MOV) video",
    "WEBM": "a WebM video",
    "AVI": "an AVI video",
    "ICO": "an icon file",
    "SVG": "an SVG drawing",
}
EXTENSIONS = {
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".jpe": "JPEG",
    ".jfif": "JPEG",
    ".png": "PNG",
    ".gif": "GIF",
    ".webp": "WEBP",
    ".bmp": "BMP",
    ".tif": "TIFF",
    ".tiff": "TIFF",
    ".heic": "HEIC",
    ".heif": "HEIC",
    ".avif": "AVIF",
    ".pdf": "PDF",
    ".mp4": "MP4",
    ".m4v": "MP4",
    ".mov": "MOV",
    ".qt": "MOV",
    ".webm": "WEBM",
    ".avi": "AVI",
    ".ico": "ICO",
    ".svg": "SVG",
}
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1"}


def display_name(declared_name: str) -> str:
    """The last path component of a user-supplied name, printable and short, for messages."""
    base = declared_name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    if len(base) > 80:
        base = base[:77] + "…"
    return base or "the file"


def extension_label(declared_name: str) -> tuple[str, str | None]:
    """The lower-case extension of a name and the format it claims (None when unknown)."""
    base = declared_name.replace("\\", "/").rsplit("/", 1)[-1].lower()
    ext = "." + base.rsplit(".", 1)[1] if "." in base else ""
    return ext, EXTENSIONS.get(ext)


def sniff(data: bytes) -> str | None:
    """Identify a file's real format from its first bytes (None when unrecognised)."""
    head = data[:64]
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "AVI"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _HEIF_BRANDS:
            return "HEIC"
        if brand in (b"avif", b"avis"):
            return "AVIF"
        return "MOV" if brand == b"qt  " else "MP4"
    if head[4:8] in (b"moov", b"mdat", b"wide", b"free", b"skip"):
        return "MOV"
    if head[:2] == b"BM":
        return "BMP"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "TIFF"
    if head.startswith(b"%PDF"):
        return "PDF"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "WEBM"
    if head.startswith(b"\x00\x00\x01\x00"):
        return "ICO"
    if head.lstrip().startswith((b"<svg", b"<?xml")):
        return "SVG"
    return None


def looks_truncated(data: bytes, fmt: str) -> bool:
    """Whether a container's own framing says the file was cut short (missing IEND, short RIFF)."""
    if fmt == "PNG":
        return b"IEND\xaeB`\x82" not in data
    if fmt == "WEBP":
        return len(data) < 12 or int.from_bytes(data[4:8], "little") + 8 > len(data)
    if fmt == "JPEG":
        return b"\xff\xd9" not in data[2:]
    return False


@dataclass(frozen=True)
class Frame:
    """One clean frame of an image and how long it shows, in milliseconds."""

    image: Image.Image
    duration: int = 0


@dataclass(frozen=True)
class Decoded:
    """A decoded image: its frames (one unless animated), canvas size and animation loop count."""

    format: str
    frames: list[Frame]
    loop: int = 0

    @property
    def size(self) -> tuple[int, int]:
        """Canvas width and height."""
        return self.frames[0].image.size

    @property
    def has_alpha(self) -> bool:
        """Whether any frame may be transparent."""
        return any(
            f.image.mode in ("RGBA", "LA", "PA") or "transparency" in f.image.info for f in self.frames
        )


def _too_large(name: str, width: int, height: int) -> MediaRejected:
    megapixels = width * height / 1_000_000
    return MediaRejected(
        f"{name} is too large to decode safely ({width}×{height} pixels, {megapixels:,.0f} megapixels; "
        f"the limit is {MAX_PIXELS // 1_000_000} megapixels)"
    )


def _broken(name: str, fmt: str, exc: BaseException) -> MediaRejected:
    text = str(exc).lower()
    if isinstance(exc, EOFError) or any(w in text for w in ("truncated", "broken", "end of file", "eof")):
        return MediaRejected(f"{name} is truncated (the file ends before the image does)")
    return MediaRejected(f"{name} is damaged and cannot be read as {NOUN.get(fmt, 'an image')}")


@contextmanager
def guarded(name: str, fmt: str) -> Iterator[None]:
    """Turn Pillow's decoding failures, including decompression-bomb warnings, into MediaRejected."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # Pillow's chatter about malformed EXIF tags
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    except MediaRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise MediaRejected(f"{name} is too large to decode safely ({exc})") from exc
    except UnidentifiedImageError as exc:
        raise MediaRejected(f"{name} is damaged and cannot be read as {NOUN.get(fmt, 'an image')}") from exc
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, MemoryError) as exc:
        raise _broken(name, fmt, exc) from exc
    except Exception as exc:  # any other decoder failure on hostile input: refuse the file, never crash
        raise MediaRejected(f"{name} is damaged and cannot be read as {NOUN.get(fmt, 'an image')}") from exc


def _to_srgb(im: Image.Image) -> Image.Image:
    """Convert pixels from an embedded ICC profile to sRGB so the profile itself can be dropped."""
    icc = im.info.get("icc_profile")
    target = {"CMYK": "RGB", "RGB": "RGB", "RGBA": "RGBA"}.get(im.mode)
    if icc and target:
        try:
            src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(im, src, ImageCms.createProfile("sRGB"), outputMode=target)
            if converted is not None:
                return converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass
    return im


def clean(im: Image.Image, fmt: str, animated: bool) -> Image.Image:
    """Copy `im` into a mode `fmt` can store, keeping only pixels (and palette transparency)."""
    im = _to_srgb(im)
    transparency = im.info.get("transparency")
    if animated:
        out = im.convert("RGBA")
    elif fmt == "JPEG":
        out = im.convert("L") if im.mode in ("1", "L", "I;16", "I") else im.convert("RGB")
    elif im.mode in _KEEP_MODES.get(fmt, ()):
        out = im.copy()
    else:
        has_alpha = "A" in im.getbands() or transparency is not None
        out = im.convert("RGBA" if has_alpha else "RGB")
    out.info = {}
    if out.mode in ("P", "L", "1", "RGB") and transparency is not None and out.mode == im.mode:
        out.info["transparency"] = transparency
    return out


def decode(data: bytes, fmt: str, name: str) -> Decoded:
    """Decode every frame of `data` (known to be `fmt`) within the pixel budget, EXIF orientation applied."""
    with guarded(name, fmt):
        if fmt == "PNG":
            with Image.open(io.BytesIO(data), formats=[fmt]) as probe:
                if probe.width * probe.height > MAX_PIXELS:
                    raise _too_large(name, probe.width, probe.height)
                probe.verify()  # chunk CRCs and structure up to IEND
        im = Image.open(io.BytesIO(data), formats=[fmt])
        width, height = im.size
        if width <= 0 or height <= 0:
            raise MediaRejected(f"{name} is damaged (it has no pixels)")
        if width * height > MAX_PIXELS:
            raise _too_large(name, width, height)
        loop = int(im.info.get("loop", 0) or 0)
        frames: list[Frame] = []
        if fmt == "JPEG" or not getattr(im, "is_animated", False):
            im.load()
            upright = ImageOps.exif_transpose(im)
            frames.append(Frame(clean(upright, fmt, animated=False)))
            return Decoded(fmt, frames, loop)
        decoded_pixels = 0
        for index, frame in enumerate(ImageSequence.Iterator(im)):
            if index >= MAX_FRAMES:
                raise MediaRejected(f"{name} has too many frames (more than {MAX_FRAMES})")
            decoded_pixels += width * height
            if decoded_pixels > MAX_ANIMATION_PIXELS:
                raise MediaRejected(
                    f"{name} is too large to decode safely (animation of {width}×{height} pixels with more "
                    f"than {index} frames)"
                )
            frame.load()
            duration = int(frame.info.get("duration", 0) or 0)
            frames.append(Frame(clean(frame, fmt, animated=True), duration))
        return Decoded(fmt, frames, loop)


def encode(decoded: Decoded, fmt: str, quality: int = 90) -> bytes:
    """Write clean frames as `fmt`; nothing but pixels, timing and loop count is written."""
    buf = io.BytesIO()
    first = decoded.frames[0].image
    if fmt == "JPEG" and first.mode not in ("L", "RGB"):
        first = first.convert("RGB")
    if len(decoded.frames) > 1 and fmt in ("GIF", "WEBP", "PNG"):
        rest = [f.image for f in decoded.frames[1:]]
        durations = [max(f.duration, 0) for f in decoded.frames]
        options: dict[str, object] = {"save_all": True, "append_images": rest, "duration": durations}
        options["loop"] = decoded.loop
        if fmt == "GIF":
            options["disposal"] = 2
        elif fmt == "PNG":
            options.update(disposal=1, blend=0)
        else:
            options["quality"] = quality
        first.save(buf, fmt, **options)
    elif fmt == "JPEG":
        first.save(buf, "JPEG", quality=quality, optimize=True)
    elif fmt == "WEBP":
        first.save(buf, "WEBP", quality=quality, method=4)
    elif fmt == "PNG":
        first.save(buf, "PNG", compress_level=6)
    else:
        first.save(buf, fmt)
    return buf.getvalue()


def resized(decoded: Decoded, size: tuple[int, int]) -> Decoded:
    """Scale every frame to `size` with a high-quality filter."""
    frames: list[Frame] = []
    for frame in decoded.frames:
        im = frame.image
        if im.mode in ("P", "1", "I;16"):
            im = im.convert("RGBA" if "transparency" in im.info else "RGB")
        small = im.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        small.info = {}
        frames.append(Frame(small, frame.duration))
    return Decoded(decoded.format, frames, decoded.loop)
