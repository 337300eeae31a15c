"""Fan-out of journal entries to N WebSocket clients: Livecue's /api/ws against a bare `websockets` broadcast.

Both servers run at once, pinned to CPU 0 (uvloop in both, as uvicorn picks it); the driver and all 2N clients
run on CPU 1 (shared/docs/benchmarking.md). Writes go to one server at a time, `--rate` per second, in windows
interleaved A B B A:
  - livecue: the real app (uvicorn, SQLite synchronous=FULL, the feed hub) plus one bench route that records a
    journal entry and commits, as services do; N clients follow one event as comms consoles (bearer session);
  - bare: `websockets` `serve()` with N clients; a control message makes it stamp a frame of the same JSON shape
    and `broadcast()` it (one pre-encoded frame, a plain loop over the sockets).
Latency: from the stamp (journal `at`, set at flush, i.e. before the commit; the bare server's stamp before the
broadcast) to the frame's arrival (clients are sans-I/O protocols timestamping in `data_received`); also from
the commit's end, i.e. the fan-out alone. Server CPU per delivery is from /proc. Per-message compression is off
in servers and clients: `livecue serve` runs uvicorn with `ws_per_message_deflate=False`, so browsers cannot
negotiate it; `--deflate` turns it on everywhere.

Where the time goes (py-spy, 30 s of the livecue server during this bench, 1,000 clients, 10 entries/s):
  - before (each client's handler task woken through its asyncio.Queue per entry, then `websocket.send_text` down
    Starlette's WebSocket, the exception and request-id middlewares' send wrappers and uvicorn's sans-I/O
    protocol): of the main thread's samples ~30% were the per-client send chain (20% of them the socket write
    itself), ~12% the queue put/wake-up and get, ~16% the event loop running those 1,000 task steps per entry;
    the hub's read and fan-out loop ~11%, the bench's write request ~5%. Same run: CPU x3.0, p50 x2.2, p99 x5.1.
  - after (server/feed/wsserver.py: uvicorn's protocol offering `send_now`; the hub writes each entry, framed
    once, straight to every idle client whose socket is writable, and queues only for busy or slow ones): the
    fan-out loop is ~24% of samples, ~19% of them the socket writes (what the bare broadcast pays too); what is
    left above the bare server is per entry, not per client: the write request, SQLite insert and commit, the
    hub's read of the new entry (an aiosqlite thread hop) and its JSON encoding. The role filter now runs once
    per view (event, admin, comms) per entry rather than per client.
  - same-run ratios, 2026-12-07, load average 9-19 on the 2 cores (other engineers' tests), write->receipt:
    before, 3 runs: CPU per delivery x3.02 / x3.00 / x3.28, p50 x2.16 / x2.88 / x1.79, p99 x5.12 / x2.44 /
    x5.19; after, 6 runs: CPU x1.65-2.01 (median x1.77), p50 x1.11-1.75 (median x1.43), p99 x0.61-2.33 (median
    x1.54); commit->receipt (the fan-out alone) after: p50 median x1.25, p99 median x1.07. The p99s swing with
    the machine's load (SQLite's fsync at commit, the client driver's CPU) more than with either server.
Usage: python bench/ws_fanout.py [--clients N] [--json] [--rate R] [--seconds S] [--rounds N] [--deflate]
(--budget S: no new round starts after S seconds, so a slow machine still finishes well within 90 s)
"""

import argparse
import asyncio
import contextlib
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from websockets.client import ClientProtocol
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.uri import parse_uri

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import cpu_seconds, free_port, quantile, wait_up  # noqa: E402

USERNAME, PASSWORD = "bench-console", "bench-password-1234"


def _raise_open_files() -> None:
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def _pin(cpu: int) -> None:
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {cpu})


