"""Ingest throughput (durable, triaged, grouped) as a ratio against a bare FastAPI endpoint, same run.

Part 1 (HTTP): two uvicorn servers pinned to CPU 0, a raw keep-alive load generator on CPU 1, windows
interleaved A B A B (see shared/docs/benchmarking.md):
  - batch:  POST /bench/ingest, 50 messages per request, `ingest()` in one committed transaction (SQLite,
            synchronous=FULL) vs. a bare FastAPI endpoint parsing the same JSON into the same model;
  - form:   the real public form (one message per request, committed by the form intake's group commit
            before the 202; its rate limiter lifted) vs. a bare endpoint with the same path and body model
            (bench/form_bench.py compares it with a bare endpoint doing one durable insert per request, at
            16 and 256 connections, and says where the 19 ms per question went before group commit).
  Reported: messages/s and server CPU µs per message for each; ratio = Livecue / bare.
Part 2 (in process): `ingest()` rate with 1,000, 10,000 and 100,000 stored questions (pre-filled with
bulk Core inserts of messages, groups and group keys), windows interleaved. Work per message is capped
(at most CANDIDATES rows per bucket key), so it rises while buckets fill and then stays flat; the
deterministic work counters show it independent of machine speed.
Usage: python bench/ingest_bench.py [--json] [--window S] [--rounds N] [--sizes N N ...]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.apps import bench_servers, pin, serve  # noqa: E402
from bench.common import cpu_seconds  # noqa: E402
from server.platforms.base import IncomingMessage  # noqa: E402
from server.questions.grouping_db import CANDIDATES as CANDIDATES_CAP  # noqa: E402

BATCH = 50
TOPICS = ("surgery operation bypass graft valve heart lung pump anaesthesia recovery scar stitches drain ward icu "
          "rehab diet exercise statin aspirin pacemaker rhythm camera team nurse blood oxygen kidney").split()
TEMPLATES = ("How long does the {t} take?", "how long is the {t}??", "What are the risks of the {t}?",
             "Is the {t} painful?", "Why do they need the {t} during the {u}?",
             "What happens to the {t} after the {u}?", "Can you explain the {t} and the {u}?",
             "Does the {t} affect the {u}?", "Who decides on the {t}?", "Great job with the {t}, thank you!",
             "How much does the {t} cost?", "When does the {u} start?")


def texts(seed: int) -> Iterator[str]:
    """Audience questions: popular paraphrases and a long tail (new words keep arriving)."""
    rng = random.Random(seed)
    while True:
        word = rng.choice(TOPICS) if rng.random() < 0.7 else "".join(rng.choice("kalomirusatevo") for _ in range(6))
        yield rng.choice(TEMPLATES).format(t=word, u=rng.choice(TOPICS))


# ---------------------------------------------------------------- load generator


async def _worker(port: int, path: bytes, make: Callable[[], bytes], stop_at: float, counts: dict[int, int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < stop_at:
            body = make()
            writer.write(b"POST %s HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
                         b"Content-Length: %d\r\n\r\n%s" % (path, len(body), body))
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length"))
            await reader.readexactly(length)
            status = int(head[9:12])
            counts[status] = counts.get(status, 0) + 1
    finally:
        writer.close()


async def window(port: int, pid: int, path: str, make: Callable[[], bytes], seconds: float,
                 connections: int) -> tuple[int, float, float]:
    """(requests, wall seconds, server CPU seconds) of one timed window."""
    counts: dict[int, int] = {}
    cpu0, t0 = cpu_seconds(pid), time.perf_counter()
    await asyncio.gather(*(_worker(port, path.encode(), make, t0 + seconds, counts) for _ in range(connections)))
    wall, cpu = time.perf_counter() - t0, cpu_seconds(pid) - cpu0
    bad = {s: n for s, n in counts.items() if s >= 300}
    if bad:
        raise RuntimeError(f"{path}: unexpected answers {bad}")
    return sum(counts.values()), wall, cpu


async def http_part(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    """Part 1: Livecue vs bare, batch ingest and the public form."""
    async with bench_servers(__file__, tmp, shared_db=True) as (ports, procs):
        stream, counter = texts(1), iter(range(10**9))

        def batch() -> bytes:
            now = datetime.now(UTC).isoformat()
            return json.dumps({"messages": [
                {"platform": "sandbox", "external_id": f"m{next(counter)}", "author_handle": f"fan{n}",
                 "author_name": "Fan", "text": next(stream), "received_at": now} for n in range(BATCH)]}).encode()

        def form() -> bytes:
            return json.dumps({"name": "Guest", "text": next(stream)}).encode()

        form_path = "/api/public/events/bench/questions"
        cases = {"batch": ("/bench/ingest", batch, BATCH, args.batch_conns),
                 "form": (form_path, form, 1, args.form_conns)}
        out: dict[str, Any] = {}
        for case, (path, make, per_request, connections) in cases.items():
            runs: dict[str, list[tuple[float, float]]] = {"bare": [], "livecue": []}
            for _ in range(args.rounds):
                for kind in ("bare", "livecue"):
                    requests, wall, cpu = await window(ports[kind], procs[kind].pid, path, make, args.window,
                                                       connections)
                    messages = requests * per_request
                    runs[kind].append((messages / wall, cpu / max(messages, 1) * 1e6))
            (bare, bare_cpu), (live, live_cpu) = (
                (statistics.median(r[0] for r in runs[k]), statistics.median(r[1] for r in runs[k]))
                for k in ("bare", "livecue"))
            out[case] = {"messages_per_request": per_request, "connections": connections,
                         "bare_msgs_per_s": round(bare), "livecue_msgs_per_s": round(live),
                         "bare_cpu_us_per_msg": round(bare_cpu, 1), "livecue_cpu_us_per_msg": round(live_cpu, 1),
                         "throughput_ratio": round(live / bare, 3),
                         "cpu_ratio": round(live_cpu / max(bare_cpu, 1e-9), 2),
                         "windows": {k: [round(r[0]) for r in v] for k, v in runs.items()}}
        return out


# ---------------------------------------------------------------- part 2: flat cost as the store grows
async def prepared_db(path: Path, stored: int, seed: int) -> tuple[Any, Any, int]:
    """A migrated SQLite file with `stored` questions bulk-inserted (messages, groups, group keys)."""
    from sqlalchemy import create_engine, insert

    from server.config import Settings
    from server.db.engine import make_engine, make_sessionmaker
    from server.db.migrate import upgrade
    from server.models import Event, GroupKey, Message, QuestionGroup
    from server.questions.similarity import bucket_keys

    settings = Settings(database_url=f"sqlite+aiosqlite:///{path}", data_dir=path.parent, _env_file=None)
    engine = make_engine(settings)
    await upgrade(engine)
    now = datetime.now(UTC)
    sync = create_engine(f"sqlite:///{path}")
    with sync.begin() as conn:
        key = conn.execute(insert(Event).values(slug="bench", title="Bench", hashtag="#b", timezone="UTC",
                                                status="live", planned_start=now)).inserted_primary_key
        assert key is not None
        event_id = int(key[0])
        groups: dict[str, int] = {}
        messages, keys, new_groups = [], [], []
        stream = texts(seed)
        for n in range(stored):
            text = next(stream)
            bucket = bucket_keys(text)
            anchor = bucket[0] if bucket else f"solo{n}"
            if anchor not in groups:
                groups[anchor] = len(groups) + 1
                new_groups.append({"id": groups[anchor], "event_id": event_id, "label": "question", "text": text,
                                   "size": 1, "status": "open", "created_at": now, "last_asked_at": now})
            messages.append({"id": n + 1, "event_id": event_id, "platform": "sandbox", "external_id": f"pre{n}",
                             "author_handle": f"fan{n}", "author_name": "Fan", "text": text, "received_at": now,
                             "ingested_at": now, "label": "question", "label_reason": "", "phi": [],
                             "status": "queued", "group_id": groups[anchor], "rehearsal": False})
            keys += [{"event_id": event_id, "key": k, "group_id": groups[anchor], "message_id": n + 1} for k in bucket]
        conn.execute(insert(QuestionGroup), new_groups)
        conn.execute(insert(Message), messages)
        conn.execute(insert(GroupKey), keys)
    sync.dispose()
    return engine, make_sessionmaker(engine, settings), int(event_id)


async def ingest_window(maker: Any, event_id: int, stream: Iterator[str], seconds: float,
                        tag: str) -> tuple[float, float, int]:
    """(messages per second, CPU µs per message, messages): new questions in committed batches for `seconds`."""
    from server.db.session_scope import transaction
    from server.models import Event
    from server.questions.ingest import ingest

    now = datetime.now(UTC)
    t0, cpu0 = time.perf_counter(), time.process_time()
    count = 0
    while count == 0 or time.perf_counter() - t0 < seconds:
        page = [IncomingMessage(platform="sandbox", external_id=f"{tag}-{count + n}", author_handle=f"fan{n}",
                                author_name="Fan", text=next(stream), received_at=now) for n in range(BATCH)]
        async with transaction(maker) as session:
            event = await session.get(Event, event_id)
            await ingest(session, event=event, messages=page)  # type: ignore[arg-type]
        count += BATCH
    return count / (time.perf_counter() - t0), (time.process_time() - cpu0) / count * 1e6, count


WORK = {"rows": 0, "scores": 0}  # deterministic grouping work: candidate rows read, similarity scores computed


def count_grouping_work() -> None:
    """Wrap the grouper so each window can report its work per message (machine speed does not matter)."""
    from server.questions import grouping_db as groups
    from server.questions import ingest

    class CountingGrouper(groups.BatchGrouper):
        async def load(self, session: Any, keys: Any) -> None:
            before = sum(len(v) for v in self.candidates.values())
            await super().load(session, keys)
            WORK["rows"] += sum(len(v) for v in self.candidates.values()) - before

    score = groups.signature_similarity

    def counted(a: Any, b: Any) -> float:
        WORK["scores"] += 1
        return score(a, b)

    groups.signature_similarity = counted
    ingest.BatchGrouper = CountingGrouper  # type: ignore[misc]


async def growth_part(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    """Part 2: ingest rate and CPU per message at each store size, windows interleaved across the sizes."""
    count_grouping_work()
    t0 = time.perf_counter()
    stores = {size: await prepared_db(tmp / f"store{size}.db", size, seed=7) for size in args.sizes}
    prefill = time.perf_counter() - t0
    rates, cpus = {k: list[float]() for k in stores}, {k: list[float]() for k in stores}
    added, work, streams = dict.fromkeys(stores, 0), {k: [0, 0] for k in stores}, {k: texts(99) for k in stores}
    for r in range(args.rounds + 1):
        for size, (_, maker, event_id) in stores.items():
            before = dict(WORK)
            rate, cpu, count = await ingest_window(maker, event_id, streams[size], args.window if r else 0.5,
                                                   f"r{r}")
            added[size] += count
            work[size] = [done + WORK[k] - before[k] for done, k in zip(work[size], ("rows", "scores"), strict=True)]
            if r:  # the first (short) round warms caches
                rates[size].append(rate)
                cpus[size].append(cpu)
    for engine, _, _ in stores.values():
        await engine.dispose()
    first, last = args.sizes[0], args.sizes[-1]
    med = {k: statistics.median(v) for k, v in rates.items()}
    cpu_med = {k: statistics.median(v) for k, v in cpus.items()}
    return {"prefill_s": round(prefill, 1), "rate_ratio": round(med[last] / med[first], 3),
            "cpu_ratio": round(cpu_med[last] / cpu_med[first], 3),
            "stores": [{"stored": k, "stored_at_end": k + added[k], "msgs_per_s": round(med[k]),
                        "cpu_us_per_msg": round(cpu_med[k]), "candidate_rows_per_msg": round(work[k][0] / added[k], 1),
                        "similarity_scores_per_msg": round(work[k][1] / added[k], 1),
                        "windows_msgs_per_s": [round(x) for x in rates[k]]} for k in stores]}


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    """Both parts, in a scratch directory."""
    with tempfile.TemporaryDirectory(prefix="livecue-bench-") as name:
        tmp = Path(name)
        started = time.perf_counter()
        pin({1})  # the load generator; the servers run on CPU 0
        http = await http_part(args, tmp)
        pin(set(range(os.cpu_count() or 1)))
        growth = await growth_part(args, tmp)
        return {"http": http, "growth": growth, "elapsed_s": round(time.perf_counter() - started, 1),
                "figures": figures(http, growth)}


def figures(http: dict[str, Any], growth: dict[str, Any]) -> list[dict[str, Any]]:
    """The headline figures, each beside its same-run baseline."""
    rows = []
    for case, r in http.items():
        rows.append({"figure": f"{case} msg/s", "value": r["livecue_msgs_per_s"], "baseline": r["bare_msgs_per_s"],
                     "ratio": r["throughput_ratio"], "unit": "msg/s"})
        rows.append({"figure": f"{case} server CPU per msg", "value": r["livecue_cpu_us_per_msg"],
                     "baseline": r["bare_cpu_us_per_msg"], "ratio": r["cpu_ratio"], "unit": "µs"})
    stores = growth["stores"]
    rows.append({"figure": f"ingest rate at {stores[-1]['stored']} vs {stores[0]['stored']} stored",
                 "value": stores[-1]["msgs_per_s"], "baseline": stores[0]["msgs_per_s"],
                 "ratio": growth["rate_ratio"], "unit": "msg/s"})
    return rows


def report(result: dict[str, Any]) -> None:
    """Human-readable summary."""
    for case, r in result["http"].items():
        print(f"{case:5} ({r['messages_per_request']} msg/request, {r['connections']} conns): "
              f"Livecue {r['livecue_msgs_per_s']} msg/s vs bare {r['bare_msgs_per_s']} msg/s -> "
              f"ratio {r['throughput_ratio']}; server CPU {r['livecue_cpu_us_per_msg']} vs "
              f"{r['bare_cpu_us_per_msg']} µs/msg (x{r['cpu_ratio']})")
    g = result["growth"]
    for store in g["stores"]:
        print(f"ingest() with {store['stored']:>6}..{store['stored_at_end']} stored: {store['msgs_per_s']} msg/s, "
              f"{store['cpu_us_per_msg']} µs CPU/msg; candidate rows {store['candidate_rows_per_msg']}/msg "
              f"(at most {CANDIDATES_CAP} per key), similarity scores {store['similarity_scores_per_msg']}/msg")
    print(f"  largest/smallest store: rate x{g['rate_ratio']}, CPU per message x{g['cpu_ratio']} "
          f"(prefill {g['prefill_s']} s)")
    print(f"elapsed {result['elapsed_s']} s")


def main(argv: list[str]) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--window", type=float, default=1.5, help="seconds per timed window")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per comparison")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000],
                        help="stored questions in each store (first and last are compared)")
    parser.add_argument("--batch-conns", type=int, default=2, help="connections for the batch case")
    parser.add_argument("--form-conns", type=int, default=16, help="connections for the form case")
    parser.add_argument("--serve", choices=("bare", "livecue"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve, args.port, args.db)
        return 0
    result = asyncio.run(main_async(args))
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        report(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
