"""Print triage precision/recall per label and a confusion matrix; exit 1 if emergency recall < 1.0.

Usage: python bench/triage_eval.py [PATH ...] [--json] [--errors]
Default PATH: tests/questions/triage_eval.jsonl. `--all` evaluates every tests/questions/triage_eval*.jsonl.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from server.questions.triage_eval import evaluate, format_table

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "tests" / "questions" / "triage_eval.jsonl"


def main(argv: list[str]) -> int:
    """Evaluate the given files; return 1 if any has emergency recall below 1.0."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--json", action="store_true", help="print the full reports as JSON")
    parser.add_argument("--errors", action="store_true", help="also list misclassified messages")
    parser.add_argument("--all", action="store_true", help="evaluate every triage_eval*.jsonl file")
    args = parser.parse_args(argv)
    paths: list[Path] = list(args.paths)
    if args.all:
        paths += sorted((ROOT / "tests" / "questions").glob("triage_eval*.jsonl"))
    if not paths:
        paths = [DEFAULT]
    reports: dict[str, dict[str, Any]] = {str(p): evaluate(p) for p in paths}
    failed = [p for p, r in reports.items() if r["per_label"]["emergency"]["recall"] < 1.0]
    if args.json:
        print(json.dumps(reports, indent=2, ensure_ascii=False))
    else:
        for path, report in reports.items():
            print(f"== {path}")
            print(format_table(report))
            if args.errors:
                for err in report["errors"]:
                    print(f"  {err['gold']:>16} -> {err['pred']:<16} {err['text']!r}  [{err['reason']}]")
            print()
    for path in failed:
        recall = reports[path]["per_label"]["emergency"]["recall"]
        print(f"FAIL: emergency recall {recall:.3f} < 1.0 in {path}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
