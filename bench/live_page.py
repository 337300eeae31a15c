"""The public live page under a crowd: Server-Sent Events fan-out and conditional GETs, each against a bare server.

Two servers run at once, pinned to CPU 0 (uvloop in both, as uvicorn picks it); the driver, its clients and wrk
run on CPU 1 (shared/docs/benchmarking.md):
  - livecue: the real app (uvicorn, SQLite synchronous=FULL, the live-page hub) plus one bench route that writes a
    posted delivery and its `delivery.posted` journal entry and commits, as the dispatcher does;
  - bare: a minimal Starlette app: GET /events streams from an in-memory queue per client, POST /publish puts one
    pre-encoded frame of the same shape in every queue; GET /static/page.html is the live page's bytes served by
    Starlette's StaticFiles (ETag, 304 on If-None-Match).
SSE: N clients (default 5,000) on each server; posts are written one server at a time in windows interleaved
A B B A. Delivery latency is from the post's stamp (`posted_at`, set before the commit; the bare server's stamp
before it queues the frame) to the frame's arrival (raw asyncio protocols timestamping in `data_received`), and
for Livecue also from the commit's end, i.e. the fan-out alone. Conditional GETs: `wrk` sends If-None-Match with
the current ETag to the page (`/live/bench`) and to the bare static file, interleaved A B B A; both answer 304.
Usage: python bench/live_page.py [--clients N] [--posts P] [--rounds R] [--seconds S] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import cpu_seconds, free_port, quantile, wait_up  # noqa: E402

FRAME = re.compile(rb"data: (\{[^\n]*\})\n\n")


def _raise_open_files() -> None:
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def _pin(cpu: int) -> None:
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {cpu})


def serve_livecue(port: int, data_dir: Path) -> None:
    """The real app, and a route that posts one delivery the way the dispatcher records it."""
    import uvicorn

    from server.app import create_app
    from server.auth.deps import PUBLIC
    from server.config import Settings
    from server.db.session_scope import transaction
    from server.journal import service as journal
    from server.journal.kinds import JournalKind
    from server.models import Delivery, Event

    settings = Settings(database_url=f"sqlite+aiosqlite:///{data_dir / 'livecue.db'}", data_dir=data_dir,
                        run_workers=False, sqlite_synchronous="FULL", live_sse_max_clients=100_000,
                        _env_file=None)
    app = create_app(settings)

    bench: dict[str, int] = {}  # the event the bench made

    @app.post("/bench/setup", dependencies=[PUBLIC])
    async def setup() -> dict[str, int]:
        state = app.state.livecue
        async with transaction(state.sessionmaker) as session:
            event = Event(slug="bench", title="Heart bypass, live from OR 3", hashtag="#LiveOR", timezone="UTC",
                          status="live", planned_start=datetime.now(UTC))
            session.add(event)
            await session.flush()
            bench["event_id"] = event.id
        return {"event_id": event.id}

    @app.post("/bench/post", dependencies=[PUBLIC])
    async def post(n: int) -> dict[str, float]:
        state = app.state.livecue
        event_id = bench["event_id"]
        async with transaction(state.sessionmaker) as session:
            row = Delivery(event_id=event_id, purpose="thread", platform="sandbox", account="bench",
                           idempotency_key=f"bench-{n}", thread_seq=n + 1000, status="posted",
                           text=f"Update {n}: the team is at step {n} of the operation. #LiveOR",
                           remote_url=f"http://127.0.0.1/sandbox/{n}", posted_at=datetime.now(UTC))
            session.add(row)
            await session.flush()
            await journal.record(session, actor=None, kind=JournalKind.DELIVERY_POSTED, subject_type="delivery",
                                 subject_id=row.id, event_id=event_id, payload={"platform": "sandbox"})
        return {"committed": time.time()}

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, backlog=8192,
                timeout_graceful_shutdown=2)


def serve_bare(port: int, static_dir: Path) -> None:
    """A bare SSE broadcast and a static file (Starlette, uvicorn)."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles
    from starlette.types import Receive, Scope, Send

    queues: set[asyncio.Queue[bytes]] = set()

    class Events:
        """GET /events: one queue per reader, fed by /publish."""

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            queue: asyncio.Queue[bytes] = asyncio.Queue()
            queues.add(queue)
            try:
                await send({"type": "http.response.start", "status": 200,
                            "headers": [(b"content-type", b"text/event-stream"), (b"cache-control", b"no-store")]})
                await send({"type": "http.response.body", "body": b"retry: 3000\n\n", "more_body": True})
                while True:
                    await send({"type": "http.response.body", "body": await queue.get(), "more_body": True})
            except OSError:
                pass
            finally:
                queues.discard(queue)

    async def publish(request: Request) -> JSONResponse:
        n = int(request.query_params["n"])
        data = json.dumps({"id": f"b{n}", "seq": n, "text": f"Update {n}: the team is at step {n}. #LiveOR",
                           "posted_at": datetime.now(UTC).isoformat()})
        frame = f"id: {n}\nevent: post\ndata: {data}\n\n".encode()
        for queue in queues:
            queue.put_nowait(frame)
        return JSONResponse({"clients": len(queues)})

    app = Starlette(routes=[Route("/publish", publish, methods=["POST"]), Route("/events", Events()),
                            Mount("/static", StaticFiles(directory=static_dir))])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, backlog=8192)


