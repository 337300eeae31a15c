"""Load run: audience mentions at a fixed rate from a Mastodon fake process while the operator posts.

    python -m tests.load.driver [--rate 1000] [--seconds 60] [--database-url URL] [--json]

Livecue gets the messages the way it gets real ones: its poller reads `mention` notifications from a Mastodon
instance, here `tests.fakes.mastodon_load` in its own process (rate limits lifted, see there). The Livecue server
is a real process too (`tests.chaos.servers`); the event's Mastodon account points at the fake through the
secrets file. Steps: start both, create an event with approved items and go live; wait for Livecue's first poll
of the account (it marks where the event's mentions begin); connect a console feed client; start generation;
cue one item every CUE_GAP seconds (POST /api/items/{id}/post-now); after generation, wait until every message
is stored (at most `drain_timeout`) and every post delivered; then read the database and the fake back.

Prints one line, `PASS ...` or `FAIL ...`; exit 1 on a lost or doubled message, a missing or repeated operator
post, a contract violation seen by the fake, or a process that died. Timings are reported, never judged.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.chaos.report import DrillReport
from tests.chaos.scenario import create_users, cue, login, seed_event
from tests.chaos.servers import ServerConfig, ServerProcess, migrate
from tests.load.findings import PLATFORM, Database, check_messages, operator_problems, percentile
from tests.load.probes import FakeProcess, FeedProbe

ACCOUNT = "load"
CUE_GAP = 2.0
TOKEN = "mastodon-token"  # FakeMastodon's default token


@dataclass
class LoadReport(DrillReport):
    """The outcome of one load run (times in seconds)."""

    rate: int
    seconds: float
    database: str
    generated: int = 0
    stored: int = 0
    lost: int = 0
    lost_unfetched: int = 0
    doubled: int = 0
    ingest_lag: dict[str, float] = field(default_factory=dict)
    achieved_rate: float = 0.0
    max_backlog: int = 0
    feed_entries: int = 0
    feed_delay: dict[str, float] = field(default_factory=dict)
    feed_drops: int = 0
    feed_kinds: dict[str, int] = field(default_factory=dict)
    operator_posts: int = 0
    post_now: dict[str, float] = field(default_factory=dict)
    fake_pages: int = 0
    fake_pages_checked: int = 0
    fake_violations: list[str] = field(default_factory=list)
    phases: dict[str, float] = field(default_factory=dict)
    progress: list[tuple[float, int, int]] = field(default_factory=list)  # (s since start, generated, stored)

    @property
    def verdict(self) -> str:
        """One line: PASS or FAIL with the essentials."""
        lag, feed = self.ingest_lag, self.feed_delay
        head = (f"load {self.rate} msg/s x {self.seconds:g} s ({self.database}): {self.generated} generated, "
                f"{self.lost} lost, {self.doubled} doubled, ingest lag p50 {lag.get('p50', 0):.2f} s "
                f"p99 {lag.get('p99', 0):.2f} s max {lag.get('max', 0):.2f} s, achieved {self.achieved_rate:.0f} "
                f"msg/s (max backlog {self.max_backlog}), console feed p50 {feed.get('p50', 0) * 1000:.0f} ms "
                f"p99 {feed.get('p99', 0) * 1000:.0f} ms over {self.feed_entries} entries, "
                f"{self.operator_posts} operator posts")
        return self.verdict_line(head)


def _spread(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    return {"p50": percentile(values, 50), "p99": percentile(values, 99), "max": max(values)}


def _secrets(workdir: Path, fake_url: str) -> Path:
    path = workdir / "secrets.yaml"
    path.write_text(json.dumps({"accounts": {f"mastodon:{ACCOUNT}": {"base_url": fake_url, "access_token": TOKEN}}}))
    return path


class _Run:
    """The state of one run while it goes (kept out of `run_load` to keep each step readable)."""

    def __init__(self, report: LoadReport, url: str, workdir: Path, drain_timeout: float, quiet: bool) -> None:
        self.report, self.url, self.workdir = report, url, workdir
        self.drain_timeout, self.quiet = drain_timeout, quiet
        self.fake = FakeProcess(workdir)
        self.loop = asyncio.new_event_loop()
        self.db: Database | None = None
        self.event_id = 0
        self.gen_start = 0.0  # when generation began (Unix time)
        self.next_sample = 0.0
        self.started = time.monotonic()
        self.mark = self.started

    def phase(self, name: str) -> None:
        now = time.monotonic()
        self.report.phases[name] = round(now - self.mark, 2)
        self.mark = now

    def say(self, text: str) -> None:
        if not self.quiet:
            print(f"[load {time.monotonic() - self.started:6.1f}s] {text}", file=sys.stderr, flush=True)

    def wait_for(self, what: str, done: Any, timeout: float, server: ServerProcess) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if done():
                return True
            self.check_alive(server)
            time.sleep(0.25)
        self.report.problems.append(f"{what}: not within {timeout:.0f}s")
        return False

    def check_alive(self, server: ServerProcess) -> None:
        if server.proc is None or server.proc.poll() is not None:
            raise RuntimeError(f"the Livecue server died: {server.log_tail(800)}")
        if not self.fake.alive():
            raise RuntimeError(f"the Mastodon fake died: {self.fake.log_tail(800)}")

    def db_call(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)


def run_load(rate: int = 1000, seconds: float = 60.0, database_url: str | None = None, *,
             drain_timeout: float = 60.0, keep_workdir: bool = False, quiet: bool = False,
             extra_env: dict[str, str] | None = None) -> LoadReport:
    """Run the load scenario; `database_url` None means a SQLite file in a temporary directory."""
    workdir = Path(tempfile.mkdtemp(prefix="livecue-load-"))
    url = database_url or f"sqlite+aiosqlite:///{workdir / 'livecue.db'}"
    report = LoadReport(rate=rate, seconds=seconds, database=url.split(":", 1)[0].split("+")[0],
                        workdir=str(workdir))
    run = _Run(report, url, workdir, drain_timeout, quiet)
    run.fake.start()
    config = ServerConfig(workdir=workdir, database_url=url,
                          extra_env={"LIVECUE_SECRETS_FILE": str(_secrets(workdir, run.fake.base_url)),
                                     **(extra_env or {})})
    server = ServerProcess(config, "server")
    probe: FeedProbe | None = None
    try:
        migrate(url, workdir / "data")
        users = create_users(url, workdir / "data")
        server.start()
        run.db = Database(url, workdir / "data")
        run.phase("start")
        with httpx.Client(timeout=60) as http:
            headers = {role: login(http, server.base_url, name) for role, name in users.items()}
            items = max(1, int(seconds // CUE_GAP))
            event = seed_event(http, server.base_url, headers, account=ACCOUNT, items=items, tag="Load",
                               platform=PLATFORM)
            run.event_id = event.id
            db = run.db
            run.wait_for("Livecue's first poll of the account", lambda: run.db_call(db.cursor(event.id)) is not None,
                         30, server)
            token = headers["comms"]["Authorization"].split(" ", 1)[1]
            probe = FeedProbe(server.base_url, token, event.id)
            probe.start()
            if not probe.caught_up.wait(30):
                report.problems.append(f"the console feed did not catch up: {probe.error}")
            run.phase("seed")
            _generate_and_cue(run, http, server, headers["comms"], event.item_ids)
            _drain(run, http, server, event.id, len(event.item_ids))
        probe.stop()
        _collect(run, probe, event)
    except Exception as exc:  # the verdict carries it
        report.problems.insert(0, f"run aborted: {type(exc).__name__}: {exc}")
    finally:
        if probe is not None and probe.is_alive():
            probe.stop()
        server.stop()
        run.fake.stop()
        if run.db is not None:
            run.db_call(run.db.close())
        run.loop.close()
    if report.ok and not keep_workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    return report


def _generate_and_cue(run: _Run, http: httpx.Client, server: ServerProcess, comms: dict[str, str],
                      item_ids: list[int]) -> None:
    """Start generation, cue an item every CUE_GAP seconds, sample progress until generation ends."""
    report, db = run.report, run.db
    assert db is not None
    load = http.post(f"{run.fake.base_url}/_fake/load/start",
                     json={"rate": report.rate, "seconds": report.seconds}).json()
    run.gen_start = load["start_ms"] / 1000
    run.say(f"generating {load['total']} mentions at {report.rate}/s")
    next_cue, cues = time.time(), list(item_ids)
    post_now: list[float] = []
    end = run.gen_start + report.seconds
    while time.time() < end or cues:
        if cues and time.time() >= next_cue:
            began = time.monotonic()
            cue(http, server.base_url, comms, cues.pop(0), server.wait_reachable)
            post_now.append(time.monotonic() - began)
            next_cue += CUE_GAP
        _sample(run, http)
        run.check_alive(server)
        time.sleep(max(0.0, min(next_cue if cues else end, run.next_sample) - time.time()))
    report.post_now = _spread(post_now)
    run.phase("generate")


def _sample(run: _Run, http: httpx.Client, *, force: bool = False) -> None:
    """Every 2 s (or when forced): generated vs stored, for the backlog and the progress lines."""
    now = time.time()
    if not force and now < run.next_sample:
        return
    run.next_sample = now + 2.0
    assert run.db is not None
    stored = int(run.db_call(run.db.stored(run.event_id)))
    load = http.get(f"{run.fake.base_url}/_fake/load").json()
    point = (round(now - run.gen_start, 1), int(load["available"]), stored)
    run.report.progress.append(point)
    run.report.max_backlog = max(run.report.max_backlog, point[1] - point[2])
    if len(run.report.progress) % 5 == 1 or force:
        run.say(f"t={point[0]:.0f}s generated {point[1]} stored {point[2]} (fake served up to "
                f"#{load['served_max']}, {load['pages']} pages)")


def _drain(run: _Run, http: httpx.Client, server: ServerProcess, event_id: int, items: int) -> None:
    """Wait until every generated message is stored and every operator post delivered."""
    db = run.db
    assert db is not None
    total = int(http.get(f"{run.fake.base_url}/_fake/load").json()["total"])

    def stored_all() -> bool:
        _sample(run, http)
        return bool(run.db_call(db.stored(event_id)) >= total)

    run.wait_for(f"storing all {total} messages", stored_all, run.drain_timeout, server)
    _sample(run, http, force=True)
    run.phase("drain")

    def delivered() -> bool:
        rows = run.db_call(db.deliveries(event_id))
        return len(rows) >= items and all(status == "posted" for _, status in rows)

    run.wait_for("delivering every operator post", delivered, 60, server)
    run.phase("deliver")


def _collect(run: _Run, probe: FeedProbe, event: Any) -> None:
    """Read the database and the fake back into the report."""
    report, db = run.report, run.db
    assert db is not None
    state = httpx.get(f"{run.fake.base_url}/_fake/state", timeout=30).json()
    load = state["state"]["load"]
    rows = run.db_call(db.messages(event.id))
    found = check_messages(rows, load)
    report.generated, report.stored, report.doubled = found.generated, found.stored, found.doubled
    report.lost, report.lost_unfetched = found.lost, found.lost_unfetched
    report.ingest_lag = _spread(found.lag)
    span = found.last_ingested - found.first_created
    report.achieved_rate = found.stored / span if span > 0 else 0.0
    report.feed_entries, report.feed_delay = len(probe.delays), _spread(probe.delays)
    report.feed_drops, report.feed_kinds = probe.drops, dict(probe.kinds)
    report.fake_pages, report.fake_pages_checked = int(load["pages"]), int(load["pages_checked"])
    report.fake_violations = list(state["violations"])[:20]
    deliveries = run.db_call(db.deliveries(event.id))
    problems = operator_problems(event.texts, state["state"]["texts"], event.item_ids, deliveries)
    report.operator_posts = sum(1 for caption in event.texts
                                if sum(caption in t for t in state["state"]["texts"]) == 1)
    if found.lost:
        report.problems.insert(0, f"{found.lost} generated messages not stored ({found.lost_unfetched} of them never "
                               f"fetched from the platform by the end)")
    if found.doubled:
        report.problems.insert(0, f"{found.doubled} messages stored more than once")
    if found.extra:
        report.problems.append(f"{found.extra} stored Mastodon messages were never generated")
    report.problems += problems
    report.problems += [f"the fake saw a contract violation: {v}" for v in report.fake_violations[:3]]
    if probe.error:
        report.problems.append(f"the console feed client failed: {probe.error}")
    report.phases["total"] = round(time.monotonic() - run.started, 2)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description="Livecue load run: audience mentions at a fixed rate.")
    parser.add_argument("--rate", type=int, default=1000, help="mentions per second")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long generation lasts")
    parser.add_argument("--database-url", default=None, help="an empty database (default: SQLite file)")
    parser.add_argument("--drain-timeout", type=float, default=60.0, help="wait this long for stragglers")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, database)")
    parser.add_argument("--json", action="store_true", help="print the whole report as JSON")
    args = parser.parse_args(argv)
    report = run_load(args.rate, args.seconds, args.database_url, drain_timeout=args.drain_timeout,
                      keep_workdir=args.keep)
    print(json.dumps(asdict(report) | {"verdict": report.verdict}, indent=2) if args.json else report.verdict)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
