"""placeholder_image: a clean PNG with readable text, for demo schedules."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from server.media import placeholder_image, sanitize_image
from tests.media import builders


def test_default_placeholder_is_a_clean_png() -> None:
    data = placeholder_image("Live from theatre 3")
    assert set(builders.png_chunks(data)) == {b"IHDR", b"IDAT", b"IEND"}
    with Image.open(io.BytesIO(data)) as im:
        assert im.format == "PNG"
        assert im.size == (1200, 675)
        assert im.mode == "RGB"
        colours = im.getcolors(maxcolors=1_000_000)
        assert colours is not None
        assert len(colours) > 20  # gradient + antialiased text, not a flat fill
        assert max(count for count, _ in colours) < 1200 * 675 // 2


def test_custom_size_colour_and_long_text() -> None:
    text = "A deliberately long caption that has to wrap over several lines to fit " * 3
    data = placeholder_image(text, width=400, height=400, color=(240, 230, 200))
    with Image.open(io.BytesIO(data)) as im:
        assert im.size == (400, 400)
        darkest, _ = im.convert("L").getextrema()
        assert isinstance(darkest, int)
        assert darkest < 80  # dark ink chosen on a light background


def test_placeholder_passes_sanitizing() -> None:
    media = sanitize_image(placeholder_image("Demo"), "demo.png")
    assert (media.width, media.height) == (1200, 675)


@pytest.mark.parametrize(("w", "h"), [(0, 10), (10, 0), (5000, 10)])
def test_bad_sizes(w: int, h: int) -> None:
    with pytest.raises(ValueError, match="between"):
        placeholder_image("x", width=w, height=h)
