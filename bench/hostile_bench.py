"""Hostile bodies during a live event: the console feed's latency and the server's memory, idle against attacked.

One real Livecue server process (uvicorn, SQLite, workers running; pinned to CPU 0) and a live sandbox event; the
driver and, in a process of its own, the attackers run on CPU 1. A console listens on the feed (WebSocket,
bearer session). The probe is an operator write that is journaled (renaming the event): its latency runs from
sending the request to the console receiving the entry. Two phases, measured in this run:
  - idle:   probes alone (the baseline);
  - attack: the same probes while, once a second, every anonymous route gets at once the 10.7 MB body of
            900,000 unknown keys and a 50 MB body (each with a Content-Length and chunked without one) and a
            slow drip (one byte every 50 ms); midway the operator cues an item, which must post and reach the
            console.
The server records, for every request, the time from its arrival to the start of its answer and the status
(server time, its own clock). Reported: feed latency p50/p99 per phase (ratio attack/idle; the goal is at most
2), server time to refuse each kind (p50/p99/max; the drip is refused at LIVECUE_BODY_TIMEOUT_SECONDS by design),
the server CPU the attack cost per refusal (above the idle rate), the server's resident memory growth during the
attack, and the cue's arrival at the console. Client-side outcomes (answers lost to a reset) are listed too.
Usage: python bench/hostile_bench.py [--json] [--probes N] [--every S] [--drip-timeout S]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import asdict
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import cpu_seconds  # noqa: E402
from tests.chaos.scenario import create_users, login, seed_event  # noqa: E402
from tests.chaos.servers import migrate  # noqa: E402
from tests.security.hostile import KINDS, Outcome, many_keys_body, send  # noqa: E402

ANONYMOUS = [("GET", "/healthz"), ("POST", "/api/auth/login"), ("GET", "/"), ("GET", "/login"), ("GET", "/console"),
             ("GET", "/tablet"), ("GET", "/sandbox"), ("GET", "/ui/css/base.css"), ("GET", "/api/sandbox/feed"),
             ("POST", "/api/sandbox/replies"), ("GET", "/sandbox/media/" + "0" * 64),
             ("POST", "/api/public/events/{slug}/questions")]


# ---------------------------------------------------------------- the server (run as a subprocess)
class Timing:
    """Outermost ASGI wrapper: per request, seconds from arrival to the answer's start, and its status."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.records: list[tuple[str, str, int, float]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] == "/bench/timings":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def timed(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                self.records.append((scope["method"], scope["path"], int(message["status"]),
                                     time.perf_counter() - started))
            await send(message)

        await self.app(scope, receive, timed)


def serve(port: int, data_dir: Path, database_url: str, drip_timeout: float) -> None:
    """The real app (workers running) behind the timing wrapper, with a route that hands out the timings."""
    import uvicorn

    from server.app import create_app
    from server.auth.deps import PUBLIC
    from server.config import Settings

    settings = Settings(database_url=database_url, data_dir=data_dir, migrate_on_start=False,
                        body_timeout_seconds=drip_timeout, public_form_per_minute=100_000,
                        sandbox_replies_per_minute=100_000, preflight_required=False, _env_file=None)
    app = create_app(settings)
    timing = Timing(app)

    @app.get("/bench/timings", dependencies=[PUBLIC])
    async def timings() -> list[tuple[str, str, int, float]]:
        records, timing.records = timing.records, []
        return records

    uvicorn.run(timing, host="127.0.0.1", port=port, log_level="warning", ws_per_message_deflate=False)


