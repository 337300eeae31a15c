"""Evaluate `triage` against a labelled JSONL file: per-label precision/recall/F1, a confusion matrix, and the
alert figures that matter most: the share of emergencies that raise an alert (recall), the share of other
messages that raise one anyway (false alarms), and the share of emergencies that reach a clinician at all
(alerted, or queued as a message in a language nobody screens). Figures per language are given too.

Targets (issue 14, on the test set written before tuning): `TARGETS`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from server.triage.triage import LABELS, triage

TARGETS: dict[str, float] = {"emergency_alert_recall": 0.97, "false_alert_rate_max": 0.05, "accuracy": 0.90}


def load_labelled(path: str | Path) -> list[tuple[str, str]]:
    """Read `{"text": ..., "label": ...}` lines; raise ValueError naming the line on bad input."""
    return [(text, label) for text, label, _ in load_labelled_languages(path)]


def load_labelled_languages(path: str | Path) -> list[tuple[str, str, str]]:
    """Like `load_labelled`, with each line's "lang" (English when absent)."""
    rows: list[tuple[str, str, str]] = []
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
            rows.append((text, str(label), str(obj.get("lang") or "en")))
    return rows


def _ratio(num: float, den: float) -> float:
    """Return num/den, or 0.0 when den is 0."""
    return num / den if den else 0.0


def _alert_figures(results: list[tuple[str, str, bool, bool]]) -> dict[str, float]:
    """Alert recall, false-alarm rate and reach over (gold, language, alert, screened) tuples."""
    emergencies = [r for r in results if r[0] == "emergency"]
    others = [r for r in results if r[0] != "emergency"]
    return {
        "emergencies": float(len(emergencies)),
        "emergency_alert_recall": _ratio(sum(r[2] for r in emergencies), len(emergencies)),
        "emergency_reached": _ratio(sum(r[2] or not r[3] for r in emergencies), len(emergencies)),
        "false_alert_rate": _ratio(sum(r[2] for r in others), len(others)),
    }


def evaluate(path: str | Path) -> dict[str, Any]:
    """Run triage over a labelled file; return counts, per-label metrics, macro F1, confusion, alerts, errors."""
    rows = load_labelled_languages(path)
    confusion: dict[str, dict[str, int]] = {g: dict.fromkeys(LABELS, 0) for g in LABELS}
    errors: list[dict[str, Any]] = []
    alerts: list[tuple[str, str, bool, bool]] = []
    by_language: dict[str, list[bool]] = {}
    for text, gold, language in rows:
        result = triage(text)
        confusion[gold][result.label] += 1
        alerts.append((gold, language, result.alert, result.screened))
        by_language.setdefault(language, []).append(result.label == gold)
        missed = gold == "emergency" and not result.alert
        false_alarm = gold != "emergency" and result.alert
        if result.label != gold or missed or false_alarm:
            errors.append({"text": text, "gold": gold, "pred": result.label, "reason": result.reason,
                           "alert": result.alert, "reasons": list(result.reasons), "lang": language})
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
    alert = _alert_figures(alerts)
    languages = {
        lang: {"n": float(len(ok)), "accuracy": _ratio(sum(ok), len(ok)),
               **_alert_figures([a for a in alerts if a[1] == lang])}
        for lang, ok in sorted(by_language.items())
    }
    accuracy = _ratio(correct, len(rows))
    meets = (alert["emergency_alert_recall"] >= TARGETS["emergency_alert_recall"]
             and alert["false_alert_rate"] <= TARGETS["false_alert_rate_max"] and accuracy >= TARGETS["accuracy"])
    return {
        "path": str(path),
        "n": len(rows),
        "labels": list(LABELS),
        "per_label": per_label,
        "macro_f1": sum(per_label[lb]["f1"] for lb in present) / len(present) if present else 0.0,
        "accuracy": accuracy,
        "alerts": alert,
        "by_language": languages,
        "targets": TARGETS,
        "meets_targets": meets,
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
    a = report["alerts"]
    lines.append(f"alerts: emergency recall {a['emergency_alert_recall']:.3f} ({int(a['emergencies'])} emergencies), "
                 f"reached a clinician {a['emergency_reached']:.3f}, false alerts on other messages "
                 f"{a['false_alert_rate']:.3f}")
    for lang, row in report["by_language"].items():
        lines.append(f"  {lang:<3} n={int(row['n']):<4} accuracy {row['accuracy']:.3f}   emergency recall "
                     f"{row['emergency_alert_recall']:.3f} of {int(row['emergencies'])}   false alerts "
                     f"{row['false_alert_rate']:.3f}")
    short = {lb: lb[:6] for lb in labels}
    lines.append("")
    lines.append("confusion (rows = gold, columns = predicted)")
    lines.append(f"{'':<18}" + "".join(f"{short[lb]:>8}" for lb in labels))
    for gold in labels:
        lines.append(f"{gold:<18}" + "".join(f"{report['confusion'][gold][p]:>8}" for p in labels))
    return "\n".join(lines)
