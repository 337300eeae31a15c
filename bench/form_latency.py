"""The public form's latency at 256 connections when the server is not saturated, against the bare durable
endpoint under the same offered load, same run.

Why a second form bench: `bench/form_bench.py` runs wrk as a closed loop (every connection sends again the
moment it is answered), so it saturates the server and its p99 is queueing, not service: by Little's law the
mean latency is connections / throughput, and p99 <= 50 ms at 256 connections would need more than 5,000
answered requests a second from any server on the one core, the bare durable endpoint included (its p99 there
is hundreds of milliseconds). That figure stays in form_bench as the issue asks. Real form clients are people:
each sends a question and then reads, so the question a hospital asks is how long a question waits when 256 of
them post at a steady rate the server can carry. Here every connection waits a random 0..2×gap ms before each
request (wrk's `delay()`), so the offered rate is about connections / (gap + latency), and wrk's latency is the
server's own answer time, including the group commit's wait for its batch.

Method (shared/docs/benchmarking.md): the two servers of form_bench (the real app on SQLite FULL, rate limiter
lifted; the bare FastAPI endpoint with one INSERT + COMMIT per request) pinned to CPU 0, wrk to CPU 1, windows
interleaved A B A B per offered rate; reported: achieved requests/s, p50 and p99, server CPU per request.

Usage: python bench/form_latency.py [--json] [--window S] [--rounds N] [--conns N] [--rates R R ...]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import form_bench  # noqa: E402

from bench.apps import bench_servers  # noqa: E402
from bench.common import cpu_seconds  # noqa: E402

PACED_LUA = form_bench.LUA + """
local gap = {gap}
delay = function()
  return math.random(0, 2 * gap)
end
"""


def paced_window(port: int, pid: int, connections: int, seconds: float, script: Path) -> dict[str, float]:
    """One wrk window with paced connections: requests/s, p50 and p99 ms, CPU µs per request, errors."""
    cpu0 = cpu_seconds(pid)
    out = subprocess.run(["taskset", "-c", "1", "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency",
                          "--timeout", "10s", "-s", str(script), f"http://127.0.0.1:{port}{form_bench.PATH}"],
                         capture_output=True, text=True, check=True).stdout
    cpu = cpu_seconds(pid) - cpu0
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    timeouts = re.search(r"timeout (\d+)", out)
    return {"rps": requests / seconds,
            "p50_ms": form_bench.percentile_ms(out, 50), "p99_ms": form_bench.percentile_ms(out, 99),
            "cpu_us": cpu / max(requests, 1) * 1e6,
            "errors": (int(bad.group(1)) if bad else 0) + (int(timeouts.group(1)) if timeouts else 0)}


async def measure(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    """Start both servers, warm them, run the interleaved paced windows; medians per offered rate."""
    async with bench_servers(form_bench.__file__, tmp) as (ports, procs):
        out: dict[str, Any] = {}
        for rate in args.rates:
            script = tmp / f"paced-{rate}.lua"
            script.write_text(PACED_LUA.replace("{gap}", str(max(1, round(args.conns / rate * 1000)))))
            for kind in ("bare", "livecue"):  # warm-up at this rate (first connections, first batches), not kept
                await asyncio.to_thread(paced_window, ports[kind], procs[kind].pid, args.conns, 2, script)
            runs: dict[str, list[dict[str, float]]] = {"bare": [], "livecue": []}
            for _ in range(args.rounds):
                for kind in ("bare", "livecue"):
                    runs[kind].append(await asyncio.to_thread(paced_window, ports[kind], procs[kind].pid,
                                                              args.conns, args.window, script))
            out[str(rate)] = {
                kind: {m: round(statistics.median(r[m] for r in v), 2) for m in ("rps", "p50_ms", "p99_ms", "cpu_us")}
                for kind, v in runs.items()}
            out[str(rate)]["errors"] = {k: sum(int(r["errors"]) for r in v) for k, v in runs.items()}
            out[str(rate)]["p99_windows_ms"] = {k: [round(r["p99_ms"], 1) for r in v] for k, v in runs.items()}
        return out


def figures(result: dict[str, Any], conns: int) -> list[dict[str, Any]]:
    """p99 and throughput per offered rate, each beside the bare durable endpoint's."""
    rows = []
    for rate, r in result.items():
        bare, live = r["bare"], r["livecue"]
        rows += [{"figure": f"form p99, {conns} paced conns, {rate} req/s offered", "value": live["p99_ms"],
                  "baseline": bare["p99_ms"], "ratio": round(live["p99_ms"] / max(bare["p99_ms"], 1e-9), 2),
                  "unit": "ms"},
                 {"figure": f"form req/s, {conns} paced conns, {rate} req/s offered", "value": live["rps"],
                  "baseline": bare["rps"], "ratio": round(live["rps"] / max(bare["rps"], 1e-9), 3), "unit": "req/s"}]
    return rows


def main(argv: list[str]) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--window", type=int, default=6, help="seconds per wrk window")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per offered rate")
    parser.add_argument("--conns", type=int, default=256, help="wrk connections")
    parser.add_argument("--rates", type=int, nargs="+", default=[128, 256],
                        help="offered requests/s in all (each connection paced to its share)")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed (Debian: apt-get install -y wrk)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="livecue-form-latency-") as name:
        result = asyncio.run(measure(args, Path(name)))
    rows = figures(result, args.conns)
    if args.json:
        print(json.dumps({"rates": result, "figures": rows}, indent=2))
    else:
        for row in rows:
            print(f"{row['figure']:<46} Livecue {row['value']:>8} {row['unit']:<5} bare durable "
                  f"{row['baseline']:>8} -> x{row['ratio']}")
        for rate, r in result.items():
            print(f"  {rate} req/s offered: p50 Livecue {r['livecue']['p50_ms']} ms, bare {r['bare']['p50_ms']} ms; "
                  f"CPU/req {r['livecue']['cpu_us']} vs {r['bare']['cpu_us']} µs; errors {r['errors']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
