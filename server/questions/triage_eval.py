"""Evaluate `triage` against a labelled JSONL file: per-label precision/recall/F1 and a confusion matrix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from server.questions.triage import LABELS, triage


def load_labelled(path: str | Path) -> list[tuple[str, str]]:
    """Read `{"text": ..., "label": ...}` lines; raise ValueError naming the line on bad input."""
    rows: list[tuple[str, str]] = []
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"line {lineno}: invalid JSON: {exc.msg}") from exc
            if not isinstance(obj, dict):
                raise ValueError(f"line {lineno}: expected an object")
            text, label = obj.get("text"), obj.get("label")
            if not isinstance(text, str) or label not in LABELS:
                raise ValueError(f"line {lineno}: need string 'text' and a label in {LABELS}")
            rows.append((text, str(label)))
    return rows


def _ratio(num: float, den: float) -> float:
    """Return num/den, or 0.0 when den is 0."""
    return num / den if den else 0.0


def evaluate(path: str | Path) -> dict[str, Any]:
    """Run triage over a labelled file; return counts, per-label metrics, macro F1, confusion, errors."""
    rows = load_labelled(path)
    confusion: dict[str, dict[str, int]] = {g: dict.fromkeys(LABELS, 0) for g in LABELS}
    errors: list[dict[str, str]] = []
    for text, gold in rows:
        result = triage(text)
        confusion[gold][result.label] += 1
        if result.label != gold:
            errors.append({"text": text, "gold": gold, "pred": result.label, "reason": result.reason})
    per_label: dict[str, dict[str, float]] = {}
    for label in LABELS:
        tp = confusion[label][label]
        predicted = sum(confusion[g][label] for g in LABELS)
        support = sum(confusion[label].values())
        precision, recall = _ratio(tp, predicted), _ratio(tp, support)
        f1 = _ratio(2 * precision * recall, precision + recall) if precision + recall else 0.0
        per_label[label] = {"precision": precision, "recall": recall, "f1": f1, "support": float(support)}
    correct = sum(confusion[g][g] for g in LABELS)
    present = [lb for lb in LABELS if per_label[lb]["support"] > 0]
    return {
        "n": len(rows),
        "labels": list(LABELS),
        "per_label": per_label,
        "macro_f1": sum(per_label[lb]["f1"] for lb in present) / len(present) if present else 0.0,
        "accuracy": _ratio(correct, len(rows)),
        "confusion": confusion,
        "errors": errors,
    }


def format_table(report: dict[str, Any]) -> str:
    """Render an evaluation report as a plain-text table with a confusion matrix."""
    labels: list[str] = report["labels"]
    lines = [f"{'label':<18}{'prec':>7}{'recall':>8}{'f1':>7}{'n':>5}"]
    for label in labels:
        m = report["per_label"][label]
        lines.append(f"{label:<18}{m['precision']:>7.3f}{m['recall']:>8.3f}{m['f1']:>7.3f}{int(m['support']):>5}")
    lines.append(f"macro F1 {report['macro_f1']:.3f}   accuracy {report['accuracy']:.3f}   n={report['n']}")
    short = {lb: lb[:6] for lb in labels}
    lines.append("")
    lines.append("confusion (rows = gold, columns = predicted)")
    lines.append(f"{'':<18}" + "".join(f"{short[lb]:>8}" for lb in labels))
    for gold in labels:
        lines.append(f"{gold:<18}" + "".join(f"{report['confusion'][gold][p]:>8}" for p in labels))
    return "\n".join(lines)
