"""Restart: from `kill -9` to serving and posting again, with 100,000 questions stored vs 1,000, same run.

Each store is a real `livecue` server process (tests/chaos/launcher.py: the production app, SQLite with
synchronous=FULL, dispatcher and poller running, the production delivery lease) with a live sandbox event,
its questions bulk-inserted (messages, groups, group keys) beside it. A round, interleaved across the stores:
wait until everything cued is on the sandbox, SIGKILL the process, start it again, and measure
  - serving: kill -> /healthz answers 200 (process start, imports, migrations check as in `livecue serve`,
    workers started);
  - posting: kill -> the next item, cued the moment /healthz answers, is on the sandbox.
The chaos drill (tests/chaos/restarts.py) measures restart-to-next-post with deliveries caught mid-flight;
this bench measures the fixed cost of a restart and whether it grows with the store (it should not: no
startup step reads the questions). Goal: posting again within 2 s with 100,000 stored. The figures include
Python's start and imports, so read them beside the 1,000-question baseline of the same run.
Bytecode: an installed `livecue` (pip install, the Docker image) starts from compiled .pyc files; an editable
checkout under PYTHONDONTWRITEBYTECODE=1 (as on these machines) compiles all ~250 modules of `server/` at every
start (~0.25 s of the ~1.6 s import, measured 2026-12-07). The bench therefore compiles `server/` first, as the
install would (`--no-compile` measures the checkout as it is).
Usage: python bench/restart_bench.py [--json] [--rounds N] [--stored N]
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))

from ingest_bench import texts  # noqa: E402

from server.questions.similarity import bucket_keys  # noqa: E402
from tests.chaos.scenario import SeededEvent, create_users, cue, login, seed_event  # noqa: E402
from tests.chaos.servers import ServerConfig, ServerProcess, migrate  # noqa: E402


class Store:
    """One server with its own SQLite file, event and stored questions."""

    def __init__(self, root: Path, stored: int, rounds: int) -> None:
        self.stored, self.workdir = stored, root / f"store{stored}"
        self.workdir.mkdir()
        self.db = self.workdir / "livecue.db"
        url = f"sqlite+aiosqlite:///{self.db}"
        migrate(url, self.workdir / "data")
        self.users = create_users(url, self.workdir / "data")
        # migrations checked at start, as `livecue serve` does (the chaos harness's default skips them)
        config = ServerConfig(workdir=self.workdir, database_url=url, extra_env={"LIVECUE_MIGRATE_ON_START": "true"})
        self.server = ServerProcess(config, f"store{stored}")
        self.server.start()
        self.http = httpx.Client(timeout=30)
        self.headers = {role: login(self.http, self.server.base_url, name) for role, name in self.users.items()}
        self.event: SeededEvent = seed_event(self.http, self.server.base_url, self.headers, account="hospital",
                                             items=rounds + 1, tag="R")
        self.next_item = 0
        self.serving: list[float] = []
        self.posting: list[float] = []

    def prefill(self) -> None:
        """Bulk-insert `stored` questions (messages, groups, group keys) into the live event, with Core."""
        from sqlalchemy import create_engine, func, insert, select

        from server.models import GroupKey, Message, QuestionGroup

        now, event_id = datetime.now(UTC), self.event.id
        sync = create_engine(f"sqlite:///{self.db}")
        with sync.begin() as conn:
            first_group = int(conn.execute(select(func.coalesce(func.max(QuestionGroup.id), 0))).scalar_one()) + 1
            first_message = int(conn.execute(select(func.coalesce(func.max(Message.id), 0))).scalar_one()) + 1
            stream, groups = texts(7), dict[str, int]()
            messages, keys, new_groups = [], [], []
            for n in range(self.stored):
                text = next(stream)
                bucket = bucket_keys(text)
                anchor = bucket[0] if bucket else f"solo{n}"
                if anchor not in groups:
                    groups[anchor] = first_group + len(groups)
                    new_groups.append({"id": groups[anchor], "event_id": event_id, "label": "question", "text": text,
                                       "size": 1, "status": "open", "created_at": now, "last_asked_at": now})
                messages.append({"id": first_message + n, "event_id": event_id, "platform": "form",
                                 "external_id": f"pre{n}", "author_handle": f"form:fan{n}", "author_name": "Fan",
                                 "text": text, "received_at": now, "ingested_at": now, "label": "question",
                                 "label_reason": "", "phi": [], "status": "queued", "group_id": groups[anchor],
                                 "rehearsal": False})
                keys += [{"event_id": event_id, "key": k[:200], "group_id": groups[anchor],
                          "message_id": first_message + n} for k in bucket]
            conn.execute(insert(QuestionGroup), new_groups)
            conn.execute(insert(Message), messages)
            conn.execute(insert(GroupKey), keys)
        sync.dispose()

    def posts(self) -> int:
        """The sandbox posts of the run so far."""
        with sqlite3.connect(self.db, timeout=30) as conn:
            return int(conn.execute("SELECT count(*) FROM sandbox_post").fetchone()[0])

    def cue_next(self) -> None:
        """Post the next item now."""
        item = self.event.item_ids[self.next_item]
        self.next_item += 1
        cue(self.http, self.server.base_url, self.headers["comms"], item, self.server.wait_reachable)

    def wait_posts(self, count: int, timeout: float = 60.0) -> float:
        """Wait until `count` posts are on the sandbox; the wall time they were seen at."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.posts() >= count:
                return time.time()
            time.sleep(0.005)
        raise RuntimeError(f"store {self.stored}: {count} posts not seen within {timeout:.0f}s")

    def round(self) -> None:
        """Kill -9, restart, cue at once; record kill -> serving and kill -> posted."""
        self.wait_posts(self.next_item)
        killed = time.time()
        self.server.kill()
        self.server.start()  # returns once /healthz answers
        serving = time.time()
        self.cue_next()
        posted = self.wait_posts(self.next_item)
        self.serving.append(serving - killed)
        self.posting.append(posted - killed)


