"""The composer's character counters (console_ui/js/lib/textcount.js) agree with the server's rules."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from server.textrules import text_length

pytestmark = pytest.mark.slow

SAMPLES = [
    "The team is scrubbing in. #LiveOR",
    "Read more at https://example.org/heart-surgery?step=3 and www.example.com/faq.",
    "Details: example.com/path, stmarys.ca and https://t.co/abc.",
    "Thank you ❤️ 👩‍⚕️👨🏽‍⚕️ 🇨🇦 #️⃣ 1️⃣ ©️ © ™",
    "心臓バイパス手術のライブ中継です。",
    "Café, naïve, Zürich — “quotes” … and dashes – fine",
    "Ask @drsmith@med.social or @team about it",
    "e\u0301 combining, 🏳️‍🌈 flag, 🏴󠁧󠁢󠁳󠁣󠁴󠁿 Scotland",
    "x" * 290,
    "",
]
PLATFORMS = ["x", "mastodon", "bluesky", "sandbox"]


def test_browser_counts_match_the_server(open_page: Callable[..., Any]) -> None:
    page = open_page("/login")
    counted = page.evaluate(
        """async ([samples, platforms]) => {
            const { count } = await import('/ui/js/lib/textcount.js');
            return samples.map((s) => platforms.map((p) => count(p, s).length));
        }""",
        [SAMPLES, PLATFORMS],
    )
    expected = [[text_length(p, s) for p in PLATFORMS] for s in SAMPLES]
    mismatches = [(s, PLATFORMS[i], got[i], want[i]) for s, got, want in zip(SAMPLES, counted, expected, strict=True)
                  for i in range(len(PLATFORMS)) if got[i] != want[i]]
    assert mismatches == []


# The preview does not check domain-label lengths or punycode; the server (and its text_lengths) does.
PREVIEW_APPROXIMATIONS = {
    "Handle long url with invalid domain labels and short url",
    "Handle a 64 character domain without protocol",
    "Do not allow > 140 CJK characters by virtue of CJK chars greater than 63 punycode encoded chars in the host",
}


def test_x_counter_passes_twitter_texts_conformance_vectors(open_page: Callable[..., Any], shared_dir: Path) -> None:
    vectors = shared_dir / "contracts" / "twitter-text" / "validate.yml"
    assert vectors.exists(), f"{vectors} is missing: shared/ must sit beside the checkout"
    cases = yaml.safe_load(vectors.read_text())["tests"]["WeightedTweetsWithDiscountedEmojiCounterTest"]
    page = open_page("/login")
    counted = page.evaluate(
        """async (texts) => {
            const { xLength } = await import('/ui/js/lib/textcount.js');
            return texts.map(xLength);
        }""",
        [c["text"] for c in cases],
    )
    wrong = [(c["description"], c["expected"]["weightedLength"], got) for c, got in zip(cases, counted, strict=True)
             if got != c["expected"]["weightedLength"] and c["description"] not in PREVIEW_APPROXIMATIONS]
    assert wrong == []
