"""Ingest rate of `GroupIndex.add` with ~1,000 vs ~100,000 stored questions; the ratio should be ~1.

Timing windows on the small and the large index are interleaved (A B A B) because machine speed
drifts; comparisons per add (deterministic) are reported next to the timings.
Usage: python bench/grouping_bench.py [--large N] [--window N] [--rounds N] [--seed N]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Iterator

from server.questions.grouping import GroupIndex

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


def _window(index: GroupIndex, stream: Iterator[str], prefix: str, count: int) -> tuple[float, float]:
    """Time `count` adds; return (adds per second, comparisons per add)."""
    batch = [next(stream) for _ in range(count)]
    start_n, start_cmp = len(index), index.comparisons
    t0 = time.perf_counter()
    for i, text in enumerate(batch):
        index.add(f"{prefix}{start_n + i}", text)
    elapsed = time.perf_counter() - t0
    return count / elapsed, (index.comparisons - start_cmp) / count


def main(argv: list[str]) -> int:
    """Run the benchmark and print rates and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--window", type=int, default=250)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    small, large = GroupIndex(), GroupIndex()
    small_stream, large_stream = questions(args.seed), questions(args.seed + 1)
    _fill(small, small_stream, "s", args.small)
    _fill(large, large_stream, "l", args.large)
    build = time.perf_counter() - t0
    rates: dict[str, list[float]] = {"small": [], "large": []}
    cmps: dict[str, list[float]] = {"small": [], "large": []}
    for _ in range(args.rounds):
        for name, index, stream in (("small", small, small_stream), ("large", large, large_stream)):
            rate, cmp = _window(index, stream, name[0], args.window)
            rates[name].append(rate)
            cmps[name].append(cmp)
    small_rate, large_rate = statistics.median(rates["small"]), statistics.median(rates["large"])
    print(f"built {args.small:,} + {args.large:,} questions in {build:.1f} s")
    print(f"{'stored':>10} {'adds/s (median)':>16} {'comparisons/add':>16} {'groups':>8}")
    print(f"{args.small:>10,} {small_rate:>16,.0f} {statistics.mean(cmps['small']):>16.1f} "
          f"{len({small.group_of(q) for q in list(small._group)}):>8,}")
    print(f"{args.large:>10,} {large_rate:>16,.0f} {statistics.mean(cmps['large']):>16.1f} "
          f"{len({large.group_of(q) for q in list(large._group)}):>8,}")
    print(f"ratio small/large adds per second: {small_rate / large_rate:.2f}  (1.0 = flat)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