def compile_bytecode() -> None:
    """Write `server/`'s .pyc files, as `pip install` does for a deployment (even under PYTHONDONTWRITEBYTECODE)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "server")], env=env, check=True,
                   stdout=subprocess.DEVNULL)


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Both stores, rounds interleaved."""
    if args.compile:
        compile_bytecode()
    with tempfile.TemporaryDirectory(prefix="livecue-restart-") as name:
        root = Path(name)
        stores = [Store(root, n, args.rounds) for n in (args.baseline, args.stored)]
        try:
            for store in stores:
                store.prefill()
                store.cue_next()  # item 0: the server posts before the first kill
            for _ in range(args.rounds):
                for store in stores:
                    store.round()
        finally:
            for store in stores:
                store.http.close()
                store.server.stop()
        out: dict[str, dict[str, Any]] = {str(s.stored): {"serving_s": round(statistics.median(s.serving), 2),
                                                          "posting_s": round(statistics.median(s.posting), 2),
                                                          "posting_max_s": round(max(s.posting), 2),
                                                          "rounds_posting_s": [round(x, 2) for x in s.posting]}
                                          for s in stores}
    small, big = out[str(args.baseline)], out[str(args.stored)]  # seconds
    return {"stores": out, "figures": [
        {"figure": f"kill -9 -> serving, {args.stored} stored", "value": big["serving_s"],
         "baseline": small["serving_s"], "ratio": round(big["serving_s"] / small["serving_s"], 2), "unit": "s"},
        {"figure": f"kill -9 -> posting, {args.stored} stored", "value": big["posting_s"],
         "baseline": small["posting_s"], "ratio": round(big["posting_s"] / small["posting_s"], 2), "unit": "s"}]}


def main(argv: list[str]) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--rounds", type=int, default=5, help="restarts per store")
    parser.add_argument("--stored", type=int, default=100_000, help="questions in the measured store")
    parser.add_argument("--baseline", type=int, default=1_000, help="questions in the baseline store")
    parser.add_argument("--no-compile", dest="compile", action="store_false",
                        help="do not compile server/ to bytecode first (measure the checkout as it is)")
    args = parser.parse_args(argv)
    result = run(args)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for row in result["figures"]:
            print(f"{row['figure']:<40} {row['value']:>6} s   ({args.baseline} stored: {row['baseline']} s) "
                  f"x{row['ratio']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
