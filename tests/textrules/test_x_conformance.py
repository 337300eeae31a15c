"""twitter-text's own conformance vectors (shared/contracts/twitter-text/validate.yml), run one by one.

Counter groups and the configuration each is written for (as in twitter-text's own test runners):
- `WeightedTweetsWithDiscountedEmojiCounterTest`: config v3, what X uses today (emoji count 2).
- `UnicodeDirectionalMarkerCounterTest`: the default config (v3).
- `WeightedTweetsCounterTest`: config v2 (emoji weighed code point by code point, so a family emoji is 11);
  run with `CONFIG_V2` to check the weighting and URL rules without emoji discount.
- `urls_without_protocol`: each text must count as exactly one URL (23).
Not applicable: `tweets` (the old 140-character validator), `usernames`, `lists`, `hashtags` and `urls`
(validators of a single entity, not counting rules).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from server.textrules.twitter import (
    CONFIG_V2,
    CONFIG_V3,
    TwitterTextConfig,
    parse_tweet,
    x_is_valid,
    x_weighted_length,
)
from tests.textrules.shared import TWITTER_TEXT_DIR

_VALIDATE = TWITTER_TEXT_DIR / "validate.yml"
if not _VALIDATE.is_file():
    raise FileNotFoundError(f"{_VALIDATE} not found: set LIVECUE_SHARED_DIR to the shared/ directory")
_TESTS: dict[str, list[dict[str, Any]]] = yaml.safe_load(_VALIDATE.read_text("utf-8"))["tests"]

_COUNTER_GROUPS: dict[str, TwitterTextConfig] = {
    "WeightedTweetsWithDiscountedEmojiCounterTest": CONFIG_V3,
    "UnicodeDirectionalMarkerCounterTest": CONFIG_V3,
    "WeightedTweetsCounterTest": CONFIG_V2,
}


def _cases(group: str) -> list[Any]:
    return [
        pytest.param(case, id=f"{i:02d}-{case['description'][:60]}") for i, case in enumerate(_TESTS[group])
    ]


def _as_twitter_text(text: str, config: TwitterTextConfig) -> dict[str, Any]:
    r = parse_tweet(text, config)
    return {
        "weightedLength": r.weighted_length,
        "valid": r.valid,
        "permillage": r.permillage,
        "displayRangeStart": r.display_range_start,
        "displayRangeEnd": r.display_range_end,
        "validRangeStart": r.valid_range_start,
        "validRangeEnd": r.valid_range_end,
    }


@pytest.mark.parametrize("case", _cases("WeightedTweetsWithDiscountedEmojiCounterTest"))
def test_v3_weighted_counter(case: dict[str, Any]) -> None:
    assert _as_twitter_text(case["text"], CONFIG_V3) == case["expected"]
    assert x_weighted_length(case["text"]) == case["expected"]["weightedLength"]
    assert x_is_valid(case["text"]) is case["expected"]["valid"]


@pytest.mark.parametrize("case", _cases("UnicodeDirectionalMarkerCounterTest"))
def test_v3_directional_markers(case: dict[str, Any]) -> None:
    assert _as_twitter_text(case["text"], CONFIG_V3) == case["expected"]


@pytest.mark.parametrize("case", _cases("WeightedTweetsCounterTest"))
def test_v2_weighted_counter(case: dict[str, Any]) -> None:
    assert _as_twitter_text(case["text"], CONFIG_V2) == case["expected"]


@pytest.mark.parametrize("case", _cases("urls_without_protocol"))
def test_url_without_protocol_counts_as_one_url(case: dict[str, Any]) -> None:
    assert x_weighted_length(case["text"]) == CONFIG_V3.transformed_url_length


def test_every_counter_group_is_run() -> None:
    counters = {name for name in _TESTS if name.endswith("CounterTest")}
    assert counters == set(_COUNTER_GROUPS)
    assert all(_TESTS[name] for name in counters)


def test_bundled_config_is_the_shared_v3_config() -> None:
    shared = json.loads((TWITTER_TEXT_DIR / "config-v3.json").read_text("utf-8"))
    assert TwitterTextConfig.from_json(shared) == CONFIG_V3
    assert CONFIG_V3.max_weighted_tweet_length == 280
    assert CONFIG_V3.emoji_parsing_enabled