# ---------------------------------------------------------------- measuring
def rss_mb(pid: int) -> float:
    """Resident memory of a process, MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def pct(values: list[float], q: float) -> float:
    """The q-quantile (nearest rank) of seconds, in milliseconds."""
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))] * 1000, 2)


class Console:
    """The console's feed: entries as they arrive, with their arrival time."""

    def __init__(self, conn: ClientConnection) -> None:
        self.conn = conn
        self.arrivals: asyncio.Queue[tuple[float, dict[str, Any]]] = asyncio.Queue()
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        with contextlib.suppress(Exception):
            async for raw in self.conn:
                frame = json.loads(raw)
                if frame.get("type") == "entry":
                    await self.arrivals.put((time.perf_counter(), frame["entry"]))

    async def until(self, kind: str, timeout: float = 30.0) -> float:
        """Arrival time of the next entry of `kind`."""
        async with asyncio.timeout(timeout):
            while True:
                at, entry = await self.arrivals.get()
                if entry["kind"] == kind:
                    return at


async def probes(http: httpx.AsyncClient, base: str, headers: dict[str, str], event_id: int, console: Console,
                 count: int, gap: float) -> list[float]:
    """Feed latency of `count` journaled operator writes, one at a time."""
    latencies = []
    for n in range(count):
        started = time.perf_counter()
        answer = await http.patch(f"{base}/api/events/{event_id}", headers=headers, json={"title": f"Probe {n}"})
        assert answer.status_code == 200, answer.text
        latencies.append(await console.until("event.updated") - started)
        await asyncio.sleep(gap)
    return latencies


async def attacker(host: str, method: str, path: str, kind: str, out: Path) -> None:
    """Send one hostile kind to one route and append the client's outcome to `out` (one JSON line)."""
    outcome = await send(host, method, path, kind, timeout=30)
    with out.open("a") as handle:
        handle.write(json.dumps(asdict(outcome)) + "\n")


async def attack(host: str, slug: str, every: float, out: Path) -> None:
    """Rounds: every kind against every anonymous route at once, a round every `every` seconds, until stopped."""
    many_keys_body()
    routes = [(m, p.replace("{slug}", slug)) for m, p in ANONYMOUS]
    running: set[asyncio.Task[Any]] = set()
    while True:
        for method, path in routes:
            for kind in KINDS:
                task = asyncio.create_task(attacker(host, method, path, kind, out))
                running.add(task)
                task.add_done_callback(running.discard)
        await asyncio.sleep(every)


