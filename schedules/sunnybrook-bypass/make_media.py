"""Draw the demo schedule's placeholder images (abstract, no people): run once, commit the PNGs."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

SIZE = (1200, 675)
MAX_BYTES = 100_000
HERE = Path(__file__).resolve().parent

# (file name, background colour, accent colour, caption lines)
IMAGES: list[tuple[str, str, str, list[str]]] = [
    ("or-prepared.png", "#0f4c5c", "#5fa8d3", ["Operating room", "prepared for surgery"]),
    ("team-briefing.png", "#1b4332", "#74c69d", ["Team briefing", "surgical safety checklist"]),
    ("mammary-artery.png", "#6a040f", "#f48c06", ["Internal mammary artery", "diagram"]),
    ("leg-vein.png", "#3c096c", "#c77dff", ["Saphenous vein", "taken from the leg"]),
    ("heart-lung-machine.png", "#003049", "#fcbf49", ["Heart-lung machine", "ready for bypass"]),
    ("grafts-diagram.png", "#370617", "#e85d04", ["Three bypass grafts", "diagram"]),
    ("cardiac-icu.png", "#14213d", "#8ecae6", ["Cardiac ICU", "bed ready"]),
    ("thank-you.png", "#2b2d42", "#ef233c", ["Thank you", "for following #SBLiveOR"]),
]


def draw(background: str, accent: str, lines: list[str]) -> Image.Image:
    """One placeholder: a flat background, soft abstract circles and large centred text."""
    image = Image.new("RGB", SIZE, background)
    pen = ImageDraw.Draw(image)
    for cx, cy, r in ((160, 120, 220), (1050, 560, 260), (980, 90, 90)):
        pen.ellipse((cx - r, cy - r, cx + r, cy + r), outline=accent, width=14)
    big = ImageFont.load_default(size=84)
    small = ImageFont.load_default(size=52)
    fonts = [big, *[small] * (len(lines) - 1)]
    pairs = list(zip(lines, fonts, strict=True))
    heights: list[float] = [pen.textbbox((0, 0), text, font=font)[3] for text, font in pairs]
    y: float = (SIZE[1] - sum(heights) - 30 * (len(lines) - 1)) // 2
    for text, font, height in zip(lines, fonts, heights, strict=True):
        width = pen.textlength(text, font=font)
        pen.text(((SIZE[0] - width) / 2, y), text, fill="white", font=font)
        y += height + 30
    note = ImageFont.load_default(size=26)
    pen.text((24, SIZE[1] - 44), "Illustration - placeholder", fill=accent, font=note)
    return image


def main() -> None:
    """Write every placeholder PNG into media/, checking each stays under MAX_BYTES."""
    out = HERE / "media"
    out.mkdir(exist_ok=True)
    for name, background, accent, lines in IMAGES:
        path = out / name
        draw(background, accent, lines).save(path, optimize=True)
        size = path.stat().st_size
        if size >= MAX_BYTES:
            raise SystemExit(f"{name} is {size} bytes, over {MAX_BYTES}")


if __name__ == "__main__":
    main()
