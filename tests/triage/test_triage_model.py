"""The learned triage model: committed, small, loaded without pickle, in step with its corpus, and computed at run
time exactly as it was trained."""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import numpy as np
import pytest

from server.triage import triage_train
from server.triage.triage_features import BUCKETS, bucket, feature_names, vectorize
from server.triage.triage_model import META, WEIGHTS, TriageModel, model
from server.triage.triage_text import normalize

ROOT = Path(__file__).resolve().parents[2]
TEXTS = [
    "my chest is so tight right now and my left arm is numb",
    "je n'arrive plus à respirer depuis ce matin",
    "¿cuánto dura la operación normalmente?",
    "wow wow wow amazing amazing",
    "",
    "🙏",
]


def test_model_files_are_small_and_need_no_pickle() -> None:
    assert WEIGHTS.stat().st_size + META.stat().st_size < 5 * 1024 * 1024
    with np.load(WEIGHTS, allow_pickle=False) as arrays:  # raises if the file needed pickle
        assert arrays["coef"].shape == (BUCKETS, 6)
    meta = json.loads(META.read_text(encoding="utf-8"))
    assert meta["labels"] == list(triage_train.LABELS)
    assert 0.0 < meta["alert_threshold"] < 1.0


def test_the_committed_model_was_trained_on_the_committed_corpus() -> None:
    """Change the corpus and retrain (`python -m server.triage.triage_train`), or this fails."""
    meta = json.loads(META.read_text(encoding="utf-8"))
    current = {str(p.relative_to(ROOT)): hashlib.sha256(p.read_bytes()).hexdigest()[:16]
               for p in triage_train.corpus_files()}
    assert meta["corpus"] == current
    assert meta["examples"] == len(triage_train.load(triage_train.corpus_files()))


def test_test_and_development_sets_are_not_training_data() -> None:
    names = {p.name for p in triage_train.corpus_files()}
    assert "triage_test.jsonl" not in names and "triage_dev.jsonl" not in names
    corpus = {text for text, _, _ in triage_train.load(triage_train.corpus_files())}
    for held_out in ("triage_test.jsonl", "triage_dev.jsonl"):
        lines = (ROOT / "tests" / "triage" / held_out).read_text(encoding="utf-8").splitlines()
        assert not corpus & {json.loads(line)["text"] for line in lines if line.strip()}, held_out


@pytest.mark.parametrize("raw", TEXTS)
def test_vectorize_hashes_every_feature_name(raw: str) -> None:
    text = normalize(raw).text
    names = feature_names(text)
    slots, values = vectorize(text)
    expected: dict[int, float] = {}
    for name in names:
        expected[bucket(name)] = expected.get(bucket(name), 0.0) + 1.0 / math.sqrt(len(names))
    assert dict(zip(slots, values, strict=True)) == pytest.approx(expected)


@pytest.mark.parametrize("raw", TEXTS)
def test_cached_prediction_equals_the_dot_product(raw: str) -> None:
    loaded = model()
    text = normalize(raw).text
    slots, values = vectorize(text)
    scores = loaded.intercept + (np.asarray(values) @ loaded.coef[slots] if slots else 0.0)
    probs = np.exp(scores - scores.max())
    probs /= probs.sum()
    verdict = loaded.predict(text)
    assert [verdict.probabilities[label] for label in loaded.labels] == pytest.approx(probs.tolist())
    assert verdict.emergency == pytest.approx(float(probs[loaded.labels.index("emergency")]))


def test_a_model_of_the_wrong_shape_is_refused(tmp_path: Path) -> None:
    weights = tmp_path / "w.npz"
    np.savez(weights, coef=np.zeros((10, 6)), intercept=np.zeros(6))
    with pytest.raises(ValueError, match="shape"):
        TriageModel.load(weights, META)


def test_alert_threshold_keeps_false_alarms_within_budget() -> None:
    probs = np.array([0.9, 0.8, 0.2, 0.1, 0.05, 0.3, 0.7, 0.01] + [0.0] * 92)
    is_emergency = np.array([True, True, False, False, False, False, True, False] + [False] * 92)
    threshold = triage_train.alert_threshold(probs, is_emergency)
    false_alarms = ((probs >= threshold) & ~is_emergency).sum() / (~is_emergency).sum()
    assert false_alarms <= triage_train.FALSE_ALARM_BUDGET
    assert threshold <= 0.7  # every emergency above the false alarms is still caught