class SseClient(asyncio.Protocol):
    """One SSE reader: sends its GET, then timestamps every complete frame it receives."""

    def __init__(self, path: str, sink: list[tuple[float, bytes]]) -> None:
        self.path, self.sink = path, sink
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(f"GET {self.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".encode())

    def data_received(self, data: bytes) -> None:
        arrived = time.time()
        self.buffer += data
        end = 0
        for match in FRAME.finditer(self.buffer):
            self.sink.append((arrived, match.group(1)))
            end = match.end()
        if end:
            self.buffer = self.buffer[end:]


async def connect_all(port: int, path: str, count: int, sink: list[tuple[float, bytes]]) -> list[SseClient]:
    """`count` readers, connected a few hundred at a time."""
    loop = asyncio.get_running_loop()
    clients: list[SseClient] = []
    for start in range(0, count, 250):
        batch = await asyncio.gather(*(loop.create_connection(lambda: SseClient(path, sink), "127.0.0.1", port)
                                       for _ in range(min(250, count - start))))
        clients += [protocol for _transport, protocol in batch]
    return clients


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def delivery(sink: list[tuple[float, bytes]], committed: dict[int, float]) -> dict[str, Any]:
    """Latencies (ms) from stamp and from commit to arrival for the counted posts (n >= 1), and counts."""
    from_stamp: list[float] = []
    from_commit: list[float] = []
    counts: dict[int, int] = {}
    for arrived, data in sink:
        frame = json.loads(data)
        if "text" not in frame:
            continue  # the status frame a stream opens with
        n = int(frame["text"].split(":")[0].split()[-1])
        if n < 1:
            continue
        stamp = datetime.fromisoformat(frame["posted_at"]).timestamp()
        from_stamp.append((arrived - stamp) * 1000)
        if n in committed:
            from_commit.append((arrived - committed[n]) * 1000)
        counts[n] = counts.get(n, 0) + 1
    return {"from_stamp": from_stamp, "from_commit": from_commit, "counts": counts}


def n_posts(posted: dict[str, int]) -> int:
    """Counted posts written to both servers."""
    return sum(posted.values())


def wrk(url: str, etag: str, seconds: float) -> float:
    """Requests per second of conditional GETs (wrk, one thread, 50 connections, pinned to CPU 1)."""
    command = ["wrk", "-t1", "-c50", f"-d{seconds:.0f}s", "-H", f"If-None-Match: {etag}", url]
    if shutil.which("taskset") and (os.cpu_count() or 1) > 1:
        command = ["taskset", "-c", "1", *command]
    out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30, check=True).stdout
    if "Non-2xx or 3xx" in out:
        raise RuntimeError(f"wrk saw errors: {out}")
    found = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if found is None:
        raise RuntimeError(f"no rate in wrk's output: {out}")
    return float(found.group(1))


