"""Train the learned triage model from the corpus in the repository: `python -m server.triage.triage_train`.

Reads `server/triage/data/triage_corpus.jsonl` (audience replies to live surgery posts in English,
French and Spanish, every label, with the hard cases: figures of speech, humour, plans that end with a kind
word, history beside an acute symptom, shopping words in medical questions) and the older English sets
`tests/triage/triage_eval*.jsonl`. The development set (`triage_dev.jsonl`) and the test set
(`triage_test.jsonl`) are never read here.

Picks the regularisation by 5-fold cross-validation (macro F1), then sets the alert threshold on the
out-of-fold emergency probabilities for recall first: the lowest threshold whose false alarms on
non-emergencies stay within `FALSE_ALARM_BUDGET` (the rules and risk cues alert beside it). Writes
`data/triage_model.npz` (weights) and `data/triage_model.json` (labels, threshold, corpus digests,
cross-validation figures). Deterministic: the same corpus gives the same files. Needs scikit-learn (a
development dependency: `pip install -e '.[train]'`); the server does not.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from server.triage.triage_features import BUCKETS, CHAR_NGRAMS, vectorize
from server.triage.triage_model import DATA, META, WEIGHTS
from server.triage.triage_risk import literal
from server.triage.triage_text import normalize

ROOT = Path(__file__).resolve().parents[2]
CORPUS = DATA / "triage_corpus.jsonl"
LABELS = ("emergency", "personal_medical", "question", "comment", "spam", "abuse")
C_GRID = (10.0, 30.0)
FALSE_ALARM_BUDGET = 0.01


def corpus_files() -> list[Path]:
    """The training files: the multilingual corpus and the older English evaluation rounds."""
    return [CORPUS, *sorted((ROOT / "tests" / "triage").glob("triage_eval*.jsonl"))]


def load(paths: list[Path]) -> list[tuple[str, str, str]]:
    """(text, label, language) rows of the given JSONL files."""
    rows: list[tuple[str, str, str]] = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                obj = json.loads(line)
                if obj["label"] not in LABELS:
                    raise ValueError(f"{path}: unknown label {obj['label']!r}")
                rows.append((obj["text"], obj["label"], obj.get("lang", "en")))
    return rows


def matrix(texts: list[str]) -> Any:
    """Hashed feature matrix (scipy CSR) of raw texts, normalised exactly as at run time (figures of speech cut)."""
    from scipy.sparse import csr_matrix

    indptr, indices, values = [0], [], []
    for text in texts:
        slots, vals = vectorize(literal(normalize(text).text))
        indices += slots
        values += vals
        indptr.append(len(indices))
    return csr_matrix((values, indices, indptr), shape=(len(texts), BUCKETS), dtype=np.float64)


def _classifier(c: float) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, class_weight="balanced", max_iter=5000, solver="lbfgs")


def cross_validate(x: Any, y: np.ndarray[Any, Any]) -> tuple[float, np.ndarray[Any, Any], dict[str, float]]:
    """Best C by 5-fold macro F1, and that C's out-of-fold probabilities."""
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=14)
    scores: dict[str, float] = {}
    best: tuple[float, float, np.ndarray[Any, Any]] | None = None
    for c in C_GRID:
        probs = cross_val_predict(_classifier(c), x, y, cv=folds, method="predict_proba")
        f1 = float(f1_score(y, probs.argmax(axis=1), average="macro"))
        scores[str(c)] = round(f1, 4)
        if best is None or f1 > best[1]:
            best = (c, f1, probs)
    assert best is not None
    return best[0], best[2], scores


def alert_threshold(emergency_probs: np.ndarray[Any, Any], is_emergency: np.ndarray[Any, Any]) -> float:
    """The lowest threshold (most recall) whose out-of-fold false alarms stay within FALSE_ALARM_BUDGET.

    The model is one of three alerting layers; the rules and risk cues already alert on most emergencies, so
    its threshold buys the most recall it can for a small, fixed share of false alarms.
    """
    negatives = np.sort(emergency_probs[~is_emergency])
    index = min(len(negatives) - 1, int(np.ceil(len(negatives) * (1 - FALSE_ALARM_BUDGET))))
    return round(float(negatives[index]) + 1e-4, 4) if len(negatives) else 0.5


def train(out_weights: Path = WEIGHTS, out_meta: Path = META) -> dict[str, Any]:
    """Train on the corpus and write the model files; returns the metadata written."""
    files = corpus_files()
    rows = load(files)
    x = matrix([text for text, _, _ in rows])
    y = np.array([LABELS.index(label) for _, label, _ in rows])
    c, oof, cv_scores = cross_validate(x, y)
    emergency = LABELS.index("emergency")
    threshold = alert_threshold(oof[:, emergency], y == emergency)
    oof_alert = oof[:, emergency] >= threshold
    final = _classifier(c).fit(x, y)
    coef = np.zeros((BUCKETS, len(LABELS)), dtype=np.float32)
    coef[:, final.classes_] = final.coef_.T
    intercept = np.zeros(len(LABELS), dtype=np.float32)
    intercept[final.classes_] = final.intercept_
    np.savez_compressed(out_weights, coef=coef, intercept=intercept)
    meta: dict[str, Any] = {
        "labels": list(LABELS),
        "alert_threshold": threshold,
        "model": f"multinomial logistic regression, C={c}, class_weight=balanced",
        "features": {"buckets": BUCKETS, "hash": "crc32", "char_ngrams": list(CHAR_NGRAMS),
                     "words": "unigrams and bigrams of triage_text.normalize output"},
        "corpus": {str(p.relative_to(ROOT)): hashlib.sha256(p.read_bytes()).hexdigest()[:16] for p in files},
        "examples": len(rows),
        "by_label": dict(Counter(label for _, label, _ in rows)),
        "by_language": dict(Counter(lang for _, _, lang in rows)),
        "cross_validation": {
            "macro_f1_by_C": cv_scores,
            "accuracy": round(float((oof.argmax(axis=1) == y).mean()), 4),
            "emergency_alert_recall": round(float(oof_alert[y == emergency].mean()), 4),
            "alert_rate_on_non_emergencies": round(float(oof_alert[y != emergency].mean()), 4),
        },
    }
    out_meta.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return meta


def main(argv: list[str] | None = None) -> int:
    """Command line: train and print the cross-validation figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.parse_args(argv)
    meta = train()
    json.dump({k: meta[k] for k in ("examples", "alert_threshold", "model", "cross_validation")}, sys.stdout,
              indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
