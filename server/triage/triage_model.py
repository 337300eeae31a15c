"""The learned triage model at run time: a linear classifier read from committed files, applied with numpy.

`data/triage_model.npz` holds the weights (one row of `BUCKETS` hashed-feature weights per label, plus the
intercepts) and `data/triage_model.json` the labels, the alert threshold and how the model was trained. Both
load without pickle (`np.load(allow_pickle=False)`, plain JSON), so a tampered model file can give wrong
scores but cannot run code. Nothing is downloaded: a missing file is an installation error and raises.

Prediction adds one cached weight vector per word and one row per word bigram, then a softmax over six
labels: the same scores as the dot product with `triage_features.vectorize` (a test checks it), in ~30 µs.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from server.triage.triage_features import BUCKETS, bigram_slots, token_slots, tokens_of

DATA = Path(__file__).resolve().parent / "data"
WEIGHTS = DATA / "triage_model.npz"
META = DATA / "triage_model.json"
WORD_CACHE_SIZE = 50_000

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class ModelVerdict:
    """The model's label, its probability, and the probability that the message is an emergency."""

    label: str
    confidence: float
    emergency: float
    probabilities: dict[str, float]


class TriageModel:
    """Multinomial logistic regression over hashed features (see `triage_features`)."""

    def __init__(self, coef: np.ndarray[Any, Any], intercept: np.ndarray[Any, Any], meta: dict[str, Any]) -> None:
        labels = [str(label) for label in meta["labels"]]
        import numpy as np  # ~0.1 s to import: only once the model loads (first message or warm-up), not at start

        if coef.shape != (BUCKETS, len(labels)) or intercept.shape != (len(labels),):
            raise ValueError(f"model shape {coef.shape} does not fit {BUCKETS} buckets x {len(labels)} labels")
        self.coef = np.ascontiguousarray(coef, dtype=np.float64)
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.labels = labels
        self.meta = meta
        self.alert_threshold = float(meta["alert_threshold"])
        self._emergency = labels.index("emergency")
        self._intercept = tuple(self.intercept.tolist())
        self._cache: dict[str, tuple[int, tuple[float, ...]]] = {}

    def _weights(self, key: str, slots: list[int]) -> tuple[int, tuple[float, ...]]:
        """Feature count and summed weights of a word or bigram, memoised (the model is linear)."""
        found = self._cache.get(key)
        if found is None:
            found = (len(slots), tuple(self.coef[slots].sum(axis=0).tolist()))
            if len(self._cache) >= WORD_CACHE_SIZE:
                self._cache.clear()
            self._cache[key] = found
        return found

    @classmethod
    def load(cls, weights: Path = WEIGHTS, meta: Path = META) -> TriageModel:
        """Read the committed model (no pickle)."""
        import numpy as np

        with np.load(weights, allow_pickle=False) as arrays:
            coef, intercept = arrays["coef"], arrays["intercept"]
        return cls(coef, intercept, json.loads(meta.read_text(encoding="utf-8")))

    def predict(self, normalized_text: str) -> ModelVerdict:
        """Score one normalised text (`triage_text.normalize(...).text`)."""
        tokens = tokens_of(normalized_text)
        scores = self._intercept
        if tokens:
            parts = [self._cache.get(tok) or self._weights(tok, list(token_slots(tok))) for tok in tokens]
            parts += [self._cache.get(key) or self._weights(key, bigram_slots([a, b]))
                      for a, b in zip(tokens, tokens[1:], strict=False) for key in (f"{a} {b}",)]
            scale = 1.0 / math.sqrt(sum(n for n, _ in parts))
            columns = zip(*(v for _, v in parts), strict=True)
            scores = tuple(b + sum(col) * scale for b, col in zip(scores, columns, strict=True))
        top = max(scores)
        exps = [math.exp(x - top) for x in scores]
        total = sum(exps)
        probs = [x / total for x in exps]
        best = max(range(len(probs)), key=probs.__getitem__)
        return ModelVerdict(self.labels[best], probs[best], probs[self._emergency], dict(zip(self.labels, probs,
                                                                                          strict=True)))


@functools.cache
def model() -> TriageModel:
    """The process-wide model, loaded on first use (about 20 ms)."""
    return TriageModel.load()
