"""Evaluate the PHI screen on a labelled JSONL set (shared by `bench/phi_eval.py` and the tests).

Each line: {"text": str, "phi": bool, "kinds": [str, ...]}, optionally "denylist": [str, ...] (entries
for that line's denylist) and "allow_names": [str, ...]. Scoring is per text: a text is "flagged" when
the screen returns any finding. Per-kind recall counts a labelled kind as found when the screen returns
a finding of that kind for the text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from server.privacy.denylist import Denylist
from server.privacy.phi import screen_text

RECALL_TARGET = 0.95  # issue 14's targets, on the test set written before tuning
FPR_TARGET = 0.05
_EVAL_SALT = b"livecue-phi-eval-salt-not-secret"


def load_cases(path: str | Path) -> list[dict[str, Any]]:
    """Read the labelled cases from a JSONL file."""
    cases: list[dict[str, Any]] = []
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            case = json.loads(line)
            if not isinstance(case.get("text"), str) or not isinstance(case.get("phi"), bool):
                raise ValueError(f"{path}:{number}: needs a string 'text' and a boolean 'phi'")
            cases.append(case)
    return cases


def _ratio(num: int, den: int) -> float:
    return num / den if den else 1.0


def evaluate(path: str | Path) -> dict[str, Any]:
    """Run the screen over the set and return counts, precision, recall, FPR, per-kind recall and misses."""
    tp = fp = fn = tn = 0
    kind_total: dict[str, int] = {}
    kind_hit: dict[str, int] = {}
    misses: list[dict[str, Any]] = []
    false_positives: list[dict[str, Any]] = []
    kind_misses: list[dict[str, Any]] = []
    for case in load_cases(path):
        denylist = Denylist.build(case["denylist"], _EVAL_SALT) if case.get("denylist") else None
        findings = screen_text(case["text"], denylist, case.get("allow_names", ()))
        found = {f.kind for f in findings}
        if case["phi"]:
            if findings:
                tp += 1
            else:
                fn += 1
                misses.append({"text": case["text"], "expected": case["kinds"]})
            for kind in case["kinds"]:
                kind_total[kind] = kind_total.get(kind, 0) + 1
                if kind in found:
                    kind_hit[kind] = kind_hit.get(kind, 0) + 1
                else:
                    kind_misses.append({"text": case["text"], "kind": kind, "found": sorted(found)})
        elif findings:
            fp += 1
            false_positives.append({"text": case["text"], "findings": [f.as_dict() for f in findings]})
        else:
            tn += 1
    per_kind = {
        k: {"labelled": n, "found": kind_hit.get(k, 0), "recall": _ratio(kind_hit.get(k, 0), n)}
        for k, n in sorted(kind_total.items())
    }
    recall = _ratio(tp, tp + fn)
    fpr = fp / (fp + tn) if fp + tn else 0.0
    return {
        "path": str(path),
        "texts": tp + fp + fn + tn,
        "positives": tp + fn,
        "negatives": fp + tn,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "precision": _ratio(tp, tp + fp),
        "recall": recall,
        "fpr": fpr,
        "per_kind": per_kind,
        "meets_targets": recall >= RECALL_TARGET and fpr <= FPR_TARGET,
        "targets": {"recall_min": RECALL_TARGET, "fpr_max": FPR_TARGET},
        "misses": misses,
        "false_positives": false_positives,
        "kind_misses": kind_misses,
    }
