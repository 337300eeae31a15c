"""The public form against a bare FastAPI endpoint doing one durable SQLite insert per request, same run.

Method (shared/docs/benchmarking.md): two uvicorn servers pinned to CPU 0, wrk pinned to CPU 1, windows
interleaved A B A B, at 16 and at 256 connections; reported: requests/s, p99 (wrk's latency distribution)
and server CPU per request (from /proc), each beside the bare server's figure of the same round.
  bare:    FastAPI, the same path and body model, one INSERT + COMMIT per request on a WAL SQLite file with
           synchronous=FULL (the "durable insert" of the issue's goal);
  livecue: the real app (SQLite, synchronous=FULL, rate limiter lifted): triaged, PHI-screened, grouped,
           journaled, committed by the form intake (group commit) before the 202.

Where the 19 ms per form question went (py-spy `record --gil` and `perf record -g` on the server, 16
connections, before group commit): about 11-13 ms of CPU per question, and it was not triage or SQLite.
  - ~10 ORM statements per question (event by slug, known ids, muted authors, grouping candidates, new
    group, message insert, keys, journal head UPDATE, journal INSERT, COMMIT), each a hop to the aiosqlite
    connection's own thread and back: SQLAlchemy's per-statement work plus the hop was ~45% of GIL time;
  - up to 15 pooled connections = 15 threads contending for the GIL with the event loop: ~300 context
    switches per question (perf: 14% of samples in finish_task_switch, futex waits, sem_post);
  - every request took SQLite's write lock with BEGIN IMMEDIATE and lost to the others: SQLite's busy
    handler sleeps 1..100 ms between tries (py-spy --native: clock_nanosleep under
    sqlite3InvokeBusyHandler), which is where the seconds of p99 came from;
  - triage + PHI screen: ~12% of GIL samples (~0.4 ms a question); grouping's similarity ~9%.
The triage + PHI figure rose from ~0.08 to ~0.4 ms since the multilingual risk cues, the logistic model and
the gazetteer/name screens arrived (bench/screen_speed.py measures it alone); with group commit it is about
a third of what is left per question, so it matters only after the HTTP stack.
After group commit (server/questions/intake.py): one writer, one transaction per batch, one event lookup,
multi-row Core inserts and one journal entry per batch. Profiled again (py-spy --gil, 32 connections): the
intake 41% of GIL samples (triage 9%, PHI screen 6%, grouping's similarity scores 9%, the batch's statements
the rest), the HTTP stack 36%, of which FastAPI 0.165's route matching through included routers
(`_IncludedRouter._match`, tried route by route) alone 12%. The security headers were a BaseHTTPMiddleware
(a task group and a re-streamed body per request); as plain ASGI the form's CPU per question fell ~12%.
Then (py-spy --gil, 16 and 32 connections): well-formed posts are answered by a fast path ahead of routing
(server/questions/public_form.py: no route matching, no dependency solving; refusals still go to the route),
which took the HTTP stack from 36% to ~9-11% of samples; grouping's similarity was 16%, nearly all of it
rebuilding the same signatures: feature_similarity recomputed both sides' core sets per comparison, and every
batch recomputed the term sets of the ~48 candidates it loaded (grouping_db's `_signature`, an LRU, now keeps
them; place fell to ~4-10%). Triage + PHI screen on the bench's text: 137 + 90 µs (bench/screen_speed.py has
the regexes compiled once and prefiltered already; the cost is the rule layers and the model, not
recompilation). Same-run A/B, shared machine (load 2-5), two interleaved runs each, CPU per question:
16 connections 2.52/2.55 ms before -> 1.94/1.97 ms after; 256 connections 2.20/1.78 -> 1.07/1.04 ms.
A later run with the disk quieter (bare 799 / 1,930 req/s): form 503 / 846 req/s (0.63 / 0.44 of bare),
1.77 / 0.95 ms CPU per question at 16 / 256 connections.
What was left at 16 connections was mostly per batch. Counted, not estimated (a before_cursor_execute
listener, and calls queued to aiosqlite's thread, for one batch of 16 questions): 41 statements besides BEGIN and
COMMIT, 114 thread hops, plus the feed hub's read-back. The multi-row inserts were not: asking for the new ids
in parameter order (`sort_by_parameter_order`) makes SQLAlchemy send one INSERT per row on SQLite (it has no
sentinel to sort by), 16 for the groups and 16 for the messages. And a bench run showed batches of ~8 questions
on average, not 16 (journal entries vs messages): the writer took whatever had arrived when it woke, so two
half-batches alternated, each paying the whole per-batch cost. Changed, in order (tests/questions/
test_batch_statements.py counts the statements; tests/db/test_sqlite_hops.py the hops):
  - one multi-row INSERT each for groups and messages, ids matched by (platform, external id) and by the
    groups' inserted values: 41 -> 10 statements;
  - server/db/sqlite_driver.py: a statement is one call to aiosqlite's thread (cursor, execute, fetch, close
    in one function) instead of three or four: 114 -> 13 hops a batch, BEGIN and COMMIT included;
  - the feed hub fans out this process's committed entries without reading them back (journal/tail.py's
    `committed_next`: when they are exactly the next sequence numbers; otherwise it reads as before);
  - known ids and muted authors in one cached Core statement; grouping, message and journal-head statements
    on the session's connection, prebuilt (no ORM result processing, no statement construction per batch):
    10 statements a batch (event, lookups, savepoint, candidates, groups, messages, keys, release, journal
    head, journal entry) besides BEGIN and COMMIT;
  - the writer yields to the event loop while its queue grows (at most 16 turns, until 3 bring nothing; no
    timer) before taking a batch: ~16 questions a batch at 16 connections instead of ~8.
In process (the intake alone, feed hub running, no HTTP; same-run A/B against the tree before, alternating,
load ~2 from another engineer's runs): a 1-question batch 9.2-10.0 -> 6.0 ms of CPU, a 16-question batch
21.6-29.1 -> 14.2-15.0 ms. Profile after (py-spy --gil, 16 connections): triage + PHI screen ~30% of samples,
grouping's similarity ~9%, the HTTP stack ~19%, the batch's statements ~15-20%.
This bench, same-run ratios, the tree before (952b0d6) and after run alternately, 16 connections, 2 rounds
each, 2026-12-07 18:07-18:09 UTC, load 2.1-3.1 (another engineer's benches and tests): before 457 / 432 req/s,
0.247 / 0.221 of bare, 2.12 / 2.23 ms CPU per question; after 847 / 780 req/s, 0.454 / 0.369 of bare,
1.10 / 1.20 ms. The bare endpoint's own CPU per request was 0.31-0.36 ms in those runs (0.27 ms on a quiet
machine), so the machine was slower than quiet by about that much. Full run just before (18:05-18:07, load
1.4-2.3): 16 connections 819 req/s (0.60 of bare, whose windows ranged 982-1,815), 1.14 ms; 256 connections
1,049 req/s (0.55), p99 638 ms (bare 2,280 ms), 0.90 ms.
p99 at 256 connections: wrk is a closed loop, so mean latency = connections / throughput; p99 <= 50 ms with
256 connections needs > 5,000 answered requests a second, i.e. < 0.2 ms of server CPU per request on the one
server core. The bare durable endpoint does not meet it either: here its p99 at 256 connections was 1.4-2.8 s
(115-230 req/s: each request waits for its own fsync), and 833 ms in the README's earlier run (1,766 req/s);
even the ~3,000 req/s of a quiet machine (shared/docs/benchmarking.md) means ~85 ms on average.

Usage: python bench/form_bench.py [--json] [--window S] [--rounds N] [--conns N N ...]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from fastapi import FastAPI

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.apps import FormBody, bench_servers, livecue_app, pin  # noqa: E402
from bench.common import cpu_seconds  # noqa: E402

PATH = "/api/public/events/bench/questions"
LUA = """wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, '{"name":"Guest","text":"How long does the surgery ' .. n .. ' take?"}')
end
"""


def bare_durable_app(db: Path) -> FastAPI:
    """FastAPI parsing the form body and committing one row per request (WAL, synchronous=FULL)."""
    conn = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE IF NOT EXISTS q (id INTEGER PRIMARY KEY, slug TEXT, name TEXT, text TEXT)")
    app = FastAPI()

    @app.post(PATH, status_code=202)
    async def bare_form(body: FormBody) -> dict[str, str]:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO q (slug, name, text) VALUES (?, ?, ?)", ("bench", body.name, body.text))
        conn.execute("COMMIT")
        return {"status": "received"}

    return app


def serve(kind: str, port: int, db: str) -> None:
    """Run one server on CPU 0."""
    import uvicorn

    pin({0})
    app = bare_durable_app(Path(db)) if kind == "bare" else livecue_app(Path(db))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _ms(text: str) -> float:
    value, unit = float(re.match(r"[\d.]+", text).group()), re.sub(r"[\d.]+", "", text)  # type: ignore[union-attr]
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}.get(unit, 1.0)


def percentile_ms(out: str, q: int) -> float:
    """wrk's latency distribution line for `q`% in ms (anchored: a "92.99%" in a stdev column is not it)."""
    return _ms(re.search(rf"^\s+{q}%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]


def wrk(port: int, pid: int, connections: int, seconds: float, script: Path) -> dict[str, float]:
    """One wrk window: requests/s, p99 ms, server CPU µs per request, non-2xx count."""
    cpu0 = cpu_seconds(pid)
    out = subprocess.run(["taskset", "-c", "1", "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency",
                          "--timeout", "10s", "-s", str(script), f"http://127.0.0.1:{port}{PATH}"],
                         capture_output=True, text=True, check=True).stdout
    cpu = cpu_seconds(pid) - cpu0
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = percentile_ms(out, 99)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    timeouts = re.search(r"timeout (\d+)", out)
    return {"rps": rate, "p99_ms": p99, "cpu_us": cpu / max(requests, 1) * 1e6,
            "errors": (int(bad.group(1)) if bad else 0) + (int(timeouts.group(1)) if timeouts else 0)}


async def measure(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    """Start both servers, run the interleaved windows, return medians per connection count."""
    script = tmp / "form.lua"
    script.write_text(LUA)
    async with bench_servers(__file__, tmp) as (ports, procs):
        out: dict[str, Any] = {}
        for connections in args.conns:
            runs: dict[str, list[dict[str, float]]] = {"bare": [], "livecue": []}
            for _ in range(args.rounds):
                for kind in ("bare", "livecue"):
                    runs[kind].append(await asyncio.to_thread(wrk, ports[kind], procs[kind].pid, connections,
                                                              args.window, script))
            med = {k: {m: statistics.median(r[m] for r in v) for m in ("rps", "p99_ms", "cpu_us")}
                   for k, v in runs.items()}
            out[str(connections)] = {
                "bare": {k: round(v, 1) for k, v in med["bare"].items()},
                "livecue": {k: round(v, 1) for k, v in med["livecue"].items()},
                "errors": {k: sum(int(r["errors"]) for r in v) for k, v in runs.items()},
                "windows_rps": {k: [round(r["rps"]) for r in v] for k, v in runs.items()}}
        return out


def figures(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Each figure beside the bare durable endpoint's, same run."""
    rows = []
    for connections, r in result.items():
        bare, live = r["bare"], r["livecue"]
        rows += [{"figure": f"form req/s, {connections} conns", "value": live["rps"], "baseline": bare["rps"],
                  "ratio": round(live["rps"] / max(bare["rps"], 1e-9), 3), "unit": "req/s"},
                 {"figure": f"form p99, {connections} conns", "value": live["p99_ms"], "baseline": bare["p99_ms"],
                  "ratio": round(live["p99_ms"] / max(bare["p99_ms"], 1e-9), 2), "unit": "ms"},
                 {"figure": f"form server CPU/req, {connections} conns", "value": live["cpu_us"],
                  "baseline": bare["cpu_us"], "ratio": round(live["cpu_us"] / max(bare["cpu_us"], 1e-9), 2),
                  "unit": "µs"}]
    return rows


def main(argv: list[str]) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--window", type=int, default=5, help="seconds per wrk window")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per connection count")
    parser.add_argument("--conns", type=int, nargs="+", default=[16, 256], help="wrk connection counts")
    parser.add_argument("--serve", choices=("bare", "livecue"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve, args.port, args.db)
        return 0
    if shutil.which("wrk") is None:
        print("wrk is not installed (Debian: apt-get install -y wrk)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="livecue-form-") as name:
        result = asyncio.run(measure(args, Path(name)))
    rows = figures(result)
    if args.json:
        print(json.dumps({"connections": result, "figures": rows}, indent=2))
    else:
        for row in rows:
            print(f"{row['figure']:<34} Livecue {row['value']:>9} {row['unit']:<5} bare durable "
                  f"{row['baseline']:>9} -> x{row['ratio']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
