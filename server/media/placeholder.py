"""Placeholder images for demo schedules: a calm gradient with large centred text, never a real photo."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

DEFAULT_COLOR = (31, 78, 121)
MAX_SIDE = 4096
# Pillow's built-in font covers basic Latin; map typographic punctuation it lacks to plain equivalents.
_PLAIN = str.maketrans(
    {
        "\u2014": "-",
        "\u2013": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2026": "...",
        "\u00a0": " ",
        "\u2022": "-",
    }
)


def _wrap(
    draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, max_width: int
) -> list[str]:
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        current = ""
        for word in paragraph.split():
            trial = f"{current} {word}".strip()
            if not current or draw.textlength(trial, font=font) <= max_width:
                current = trial
            else:
                lines.append(current)
                current = word
        lines.append(current)
    return lines


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def placeholder_image(
    text: str,
    width: int = 1200,
    height: int = 675,
    color: tuple[int, int, int] = DEFAULT_COLOR,
) -> bytes:
    """Render `text` large and centred on a vertical gradient of `color`, as PNG bytes without metadata."""
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
        raise ValueError(f"placeholder size must be between 1 and {MAX_SIDE} pixels per side")
    r, g, b = (max(0, min(255, int(c))) for c in color)
    top = (min(255, r + 40), min(255, g + 40), min(255, b + 40))
    bottom = (r * 3 // 5, g * 3 // 5, b * 3 // 5)
    ramp = Image.linear_gradient("L").resize((width, height))
    image = Image.composite(
        Image.new("RGB", (width, height), bottom), Image.new("RGB", (width, height), top), ramp
    )
    draw = ImageDraw.Draw(image)
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    ink = (255, 255, 255) if luminance < 150 else (20, 24, 28)
    box_w, box_h = int(width * 0.86), int(height * 0.8)
    size = max(10, height // 5)
    while True:
        font = _font(size)
        lines = _wrap(draw, text.translate(_PLAIN), font, box_w)
        block = "\n".join(lines)
        spacing = size // 4
        left, upper, right, lower = draw.multiline_textbbox(
            (0, 0), block, font=font, spacing=spacing, align="center"
        )
        if (right - left <= box_w and lower - upper <= box_h) or size <= 10:
            break
        size = max(10, int(size * 0.9))
    x = (width - (right - left)) / 2 - left
    y = (height - (lower - upper)) / 2 - upper
    if ink == (255, 255, 255):  # a soft drop shadow lifts light text off the gradient
        shadow = tuple(max(0, c - 60) for c in bottom)
        offset = max(1, size // 30)
        draw.multiline_text(
            (x + offset, y + offset), block, font=font, fill=shadow, spacing=spacing, align="center"
        )
    draw.multiline_text((x, y), block, font=font, fill=ink, spacing=spacing, align="center")
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()
