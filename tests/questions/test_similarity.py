"""Tests for near-duplicate question grouping (bucket keys, similarity, GroupIndex)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.questions.similarity import (
    MAX_KEY_LENGTH,
    SAME_GROUP_THRESHOLD,
    GroupIndex,
    bucket_keys,
    similar,
)

DURATION = [
    "How long does it take?",
    "how long is the surgery??",
    "Duration of the operation?",
    "how many hours does a bypass take",
    "how long does the operation last",
]
DIFFERENT = {
    "duration": "How long does the surgery take?",
    "recovery": "How long is recovery?",
    "risk": "What are the risks of this operation?",
    "cost": "How much does a bypass cost?",
    "anaesthesia": "What kind of anaesthesia do they use?",
}


def test_paraphrases_of_duration_share_a_group() -> None:
    """The duration paraphrases from the brief end up in one group (the first question's id)."""
    index = GroupIndex()
    groups = {index.add(f"q{i}", text) for i, text in enumerate(DURATION)}
    assert groups == {"q0"}


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("What are the risks?", "is the surgery dangerous?"),
        ("How much does it cost?", "what's the price of a bypass"),
        ("how long is recovery?", "How long is the recovery after surgery?"),
        ("WHY IS THE SURGEON WEARING A VEST", "why is the surgeon wearing a vest???"),
    ],
)
def test_more_paraphrases_group(a: str, b: str) -> None:
    """Paraphrases reach the threshold."""
    assert similar(a, b) >= SAME_GROUP_THRESHOLD


def test_different_questions_do_not_group() -> None:
    """Duration, recovery, risk, cost and anaesthesia questions get five different groups."""
    index = GroupIndex()
    groups = {index.add(name, text) for name, text in DIFFERENT.items()}
    assert groups == set(DIFFERENT)
    for a in DIFFERENT.values():
        for b in DIFFERENT.values():
            if a != b:
                assert similar(a, b) < SAME_GROUP_THRESHOLD, (a, b)


def test_recovery_is_not_duration_even_with_shared_words() -> None:
    """'How long' alone does not make two questions the same."""
    assert similar("How long is recovery?", "How long does the surgery take?") < SAME_GROUP_THRESHOLD
    assert similar("how long until the patient wakes up", "how long does it take") < SAME_GROUP_THRESHOLD


def test_api_contract() -> None:
    """signature == bucket_keys, idempotent add, group_of, members, candidates_for_keys."""
    index = GroupIndex()
    assert GroupIndex.signature("How long does it take?") == bucket_keys("How long does it take?")
    assert index.add("a", "How long does it take?") == "a"
    assert index.add("b", "how long is the surgery") == "a"
    assert index.add("b", "something else entirely") == "a"  # same id again: no change
    assert index.group_of("b") == "a"
    assert index.members("a") == ["a", "b"]
    assert set(index.candidates_for_keys(bucket_keys("duration of the op"))) == {"a", "b"}
    assert index.candidates_for_keys(["g1:nothing-here"]) == []
    assert len(index) == 2 and "a" in index
    with pytest.raises(KeyError):
        index.group_of("missing")


def test_keys_are_short_serialisable_strings() -> None:
    """Keys are plain strings within MAX_KEY_LENGTH, even for absurd input."""
    keys = bucket_keys("why " + "x" * 500 + " supercalifragilistic " * 10 + " heart valve graft timing")
    assert keys and all(isinstance(k, str) and len(k) <= MAX_KEY_LENGTH for k in keys)
    assert bucket_keys("") == [] and bucket_keys("??!!") == []


def test_cost_per_add_is_bounded_as_the_index_grows() -> None:
    """Comparisons per add never exceed max_candidates, however many questions are stored."""
    rng = random.Random(3)
    words = [f"w{i}" for i in range(300)] + ["long", "risk", "cost", "recovery", "pain", "vein"]
    index = GroupIndex(max_candidates=32)
    worst = 0
    for i in range(6000):
        text = "how " + " ".join(rng.choice(words) for _ in range(rng.randint(1, 4)))
        before = index.comparisons
        index.add(f"q{i}", text)
        worst = max(worst, index.comparisons - before)
    assert worst <= 32


WORDS = ["long", "take", "surgery", "recovery", "risk", "cost", "anaesthesia", "awake", "vein", "graft", "pain",
         "heart", "patient", "scar", "music", "camera", "vest", "blood", "alpha", "beta", "gamma", "delta"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=6), st.lists(st.sampled_from(WORDS), min_size=1,
                                                                            max_size=6))
def test_similar_pairs_always_share_a_bucket_key(a: list[str], b: list[str]) -> None:
    """Property: questions at or above the threshold share at least one bucket key (no missed candidates)."""
    ta, tb = "how " + " ".join(a), "what " + " ".join(b)
    if similar(ta, tb) >= SAME_GROUP_THRESHOLD:
        assert set(bucket_keys(ta)) & set(bucket_keys(tb))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=5), min_size=1, max_size=12))
def test_index_agrees_with_exhaustive_search_when_buckets_are_not_full(questions: list[list[str]]) -> None:
    """Property: with room in the buckets, add() joins a group whenever a full scan finds a match."""
    index = GroupIndex(max_groups_per_bucket=100, per_group_per_bucket=100, max_candidates=10_000)
    for i, words in enumerate(questions):
        text = " ".join(words)
        best_qid, best_score = index.best_match_exhaustive(text)
        group = index.add(f"q{i}", text)
        if best_score >= SAME_GROUP_THRESHOLD:
            assert group != f"q{i}"
        else:
            assert group == f"q{i}"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.text(max_size=300))
def test_grouping_never_raises_on_arbitrary_unicode(a: str, b: str) -> None:
    """Property: bucket_keys, similar and add accept any Unicode; similarity is symmetric in [0, 1]."""
    keys = bucket_keys(a)
    assert all(isinstance(k, str) and len(k) <= MAX_KEY_LENGTH for k in keys)
    score = similar(a, b)
    assert 0.0 <= score <= 1.0
    assert score == pytest.approx(similar(b, a))
    index = GroupIndex()
    assert index.add("x", a) == "x"
    assert index.add("y", b) in {"x", "y"}
