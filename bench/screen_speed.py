"""CPU cost per message of triage and of the PHI screen, as a ratio against a bare baseline, same run.

Texts: every evaluation message of 20-200 characters (tests/triage/triage_eval*.jsonl and
tests/privacy/phi_eval*.jsonl). Baseline: `text.lower().split()` over the same texts. Timing windows are
interleaved (baseline, triage, PHI, baseline, ...) because machine speed drifts (see
shared/docs/benchmarking.md); medians are reported. Ingest needs triage + PHI within BUDGET_US per message
(issue 14: at most 1 ms on this machine). The one-time loads (learned model, language identifier, place
gazetteer) happen in the warm-up, as they do at server start.
Usage: python bench/screen_speed.py [--json] [--rounds N] [--all-lengths]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from server.privacy.phi import screen_text  # noqa: E402
from server.triage.triage import triage  # noqa: E402

BUDGET_US = 1000.0  # triage + PHI per message (issue 14); ingest's own figures are in bench/ingest_bench.py


def load_texts(all_lengths: bool) -> list[str]:
    """Return the evaluation messages (only those of 20-200 characters unless `all_lengths`)."""
    paths = sorted((ROOT / "tests" / "triage").glob("triage_eval*.jsonl"))
    paths += sorted((ROOT / "tests" / "privacy").glob("phi_eval*.jsonl"))
    texts = [json.loads(line)["text"] for path in paths for line in path.read_text(encoding="utf-8").splitlines()
             if line.strip()]
    return texts if all_lengths else [t for t in texts if 20 <= len(t) <= 200]


def _baseline(text: str) -> object:
    return text.lower().split()


def _window(fn: Callable[[str], object], texts: list[str]) -> float:
    """Return µs per text for one pass."""
    started = time.perf_counter()
    for text in texts:
        fn(text)
    return (time.perf_counter() - started) / len(texts) * 1e6


def measure(texts: list[str], rounds: int) -> dict[str, Any]:
    """Time interleaved windows; return medians and ratios against the baseline."""
    fns: dict[str, Callable[[str], object]] = {"baseline": _baseline, "triage": triage, "phi": screen_text}
    for fn in fns.values():  # warm up (imports, regex caches, the model, language identifier and gazetteer)
        _window(fn, texts)
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            samples[name].append(_window(fn, texts))
    med = {name: statistics.median(values) for name, values in samples.items()}
    base = med["baseline"]
    total = med["triage"] + med["phi"]

    def figure(value: float) -> dict[str, float]:
        return {"value": round(value, 2), "baseline": round(base, 3), "ratio": round(value / base, 1)}

    return {
        "texts": len(texts),
        "mean_chars": round(sum(map(len, texts)) / len(texts), 1),
        "rounds": rounds,
        "triage_us_per_msg": figure(med["triage"]),
        "phi_us_per_msg": figure(med["phi"]),
        "total_us_per_msg": figure(total),
        "spread_pct": {name: round((max(v) - min(v)) / statistics.median(v) * 100) for name, v in samples.items()},
        "budget_us_per_msg": BUDGET_US,
        "within_budget": total <= BUDGET_US,
    }


def main(argv: list[str]) -> int:
    """Run the benchmark; print a summary (or JSON); exit 1 if triage + PHI exceed the budget."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--all-lengths", action="store_true", help="also time texts outside 20-200 characters")
    args = parser.parse_args(argv)
    result = measure(load_texts(args.all_lengths), args.rounds)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{result['texts']} messages (mean {result['mean_chars']} chars), {result['rounds']} interleaved rounds")
        for key, label in (("triage_us_per_msg", "triage"), ("phi_us_per_msg", "PHI screen"),
                           ("total_us_per_msg", "triage + PHI")):
            r = result[key]
            print(f"  {label:<13} {r['value']:8.1f} µs/msg   x{r['ratio']} the baseline ({r['baseline']} µs/msg)")
        print(f"  budget {BUDGET_US:.0f} µs/msg: {'met' if result['within_budget'] else 'EXCEEDED'}"
              f"   (spread max-min: {result['spread_pct']} %)")
    return 0 if result["within_budget"] else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
