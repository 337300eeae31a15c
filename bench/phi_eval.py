"""Evaluate the PHI screen on the labelled set: `python bench/phi_eval.py [--json] [--path FILE]`.

Prints precision, recall, false-positive rate (per text) and per-kind recall; exits 1 when recall is below
0.98 or the false-positive rate above 0.03.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from server.privacy.phi_eval import evaluate  # noqa: E402

DEFAULT_PATH = ROOT / "tests" / "privacy" / "phi_eval.jsonl"


def _print_report(result: dict[str, Any]) -> None:
    print(f"PHI screen evaluation: {result['path']}")
    print(f"  texts {result['texts']} (PHI {result['positives']}, clean {result['negatives']})")
    print(f"  TP {result['tp']}  FP {result['fp']}  FN {result['fn']}  TN {result['tn']}")
    print(f"  precision {result['precision']:.3f}")
    print(f"  recall    {result['recall']:.3f}  (target >= {result['targets']['recall_min']})")
    print(f"  FPR       {result['fpr']:.3f}  (target <= {result['targets']['fpr_max']})")
    print("  per-kind recall:")
    for kind, row in result["per_kind"].items():
        print(f"    {kind:<14} {row['found']:>3}/{row['labelled']:<3} {row['recall']:.3f}")
    for miss in result["misses"]:
        print(f"  MISSED: {miss['text']!r} (expected {', '.join(miss['expected'])})")
    for fp in result["false_positives"]:
        kinds = ", ".join(f"{f['kind']}@{f['start']}-{f['end']}" for f in fp["findings"])
        print(f"  FALSE POSITIVE: {fp['text']!r} ({kinds})")
    for km in result["kind_misses"]:
        print(f"  KIND MISSED: {km['kind']} in {km['text']!r} (found {', '.join(km['found']) or 'nothing'})")
    print("  result:", "meets targets" if result["meets_targets"] else "BELOW TARGETS")


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation and return 0 when the targets are met."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--path", type=Path, default=DEFAULT_PATH, help="labelled JSONL set")
    args = parser.parse_args(argv)
    result = evaluate(args.path)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        _print_report(result)
    return 0 if result["meets_targets"] else 1


if __name__ == "__main__":
    sys.exit(main())
