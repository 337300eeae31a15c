"""Triage on the development set and on the test set: per label, confusion matrix, alert recall and false alarms.

Usage: python bench/triage_eval.py [PATH ...] [--json] [--errors] [--all]

- development set `tests/triage/triage_dev.jsonl`: the set the rules and thresholds were tuned on;
- test set `tests/triage/triage_test.jsonl`: written before any tuning and never tuned on (its figures are
  the honest ones: they are the README's).
`--all` adds the older English rounds `tests/triage/triage_eval*.jsonl` (the learned model was trained on
those, so they only check that nothing regressed). Exit 1 when the test set misses a target: emergency alert
recall >= 0.97, alerts on at most 5% of other messages, accuracy >= 0.90.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from server.triage.triage_eval import evaluate, format_table  # noqa: E402

DEV = ROOT / "tests" / "triage" / "triage_dev.jsonl"
TEST = ROOT / "tests" / "triage" / "triage_test.jsonl"


def main(argv: list[str]) -> int:
    """Evaluate the sets; return 1 if the test set misses its targets."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--json", action="store_true", help="print the full reports as JSON")
    parser.add_argument("--errors", action="store_true", help="also list misclassified and missed messages")
    parser.add_argument("--all", action="store_true", help="also evaluate the older triage_eval*.jsonl rounds")
    args = parser.parse_args(argv)
    paths: list[Path] = list(args.paths) or [DEV, TEST]
    if args.all:
        paths += sorted((ROOT / "tests" / "triage").glob("triage_eval*.jsonl"))
    reports: dict[str, dict[str, Any]] = {str(p.relative_to(ROOT) if p.is_absolute() else p): evaluate(p)
                                          for p in paths}
    if args.json:
        print(json.dumps({"sets": reports}, indent=2, ensure_ascii=False))
    else:
        for path, report in reports.items():
            role = " (development set: tuned on)" if path.endswith("triage_dev.jsonl") else (
                " (test set: written before tuning, never tuned on)" if path.endswith("triage_test.jsonl") else "")
            print(f"== {path}{role}")
            print(format_table(report))
            if args.errors:
                for err in report["errors"]:
                    flag = "ALERT" if err["alert"] else "no alert"
                    print(f"  {err['gold']:>16} -> {err['pred']:<16} {flag:<8} {err['text']!r}  [{err['reason']}]")
            print()
    test = next((r for p, r in reports.items() if p.endswith("triage_test.jsonl")), None)
    if test is not None and not test["meets_targets"]:
        print(f"FAIL: test set below target {test['targets']}: recall {test['alerts']['emergency_alert_recall']:.3f}, "
              f"false alerts {test['alerts']['false_alert_rate']:.3f}, accuracy {test['accuracy']:.3f}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