async def run(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    """Start both servers, connect the readers, post in alternating windows, then the conditional GETs."""
    import httpx

    ports = {"livecue": free_port(), "bare": free_port()}
    static = tmp / "static"
    static.mkdir()
    procs = {kind: subprocess.Popen([sys.executable, __file__, "--serve", kind, "--port", str(ports[kind]),
                                     "--data", str(tmp)]) for kind in ports}
    sinks: dict[str, list[tuple[float, bytes]]] = {"livecue": [], "bare": []}
    committed: dict[int, float] = {}
    cpu = {"livecue": 0.0, "bare": 0.0}
    posted = {"livecue": 0, "bare": 0}
    try:
        for port in ports.values():
            await wait_up(port)
        live = httpx.AsyncClient(base_url=f"http://127.0.0.1:{ports['livecue']}", trust_env=False, timeout=60)
        bare = httpx.AsyncClient(base_url=f"http://127.0.0.1:{ports['bare']}", trust_env=False, timeout=60)
        async with live, bare:
            (await live.post("/bench/setup")).raise_for_status()
            started = time.perf_counter()
            clients = await connect_all(ports["livecue"], "/live/bench/events", args.clients, sinks["livecue"])
            clients += await connect_all(ports["bare"], "/events", args.clients, sinks["bare"])
            connect_s = time.perf_counter() - started
            gc.collect()
            gc.freeze()

            async def trigger(kind: str, n: int) -> None:
                if kind == "livecue":
                    committed[n] = (await live.post("/bench/post", params={"n": n})).raise_for_status().json()[
                        "committed"]
                else:
                    (await bare.post("/publish", params={"n": n})).raise_for_status()

            async def window(kind: str, first: int, count: int) -> None:
                for i in range(count):
                    await trigger(kind, first + i)
                    await asyncio.sleep(args.gap)

            for kind in ("livecue", "bare"):  # warm-up, not counted (negative numbers)
                await window(kind, -10 - (kind == "bare"), 1)
            n = 1
            for round_ in range(args.rounds):
                for kind in (("livecue", "bare"), ("bare", "livecue"))[round_ % 2]:  # A B B A
                    before = cpu_seconds(procs[kind].pid)
                    await window(kind, n, args.posts)
                    cpu[kind] += cpu_seconds(procs[kind].pid) - before
                    posted[kind] += args.posts
                    n += args.posts
            drained_by = time.monotonic() + 60  # the last post of a window may still be on its way out
            expected = n_posts(posted) * args.clients
            while time.monotonic() < drained_by and sum(
                    sum(delivery(sinks[k], committed)["counts"].values()) for k in sinks) < expected:
                await asyncio.sleep(0.5)
            for client in clients:
                if client.transport is not None:
                    client.transport.abort()

            page = await live.get("/live/bench")
            (static / "page.html").write_bytes(page.content)
            plain = await bare.get("/static/page.html")
            own = await live.get("/ui/baseline.html")
            etags = {"livecue": page.headers["etag"], "bare": plain.headers["etag"], "app_static": own.headers["etag"]}
            urls = {"livecue": f"http://127.0.0.1:{ports['livecue']}/live/bench",
                    "bare": f"http://127.0.0.1:{ports['bare']}/static/page.html",
                    "app_static": f"http://127.0.0.1:{ports['livecue']}/ui/baseline.html"}
            for kind in urls:
                check = await (bare if kind == "bare" else live).get(urls[kind], headers={"If-None-Match": etags[kind]})
                assert check.status_code == 304, (kind, check.status_code)
            rates: dict[str, list[float]] = {"livecue": [], "bare": [], "app_static": []}
            for round_ in range(args.rounds):
                order = ("livecue", "bare", "app_static") if round_ % 2 == 0 else ("app_static", "bare", "livecue")
                for kind in order:
                    rates[kind].append(await asyncio.to_thread(wrk, urls[kind], etags[kind], args.seconds))
    finally:
        for proc in procs.values():
            proc.terminate()
        for proc in procs.values():
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
    result: dict[str, Any] = {"clients": args.clients, "posts_each": posted["livecue"], "rounds": args.rounds,
                              "connect_s": round(connect_s, 1), "page_bytes": len(page.content)}
    for kind in ("livecue", "bare"):
        found = delivery(sinks[kind], committed)
        expected = posted[kind] * args.clients
        result[kind] = {"deliveries": sum(found["counts"].values()),
                        "missing": expected - sum(min(c, args.clients) for c in found["counts"].values()),
                        "duplicates": sum(max(0, c - args.clients) for c in found["counts"].values()),
                        "p50_ms": _ms(quantile(found["from_stamp"], 0.5)),
                        "p99_ms": _ms(quantile(found["from_stamp"], 0.99)),
                        "server_cpu_ms_per_post": round(cpu[kind] / max(posted[kind], 1) * 1000, 1),
                        "conditional_get_per_s": round(sorted(rates[kind])[len(rates[kind]) // 2])}
        if found["from_commit"]:
            result[kind]["fanout_p50_ms"] = _ms(quantile(found["from_commit"], 0.5))
            result[kind]["fanout_p99_ms"] = _ms(quantile(found["from_commit"], 0.99))
    # Context: a static file served by the Livecue app itself (its whole middleware stack), also answering 304.
    result["app_static_conditional_get_per_s"] = round(sorted(rates["app_static"])[len(rates["app_static"]) // 2])
    figures = []
    for figure, unit in (("p50_ms", "ms"), ("p99_ms", "ms"), ("server_cpu_ms_per_post", "ms"),
                         ("conditional_get_per_s", "req/s")):
        value, baseline = result["livecue"][figure], result["bare"][figure]
        ratio = round(value / baseline, 2) if value and baseline else None
        result[figure] = {"value": value, "baseline": baseline, "ratio": ratio}
        figures.append({"figure": f"live page {figure}", "value": value, "baseline": baseline, "ratio": ratio,
                        "unit": unit})
    result["figures"] = figures
    return result


def report(result: dict[str, Any]) -> None:
    """Print the figures and their ratios to the bare server."""
    print(f"Public live page: {result['clients']} SSE readers per server, {result['posts_each']} posts each "
          f"({result['rounds']} A B B A rounds; connecting took {result['connect_s']} s)")
    print(f"  {'':<28}{'livecue':>12}{'bare':>12}{'ratio':>8}")
    for figure in ("p50_ms", "p99_ms", "server_cpu_ms_per_post", "conditional_get_per_s"):
        row = result[figure]
        print(f"  {figure:<28}{row['value']!s:>12}{row['baseline']!s:>12}{row['ratio']!s:>8}")
    print(f"  (a static file through the Livecue app's own middleware: {result['app_static_conditional_get_per_s']} "
          "304/s)")
    live = result["livecue"]
    print(f"  livecue fan-out alone (from the commit): p50 {live.get('fanout_p50_ms')} ms, "
          f"p99 {live.get('fanout_p99_ms')} ms; missing {live['missing']}, duplicates {live['duplicates']} "
          f"(bare: missing {result['bare']['missing']})")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=5000)
    parser.add_argument("--posts", type=int, default=3, help="posts per window")
    parser.add_argument("--rounds", type=int, default=2, help="A B pairs of windows (and of wrk runs)")
    parser.add_argument("--gap", type=float, default=1.0, help="seconds between two posts")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of one wrk run")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--serve", choices=["livecue", "bare"])
    parser.add_argument("--port", type=int)
    parser.add_argument("--data", type=Path)
    args = parser.parse_args(argv)
    _raise_open_files()
    if args.serve:
        _pin(0)
        if args.serve == "livecue":
            serve_livecue(args.port, args.data)
        else:
            serve_bare(args.port, args.data / "static")
        return 0
    _pin(1)
    with tempfile.TemporaryDirectory(prefix="livecue-live-bench-") as tmp:
        result = asyncio.run(run(args, Path(tmp)))
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        report(result)
    return 0 if result["livecue"]["missing"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