def serve_livecue(port: int, data_dir: Path, deflate: bool) -> None:
    """The real app with a route that journals one entry per request."""
    import uvicorn

    from server.app import create_app
    from server.auth import service as auth_service
    from server.auth.deps import PUBLIC
    from server.config import Settings
    from server.db.session_scope import transaction
    from server.feed.wsserver import FeedWebSocketProtocol
    from server.journal import service as journal
    from server.models import Event

    settings = Settings(database_url=f"sqlite+aiosqlite:///{data_dir / 'livecue.db'}", data_dir=data_dir,
                        run_workers=False, sqlite_synchronous="FULL", _env_file=None)
    app = create_app(settings)

    bench: dict[str, int] = {}  # the event the bench made

    @app.post("/bench/setup", dependencies=[PUBLIC])
    async def setup() -> dict[str, int]:
        state = app.state.livecue
        async with transaction(state.sessionmaker) as session:
            await auth_service.create_user(session, username=USERNAME, display_name="Bench", password=PASSWORD,
                                           roles=["comms"])
            event = Event(slug="bench", title="Bench", hashtag="#bench", timezone="UTC", status="live",
                          planned_start=datetime.now(UTC))
            session.add(event)
            await session.flush()
            bench["event_id"] = event.id
        return {"event_id": event.id}

    @app.post("/bench/journal", dependencies=[PUBLIC])
    async def write(n: int) -> dict[str, float]:
        state = app.state.livecue
        async with transaction(state.sessionmaker) as session:
            entry = await journal.record(session, actor=None, kind="bench.tick", subject_type="item", subject_id=n,
                                         event_id=bench["event_id"],
                                         payload={"n": n, "key": f"step-{n}", "version": 1})
        return {"seq": entry.seq, "committed": time.time()}

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, backlog=4096,
                ws=FeedWebSocketProtocol, ws_per_message_deflate=deflate, timeout_graceful_shutdown=2)


def serve_bare(port: int, deflate: bool) -> None:
    """A bare broadcast server: clients on /, a control connection on /control triggers broadcasts."""
    from websockets.asyncio.server import ServerConnection, broadcast, serve

    clients: set[ServerConnection] = set()

    async def handler(conn: ServerConnection) -> None:
        if conn.request is not None and conn.request.path == "/control":
            async for message in conn:
                broadcast(clients, json.dumps(bare_frame(int(message), datetime.now(UTC))))
            return
        clients.add(conn)
        try:
            await conn.wait_closed()
        finally:
            clients.discard(conn)

    async def main() -> None:
        async with serve(handler, "127.0.0.1", port, compression="deflate" if deflate else None, backlog=4096):
            await asyncio.Future()

    with asyncio.Runner(loop_factory=_loop_factory()) as runner:
        runner.run(main())


def _loop_factory() -> Any:
    """uvloop when installed: what uvicorn's default `loop="auto"` picks for Livecue."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def bare_frame(n: int, at: datetime) -> dict[str, Any]:
    """The same shape as Livecue's entry frame."""
    return {"type": "entry", "entry": {
        "seq": n, "at": at.isoformat().replace("+00:00", "Z"), "actor_id": None, "actor_name": "system",
        "kind": "bench.tick", "event_id": 1, "subject_type": "item", "subject_id": n,
        "payload": {"n": n, "key": f"step-{n}", "version": 1}}}


class Client(asyncio.Protocol):
    """A minimal sans-I/O WebSocket client that timestamps every text frame as it arrives."""

    def __init__(self, url: str, headers: dict[str, str], sink: list[tuple[float, bytes]], deflate: bool) -> None:
        self.proto = ClientProtocol(parse_uri(url), max_size=None,
                                    extensions=[ClientPerMessageDeflateFactory()] if deflate else None)
        self.request = self.proto.connect()
        for name, value in headers.items():
            self.request.headers[name] = value
        self.sink = sink
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.proto.send_request(self.request)
        self._flush()

    def data_received(self, data: bytes) -> None:
        now = time.time()
        self.proto.receive_data(data)
        for event in self.proto.events_received():
            if isinstance(event, Response) and not self.opened.done():
                if self.proto.handshake_exc is None:
                    self.opened.set_result(None)
                else:
                    self.opened.set_exception(self.proto.handshake_exc)
            elif isinstance(event, Frame) and event.opcode is Opcode.TEXT:
                self.sink.append((now, bytes(event.data)))
        self._flush()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done():
            self.opened.set_exception(exc or ConnectionError("closed during the handshake"))

    def _flush(self) -> None:
        assert self.transport is not None
        for chunk in self.proto.data_to_send():
            if chunk:
                self.transport.write(chunk)
            else:
                self.transport.close()


async def connect_all(port: int, path: str, headers: dict[str, str], count: int, sink: list[tuple[float, bytes]],
                      deflate: bool) -> list[Client]:
    """Open `count` clients, 64 at a time."""
    gate, url = asyncio.Semaphore(64), f"ws://127.0.0.1:{port}{path}"

    async def one() -> Client:
        async with gate:
            _, client = await asyncio.get_running_loop().create_connection(
                lambda: Client(url, headers, sink, deflate), "127.0.0.1", port)
            await asyncio.wait_for(client.opened, 30)
            return client

    return list(await asyncio.gather(*(one() for _ in range(count))))