async def measure(base: str, pid: int, headers: dict[str, dict[str, str]], event_id: int, cue_item: int,
                  args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Idle probes, then the same probes under attack; memory and CPU sampled throughout."""
    host = base.removeprefix("http://")
    token = headers["comms"]["Authorization"]
    async with httpx.AsyncClient(timeout=30) as http:
        slug = (await http.get(f"{base}/api/events/{event_id}", headers=headers["comms"])).json()["slug"]
        conn = await connect(f"ws://{host}/api/ws?event_id={event_id}", additional_headers={"Authorization": token},
                             proxy=None, compression=None)
        console = Console(conn)
        await probes(http, base, headers["comms"], event_id, console, 5, args.gap)  # warm up
        idle_started, idle_cpu = time.perf_counter(), cpu_seconds(pid)
        idle = await probes(http, base, headers["comms"], event_id, console, args.probes, args.gap)
        idle_rate = (cpu_seconds(pid) - idle_cpu) / (time.perf_counter() - idle_started)
        await http.get(f"{base}/bench/timings")  # forget the set-up's requests
        rss_idle = rss_mb(pid)
        samples = [rss_idle]
        stop = asyncio.Event()
        log = workdir / "outcomes.jsonl"
        attack_started, cpu0 = time.perf_counter(), cpu_seconds(pid)
        attackers = subprocess.Popen([sys.executable, __file__, "--attack", host, "--slug", slug, "--every",
                                      str(args.every), "--out", str(log)])

        async def sample() -> None:
            while not stop.is_set():
                samples.append(rss_mb(pid))
                await asyncio.sleep(0.1)

        sampler = asyncio.create_task(sample())
        await asyncio.sleep(1.5)  # the attack is under way
        attacked = await probes(http, base, headers["comms"], event_id, console, args.probes // 2, args.gap)
        cued_at = time.perf_counter()
        cued = await http.post(f"{base}/api/items/{cue_item}/post-now", headers=headers["comms"], json={})
        assert cued.status_code == 200, cued.text
        posted_at = await console.until("delivery.posted")
        attacked += await probes(http, base, headers["comms"], event_id, console, args.probes - args.probes // 2,
                                 args.gap)
        attackers.send_signal(signal.SIGINT)
        attackers.wait(timeout=30)
        stop.set()
        await sampler
        await asyncio.sleep(args.drip_timeout + 1)  # the last round's drips are answered
        attack_seconds = time.perf_counter() - attack_started
        attack_cpu = cpu_seconds(pid) - cpu0 - idle_rate * attack_seconds
        server_side = (await http.get(f"{base}/bench/timings")).json()
        rss_after = rss_mb(pid)
        await conn.close()
    clients: dict[str, list[Outcome]] = defaultdict(list)
    for line in log.read_text().splitlines():
        with contextlib.suppress(ValueError, TypeError):  # a line cut short when the attackers were stopped
            outcome = Outcome(**json.loads(line))
            clients[outcome.kind].append(outcome)
    return {"idle": idle, "attacked": attacked, "clients": clients, "server": server_side, "attack_cpu": attack_cpu,
            "rss_idle": rss_idle, "rss_peak": max(samples), "rss_after": rss_after,
            "cue_to_feed_s": posted_at - cued_at}


def wait_up(url: str, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    """Until the server answers /healthz."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError("the server did not start")


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Server, users, live event; both phases; the summary."""
    workdir = Path(tempfile.mkdtemp(prefix="livecue-bench-"))
    url = f"sqlite+aiosqlite:///{workdir / 'livecue.db'}"
    data = workdir / "data"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    many_keys_body()  # built before anything is timed
    server: subprocess.Popen[bytes] | None = None
    try:
        migrate(url, data)
        users = create_users(url, data)
        server = subprocess.Popen([sys.executable, __file__, "--serve", str(port), "--data-dir", str(data), "--db",
                                   url, "--drip-timeout", str(args.drip_timeout)])
        base = f"http://127.0.0.1:{port}"
        wait_up(base, server)
        if (os.cpu_count() or 1) >= 2:
            os.sched_setaffinity(server.pid, {0})
            os.sched_setaffinity(0, {1})
        with httpx.Client(timeout=30) as http:
            headers = {role: login(http, base, name) for role, name in users.items()}
            seeded = seed_event(http, base, headers, account="benchhospital", items=1, tag="Bench")
        result = asyncio.run(measure(base, server.pid, headers, seeded.id, seeded.item_ids[0], args, workdir))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        shutil.rmtree(workdir, ignore_errors=True)
    return summarise(result, args)


def _kind(method: str, path: str, status: int) -> str:
    return "slow-drip" if status == 408 else "body too large" if status == 413 else f"other {status}"


def summarise(r: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    """Figures against their same-run baselines."""
    idle, attacked = r["idle"], r["attacked"]
    server: dict[str, list[float]] = defaultdict(list)
    for method, path, status, seconds in r["server"]:
        if not (method == "PATCH" or path.startswith("/api/items") or path == "/api/ws"):
            server[_kind(method, path, status)].append(seconds)
    refused = {kind: {"count": len(values), "p50_ms": pct(values, 0.5), "p99_ms": pct(values, 0.99),
                      "max_ms": pct(values, 1.0)} for kind, values in sorted(server.items())}
    count = sum(v["count"] for k, v in refused.items() if not k.startswith("other"))
    clients = {kind: {"count": len(items), "statuses": sorted({o.status for o in items}),
                      "lost_to_reset": sum(1 for o in items if o.status == 0),
                      "max_sent_kb": round(max(o.sent for o in items) / 1024)}
               for kind, items in sorted(r["clients"].items())}
    feed = {"idle_p50_ms": pct(idle, 0.5), "idle_p99_ms": pct(idle, 0.99), "attack_p50_ms": pct(attacked, 0.5),
            "attack_p99_ms": pct(attacked, 0.99)}
    large = refused.get("body too large", {"p99_ms": 0.0, "max_ms": 0.0})
    figures = [
        {"figure": "console feed p99 under attack", "value": feed["attack_p99_ms"], "baseline": feed["idle_p99_ms"],
         "ratio": round(feed["attack_p99_ms"] / feed["idle_p99_ms"], 2), "unit": "ms"},
        {"figure": "console feed p50 under attack", "value": feed["attack_p50_ms"], "baseline": feed["idle_p50_ms"],
         "ratio": round(feed["attack_p50_ms"] / feed["idle_p50_ms"], 2), "unit": "ms"},
        {"figure": "server time to refuse a large body, p99", "value": large["p99_ms"],
         "baseline": feed["idle_p50_ms"], "ratio": round(large["p99_ms"] / feed["idle_p50_ms"], 2), "unit": "ms"},
        {"figure": "server memory, peak under attack", "value": round(r["rss_peak"], 1),
         "baseline": round(r["rss_idle"], 1), "ratio": round(r["rss_peak"] / r["rss_idle"], 2), "unit": "MB"},
    ]
    return {"probes": len(idle), "refusals": count, "drip_timeout_s": args.drip_timeout,
            "attack_cpu_ms_per_refusal": round(max(r["attack_cpu"], 0.0) / max(count, 1) * 1000, 2),
            "memory_growth_mb": round(r["rss_peak"] - r["rss_idle"], 1), "rss_after_mb": round(r["rss_after"], 1),
            "cue_to_console_ms": round(r["cue_to_feed_s"] * 1000, 1), "feed": feed, "server_side": refused,
            "clients": clients, "all_refused": not any(k.startswith("other") for k in refused) and count > 0,
            "figures": figures}


def report(result: dict[str, Any]) -> None:
    """Human-readable summary."""
    feed = result["feed"]
    print(f"console feed (operator write -> console), {result['probes']} probes per phase: "
          f"idle p50 {feed['idle_p50_ms']} / p99 {feed['idle_p99_ms']} ms; under attack p50 {feed['attack_p50_ms']} "
          f"/ p99 {feed['attack_p99_ms']} ms (x{result['figures'][0]['ratio']} at p99)")
    print(f"{result['refusals']} hostile requests refused (all: {result['all_refused']}); attack CPU "
          f"{result['attack_cpu_ms_per_refusal']} ms per refusal; server memory +{result['memory_growth_mb']} MB at "
          f"peak; the cue reached the console {result['cue_to_console_ms']} ms after it was sent")
    for kind, r in result["server_side"].items():
        print(f"  server, {kind:<15} {r['count']:>5}x  p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms, "
              f"max {r['max_ms']} ms")
    for kind, r in result["clients"].items():
        print(f"  client, {kind:<18} {r['count']:>5}x {r['statuses']} ({r['lost_to_reset']} answers lost to a "
              f"reset), at most {r['max_sent_kb']} KB sent before the answer")


def main() -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--probes", type=int, default=100, help="feed probes per phase")
    parser.add_argument("--gap", type=float, default=0.05, help="seconds between two probes")
    parser.add_argument("--every", type=float, default=1.0,
                        help="seconds between two rounds of the attack (each round: every kind to every route)")
    parser.add_argument("--drip-timeout", type=float, default=2.0, help="LIVECUE_BODY_TIMEOUT_SECONDS of the server")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--attack", help=argparse.SUPPRESS)
    parser.add_argument("--slug", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, Path(args.data_dir), args.db, args.drip_timeout)
        return 0
    if args.attack:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(attack(args.attack, args.slug, args.every, Path(args.out)))
        return 0
    result = run(args)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        report(result)
    return 0 if result["all_refused"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
