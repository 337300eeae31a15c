"""Evaluate the PHI screen on the development and test sets: `python bench/phi_eval.py [--json] [--path FILE ...]`.

- development set `tests/privacy/phi_dev.jsonl` (tuned on) and the older sets `tests/privacy/phi_eval*.jsonl`
  (`--all`);
- test set `tests/privacy/phi_test.jsonl`: captions written before any tuning and never tuned on, with the
  event's allow-list (staff, the hospital's names and city) on every line.
Prints precision, recall, false-positive rate (per text) and per-kind recall for each; exits 1 when the test
set's recall is below 0.95 or its false-positive rate above 0.05.
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

DEV_PATH = ROOT / "tests" / "privacy" / "phi_dev.jsonl"
TEST_PATH = ROOT / "tests" / "privacy" / "phi_test.jsonl"


def _print_report(result: dict[str, Any], quiet: bool = False) -> None:
    role = {"phi_dev.jsonl": " (development set: tuned on)",
            "phi_test.jsonl": " (test set: written before tuning, never tuned on)"}.get(Path(result["path"]).name, "")
    print(f"PHI screen evaluation: {result['path']}{role}")
    print(f"  texts {result['texts']} (PHI {result['positives']}, clean {result['negatives']})")
    print(f"  TP {result['tp']}  FP {result['fp']}  FN {result['fn']}  TN {result['tn']}")
    print(f"  precision {result['precision']:.3f}")
    print(f"  recall    {result['recall']:.3f}  (target >= {result['targets']['recall_min']})")
    print(f"  FPR       {result['fpr']:.3f}  (target <= {result['targets']['fpr_max']})")
    print("  per-kind recall:")
    for kind, row in result["per_kind"].items():
        print(f"    {kind:<14} {row['found']:>3}/{row['labelled']:<3} {row['recall']:.3f}")
    if quiet:
        print("  result:", "meets targets" if result["meets_targets"] else "BELOW TARGETS")
        return
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
    parser.add_argument("--path", type=Path, action="append", help="labelled JSONL set (repeatable)")
    parser.add_argument("--all", action="store_true", help="also the older tests/privacy/phi_eval*.jsonl sets")
    parser.add_argument("--quiet", action="store_true", help="figures only, no list of misses")
    args = parser.parse_args(argv)
    paths: list[Path] = args.path or [DEV_PATH, TEST_PATH]
    if args.all:
        paths += sorted((ROOT / "tests" / "privacy").glob("phi_eval*.jsonl"))
    results = {str(p.relative_to(ROOT) if p.is_absolute() else p): evaluate(p) for p in paths}
    if args.json:
        print(json.dumps({"sets": results}, indent=2, ensure_ascii=False))
    else:
        for result in results.values():
            _print_report(result, quiet=args.quiet)
            print()
    test = next((r for p, r in results.items() if p.endswith("phi_test.jsonl")), None)
    return 0 if test is None or test["meets_targets"] else 1


if __name__ == "__main__":
    sys.exit(main())