def latencies(sink: list[tuple[float, bytes]], first: int, last: int,
              committed: dict[int, float]) -> tuple[list[float], list[float], list[float], dict[int, int]]:
    """Milliseconds from the stamp and from the commit (when known) to arrival for ticks first..last,
    milliseconds from stamp to commit per tick, and deliveries per tick."""
    from_stamp: list[float] = []
    from_commit: list[float] = []
    counts: dict[int, int] = {}
    stamps: dict[int, float] = {}
    for arrived, data in sink:
        frame = json.loads(data)
        entry = frame.get("entry") or {}
        if frame.get("type") != "entry" or entry.get("kind") != "bench.tick":
            continue
        n = int(entry["payload"]["n"])
        if first <= n <= last:
            stamp = stamps.setdefault(n, datetime.fromisoformat(entry["at"]).timestamp())
            from_stamp.append((arrived - stamp) * 1000)
            from_commit.append((arrived - committed.get(n, stamp)) * 1000)
            counts[n] = counts.get(n, 0) + 1
    commits = [(committed[n] - stamp) * 1000 for n, stamp in stamps.items() if n in committed]
    return from_stamp, from_commit, commits, counts


async def run(args: argparse.Namespace, tmp: Path, deadline: float) -> dict[str, Any]:
    """Start both servers, connect the clients, alternate measured windows (whole A B pairs while time is left
    before `deadline`, a perf_counter value), summarise."""
    import httpx
    from websockets.asyncio.client import connect

    ports = {"livecue": free_port(), "bare": free_port()}
    extra = ["--deflate"] if args.deflate else []
    procs = {kind: subprocess.Popen([sys.executable, __file__, "--serve", kind, "--port", str(ports[kind]),
                                     "--data", str(tmp), *extra]) for kind in ports}
    sinks: dict[str, list[tuple[float, bytes]]] = {"livecue": [], "bare": []}
    committed: dict[int, float] = {}
    try:
        for port in ports.values():
            await wait_up(port)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{ports['livecue']}", trust_env=False,
                                     timeout=30) as http:
            event_id = (await http.post("/bench/setup")).raise_for_status().json()["event_id"]
            login = await http.post("/api/auth/login", json={"username": USERNAME, "password": PASSWORD})
            token = login.raise_for_status().json()["token"]
            started = time.perf_counter()
            clients = await connect_all(ports["livecue"], f"/api/ws?after=0&event_id={event_id}",
                                        {"Authorization": f"Bearer {token}"}, args.clients, sinks["livecue"],
                                        args.deflate)
            clients += await connect_all(ports["bare"], "/", {}, args.clients, sinks["bare"], args.deflate)
            connect_s = time.perf_counter() - started
            gc.collect()
            gc.freeze()  # the clients' objects are long-lived: keep collections short during the windows
            async with connect(f"ws://127.0.0.1:{ports['bare']}/control", proxy=None, compression=None) as control:

                async def trigger(kind: str, n: int) -> None:
                    if kind == "livecue":
                        response = (await http.post("/bench/journal", params={"n": n})).raise_for_status()
                        committed[n] = response.json()["committed"]
                    else:
                        await control.send(str(n))

                async def window(kind: str, first: int, count: int) -> None:
                    begin = time.monotonic()
                    pending = []
                    for i in range(count):
                        await asyncio.sleep(max(0.0, begin + i / args.rate - time.monotonic()))
                        pending.append(asyncio.create_task(trigger(kind, first + i)))
                    await asyncio.gather(*pending)
                    await asyncio.sleep(args.drain)

                for kind in ("livecue", "bare"):  # warm-up, not counted (negative numbers)
                    await window(kind, -1000, max(2, args.rate // 2))
                per_window = max(1, round(args.rate * args.seconds / args.rounds))
                cpu = {"livecue": 0.0, "bare": 0.0}
                n, rounds = 1, 0
                pairs = (("livecue", "bare"), ("bare", "livecue"))  # A B B A: neither always goes first
                pair_s = 2 * (per_window / args.rate + args.drain) + 1
                while rounds < args.rounds and (rounds == 0 or time.perf_counter() + pair_s < deadline):
                    for kind in pairs[rounds % 2]:
                        before = cpu_seconds(procs[kind].pid)
                        await window(kind, n, per_window)
                        cpu[kind] += cpu_seconds(procs[kind].pid) - before
                        n += per_window
                    rounds += 1
        for client in clients:
            if client.transport is not None:
                client.transport.abort()
    finally:
        for proc in procs.values():
            proc.terminate()
        for proc in procs.values():
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
    writes = per_window * rounds
    result: dict[str, Any] = {"clients": args.clients, "rate_per_s": args.rate, "writes_each": writes,
                              "rounds": rounds, "compression": "permessage-deflate" if args.deflate else "off",
                              "connect_s": round(connect_s, 1)}
    for kind in ("livecue", "bare"):
        values, after_commit, commits, counts = latencies(sinks[kind], 1, n - 1, committed)
        result[kind] = {"deliveries": len(values), "missing": writes * args.clients - len(values),
                        "duplicates": sum(max(0, c - args.clients) for c in counts.values()),
                        "p50_ms": _ms(quantile(values, 0.5)),
                        "p99_ms": _ms(quantile(values, 0.99)), "max_ms": _ms(max(values, default=None)),
                        "fanout_p50_ms": _ms(quantile(after_commit, 0.5)),
                        "fanout_p99_ms": _ms(quantile(after_commit, 0.99)),
                        "server_cpu_us_per_delivery": round(cpu[kind] / max(len(values), 1) * 1e6, 2)}
        if commits:
            result[kind]["commit_p50_ms"] = _ms(quantile(commits, 0.5))
            result[kind]["commit_p99_ms"] = _ms(quantile(commits, 0.99))
    for figure in ("p50_ms", "p99_ms", "fanout_p50_ms", "fanout_p99_ms", "server_cpu_us_per_delivery"):
        value, baseline = result["livecue"][figure], result["bare"][figure]
        result[figure] = {"value": value, "baseline": baseline,
                          "ratio": round(value / baseline, 2) if value and baseline else None}
    return result


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def report(result: dict[str, Any]) -> None:
    """Human-readable summary."""
    print(f"{result['clients']} clients per server, {result['rate_per_s']} writes/s, {result['writes_each']} writes "
          f"each, {result['rounds']} interleaved rounds (A B B A), compression {result['compression']}")
    for kind in ("livecue", "bare"):
        r = result[kind]
        commit = f"  (commit p50 {r['commit_p50_ms']} p99 {r['commit_p99_ms']})" if "commit_p50_ms" in r else ""
        print(f"  {kind:8} write->receipt  p50 {r['p50_ms']} ms  p99 {r['p99_ms']} ms  max {r['max_ms']} ms{commit}")
        print(f"  {'':8} commit->receipt p50 {r['fanout_p50_ms']} ms  p99 {r['fanout_p99_ms']} ms  "
              f"server CPU {r['server_cpu_us_per_delivery']} µs/delivery  "
              f"({r['deliveries']} deliveries, {r['missing']} missing, {r['duplicates']} duplicates)")
    print(f"  ratio livecue/bare: write->receipt p50 x{result['p50_ms']['ratio']} p99 x{result['p99_ms']['ratio']}; "
          f"commit->receipt p50 x{result['fanout_p50_ms']['ratio']} p99 x{result['fanout_p99_ms']['ratio']}; "
          f"CPU x{result['server_cpu_us_per_delivery']['ratio']}")
    print(f"  elapsed {result['elapsed_s']} s (connecting {2 * result['clients']} clients: {result['connect_s']} s)")


def main(argv: list[str]) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=1000, help="WebSocket clients per server")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--rate", type=int, default=10, help="journal writes (broadcasts) per second")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per server")
    parser.add_argument("--rounds", type=int, default=6, help="interleaved windows per server")
    parser.add_argument("--drain", type=float, default=0.4, help="seconds after each window for stragglers")
    parser.add_argument("--budget", type=float, default=70.0, help="seconds after which no new round starts")
    parser.add_argument("--deflate", action="store_true", help="per-message compression in servers and clients")
    parser.add_argument("--serve", choices=("bare", "livecue"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    _raise_open_files()
    if args.serve:
        _pin(0)
        if args.serve == "livecue":
            serve_livecue(args.port, Path(args.data), args.deflate)
        else:
            serve_bare(args.port, args.deflate)
        return 0
    _pin(1)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="livecue-wsbench-") as name:
        result = asyncio.run(run(args, Path(name), deadline=started + args.budget))
    result["elapsed_s"] = round(time.perf_counter() - started, 1)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        report(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
