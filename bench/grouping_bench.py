"""Ingest rate of `GroupIndex.add` with ~1,000 vs ~100,000 stored questions; the ratio should be ~1.

Timing windows on the small and the large index are interleaved (A B A B) because machine speed
drifts; comparisons per add (deterministic) are reported next to the timings.
Usage: python bench/grouping_bench.py [--large N] [--window N] [--rounds N] [--seed N]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Iterator
from typing import Any

from server.questions.similarity import GroupIndex

NOUNS = (
    "surgery operation bypass graft vein artery heart lung machine pump valve stent scar incision sternum "
    "wire anesthesia recovery rehab risk cost insurance monitor camera helmet vest music team nurse "
    "perfusionist blood transfusion oxygen brain kidney liver leg arm chest rib clamp suture stitch drain "
    "tube catheter ventilator icu ward diet exercise cholesterol statin aspirin warfarin pacemaker rhythm"
).split()
VERBS = "stop restart clamp cut close open harvest check monitor cool warm test replace repair measure".split()
ADJS = "dangerous painful safe normal common expensive long short cold warm new old robotic live".split()
SYLLABLES = "ka lo mi ne ru sa ti vo ze bra cle dri fla gro plu sto tra vin mor".split()
TEMPLATES = (
    "how long does the {n} take",
    "what is the risk of {n} after {n2}",
    "why do they {v} the {n}",
    "can you explain the {a} {n}",
    "is the {n} {a}",
    "how much does the {n} cost with {n2}",
    "what happens if the {n} fails during {n2}",
    "does {n} affect {n2} recovery",
    "how many {n}s are used for {n2}",
    "who decides to {v} the {n} before {n2}",
    "what does the {x} do to the {n}",
    "is {x} used for {n2} or {n}",
)


def _word(rng: random.Random) -> str:
    """Return a pseudo-word so the vocabulary keeps growing with the data set."""
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


def questions(seed: int) -> Iterator[str]:
    """Yield an endless stream of varied synthetic questions (some near-duplicates, most distinct)."""
    rng = random.Random(seed)
    while True:
        t = rng.choice(TEMPLATES)
        yield t.format(
            n=rng.choice(NOUNS) if rng.random() < 0.5 else _word(rng),
            n2=rng.choice(NOUNS) if rng.random() < 0.5 else _word(rng),
            v=rng.choice(VERBS),
            a=rng.choice(ADJS),
            x=_word(rng),
        )


def _fill(index: GroupIndex, stream: Iterator[str], prefix: str, count: int) -> None:
    """Add `count` questions to the index."""
    start = len(index)
    for i in range(count):
        index.add(f"{prefix}{start + i}", next(stream))


def _window(index: GroupIndex, batch: list[str], prefix: str) -> tuple[float, float]:
    """Time adding a batch; return (adds per second, comparisons per add)."""
    start_n, start_cmp = len(index), index.comparisons
    t0 = time.perf_counter()
    for i, text in enumerate(batch):
        index.add(f"{prefix}{start_n + i}", text)
    elapsed = time.perf_counter() - t0
    return len(batch) / elapsed, (index.comparisons - start_cmp) / len(batch)


def main(argv: list[str]) -> int:
    """Run the benchmark and print rates and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--medium", type=int, default=10_000, help="extra reference size (0 to skip)")
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--window", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--scan-probes", type=int, default=10, help="probes for the full-scan baseline")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    large, medium = GroupIndex(), GroupIndex()
    probe_stream = questions(args.seed + 2)
    _fill(large, questions(args.seed + 1), "l", args.large)
    _fill(medium, questions(args.seed + 3), "m", args.medium)
    build = time.perf_counter() - t0
    sizes = {"small": args.small, "medium": args.medium, "large": args.large}
    names = [n for n in sizes if sizes[n] > 0]
    rates: dict[str, list[float]] = {n: [] for n in names}
    cmps: dict[str, list[float]] = {n: [] for n in names}
    for round_no in range(args.rounds):
        # A fresh small index per round, so every small window really runs at ~`--small` stored questions.
        small = GroupIndex()
        _fill(small, questions(args.seed + 100 + round_no), "s", args.small)
        indexes = {"small": small, "medium": medium, "large": large}
        batch = [next(probe_stream) for _ in range(args.window)]
        for name in names:
            rate, cmp = _window(indexes[name], batch, f"{name[0]}{round_no}-")
            rates[name].append(rate)
            cmps[name].append(cmp)
    scans: dict[str, float] = {}
    for name in ("small", "large"):
        index = small if name == "small" else large
        scan = [next(probe_stream) for _ in range(args.scan_probes)]
        t_scan = time.perf_counter()
        for text in scan:
            index.best_match_exhaustive(text)
        scans[name] = max(len(scan), 1) / (time.perf_counter() - t_scan)
    median = {name: statistics.median(rates[name]) for name in names}
    result: dict[str, Any] = {
        "build_s": round(build, 1), "rounds": args.rounds, "window": args.window,
        "sizes": {name: {"stored": sizes[name], "adds_per_s": round(median[name]), "min": round(min(rates[name])),
                         "max": round(max(rates[name])), "comparisons_per_add": round(statistics.mean(cmps[name]), 1)}
                  for name in names},
        "figures": [
            {"figure": f"adds/s at {args.large:,} stored (bucketed)", "value": round(median["large"]),
             "baseline": round(median["small"]), "ratio": round(median["small"] / median["large"], 2),
             "unit": f"adds/s; baseline at {args.small:,} stored, ratio = slowdown"},
            {"figure": f"adds/s at {args.large:,} stored vs a full scan", "value": round(median["large"]),
             "baseline": round(scans["large"]), "ratio": round(median["large"] / scans["large"], 1),
             "unit": "adds/s; baseline compares with every stored question"},
        ],
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"built {args.large + args.medium:,} questions in {build:.1f} s; {args.rounds} interleaved windows "
          f"of {args.window:,} adds, the same probe questions at every size")
    print(f"{'stored':>10} {'adds/s (median)':>16} {'min':>9} {'max':>9} {'comparisons/add':>16}")
    for name in names:
        print(f"{sizes[name]:>10,} {median[name]:>16,.0f} {min(rates[name]):>9,.0f} "
              f"{max(rates[name]):>9,.0f} {statistics.mean(cmps[name]):>16.1f}")
    for name in ("small", "large"):
        print(f"{sizes[name]:>10,} {scans[name]:>16,.0f}   <- full scan against every stored question (baseline)")
    print(f"ratio adds/s at {args.small:,} vs {args.large:,} stored: {median['small'] / median['large']:.2f}"
          "  (1.0 = flat)")
    if "medium" in median:
        print(f"ratio adds/s at {args.medium:,} vs {args.large:,} stored: {median['medium'] / median['large']:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
