"""Replica drill: 3 Livecue replicas on one PostgreSQL behind nginx, through the chaos scenario, with SIGKILLs.

    python -m tests.chaos.replicas --items 60 --kills 10 --seed 19 [--replicas 3] [--keep]

A live event is cued through the proxy while an audience stream (form questions and sandbox replies) and console
clients (WebSocket feeds that reconnect through the proxy and resume by sequence) run; a killer SIGKILLs a random
replica (never the proxy or the database) `kills` times and starts it again. Every replica runs every worker:
the dispatcher is multi-active (per-delivery leases), the scheduler and poller run in one replica at a time
(server/db/singleton.py) and move when their replica dies. Afterwards: every item posted exactly once and its
thread in order (`scenario.inspect`), every acknowledged audience message stored once and every sandbox reply
ingested once, the journal gap-free (`audience.check_audience`), every console client's feed gap-free and in order
(`consoles.check_gap_free`). Exit status 1 on any problem. The short version runs in CI
(tests/chaos/test_replicas.py); this command is the full one (README, "Several replicas").
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx

from tests.chaos.audience import AudienceStream, check_audience, wait_until_ingested
from tests.chaos.consoles import ConsoleClient, check_gap_free, wait_caught_up
from tests.chaos.handover import HANDOVER_LIMIT, holders, wait_handover
from tests.chaos.proxy import Proxy
from tests.chaos.report import DrillReport
from tests.chaos.scenario import SeededEvent, create_users, cue, inspect, login, seed_event, wait_until_settled
from tests.chaos.servers import ServerConfig, ServerProcess, create_pg_database, drop_pg_database, free_port, migrate


@dataclass
class ReplicaReport(DrillReport):
    """The outcome of one replica drill."""

    replicas: int
    items: int
    kills: int
    seed: int
    seconds: float = 0.0
    posted: int = 0
    sandbox_posts: int = 0
    audience_sent: int = 0
    audience_stored: int = 0
    consoles: int = 0
    feed_entries: int = 0
    feed_reconnects: int = 0
    handovers: list[float] = field(default_factory=list)  # seconds from a holder's SIGKILL to the next holder
    sends_by_replica: dict[str, int] = field(default_factory=dict)
    phases: dict[str, float] = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        """One line: PASS or FAIL with the essentials."""
        head = (f"{self.replicas} replicas behind nginx on PostgreSQL, {self.items} items, {self.kills} SIGKILLs, "
                f"seed {self.seed}: {self.sandbox_posts} sandbox posts, {self.posted} posted deliveries, "
                f"{self.audience_sent} audience messages acknowledged, {self.audience_stored} stored, "
                f"{self.consoles} console feeds with {self.feed_entries} entries each and {self.feed_reconnects} "
                f"reconnects in all, singletons handed over {len(self.handovers)} times (max "
                f"{max(self.handovers, default=0.0):.1f}s), {self.seconds:.1f}s")
        return self.verdict_line(head, "every item posted once and in order, every acknowledged message stored "
                                       f"once, every console feed gap-free, singletons moved within "
                                       f"{HANDOVER_LIMIT:.0f}s of their holder's death")


class Cluster:
    """The replicas and the proxy in front of them."""

    def __init__(self, config: ServerConfig, replicas: int) -> None:
        self.replicas = [ServerProcess(config, f"replica{n + 1}") for n in range(replicas)]
        self.proxy = Proxy(config.workdir, free_port(), [f"127.0.0.1:{r.port}" for r in self.replicas])

    def start(self) -> None:
        """Start every replica, then the proxy."""
        starting = [threading.Thread(target=r.start, daemon=True) for r in self.replicas]  # in parallel
        for thread in starting:
            thread.start()
        for thread in starting:
            thread.join()
        for replica in self.replicas:
            replica.wait_healthy()  # raises with the replica's output if it did not come up
        self.proxy.start()

    def wait_up(self) -> None:
        """Wait until the proxy answers through some replica (at least one is always up or restarting)."""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.proxy.base_url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop the proxy and every replica."""
        self.proxy.stop()
        for replica in self.replicas:
            replica.stop()


def run_replicas(items: int, kills: int, seed: int, database_url: str, *, replicas: int = 3, consoles: int = 2,
                 kill_gap: tuple[float, float] = (0.5, 2.0), settle_timeout: float = 90.0,
                 keep_workdir: bool = False) -> ReplicaReport:
    """Run the drill on `database_url` (an empty PostgreSQL database); see the module docstring."""
    started = time.monotonic()
    rng = random.Random(seed)
    workdir = Path(tempfile.mkdtemp(prefix="livecue-replicas-"))
    report = ReplicaReport(replicas=replicas, items=items, kills=kills, seed=seed, workdir=str(workdir),
                           consoles=consoles)
    config = ServerConfig(workdir=workdir, database_url=database_url, latency_ms=40, fault_every=7,
                          extra_env={"LIVECUE_PUBLIC_FORM_PER_MINUTE": "100000",
                                     "LIVECUE_SANDBOX_REPLIES_PER_MINUTE": "100000",
                                     "LIVECUE_TRUSTED_PROXIES": "127.0.0.1"})
    mark = time.monotonic()

    def phase(name: str) -> None:
        nonlocal mark
        report.phases[name] = round(time.monotonic() - mark, 2)
        mark = time.monotonic()

    migrate(database_url, workdir / "data")
    users = create_users(database_url, workdir / "data")
    cluster = Cluster(config, replicas)
    errors: list[str] = []
    clients: list[ConsoleClient] = []
    audience: AudienceStream | None = None
    event: SeededEvent | None = None
    try:
        cluster.start()
        phase("setup")
        base = cluster.proxy.base_url
        with httpx.Client(timeout=10) as http:
            headers = {role: login(http, base, name) for role, name in users.items()}
            event = seed_event(http, base, headers, account="hospital", items=items, tag="R")
            phase("seed")
            slug = str(http.get(f"{base}/api/events/{event.id}", headers=headers["comms"]).json()["slug"])
            token = headers["comms"]["Authorization"].split(" ", 1)[1]
            clients = [ConsoleClient(cluster.proxy.ws_url, token, event.id, f"console{n + 1}")
                       for n in range(consoles)]
            for client in clients:
                client.start()
            audience = AudienceStream(base, slug, event.account, cluster.wait_up, seed, gap=0.3)
            audience.start()
            gaps = [rng.uniform(*kill_gap) for _ in range(kills)]
            killer = threading.Thread(target=_killer, args=(cluster, gaps, rng, errors, report, database_url),
                                      daemon=True)
            killer.start()
            cue_gap = sum(gaps) / max(items, 1) * 0.8
            for item_id in event.item_ids:
                cue(http, base, headers["comms"], item_id, cluster.wait_up)
                time.sleep(rng.uniform(0, 2 * cue_gap))
            phase("cue")
            killer.join(timeout=kills * 60 + 10)
            if killer.is_alive():
                errors.append("the killer thread did not finish")
            audience.stopping.set()
            audience.join(timeout=60)
            phase("kills")
        if not wait_until_settled(database_url, items, settle_timeout):
            errors.append(f"deliveries still open after {settle_timeout:.0f}s")
        if not wait_until_ingested(database_url, event.id, settle_timeout):
            errors.append(f"audience replies on the sandbox still not ingested after {settle_timeout:.0f}s")
        wait_caught_up(clients, database_url, event.id, settle_timeout)
        phase("settle")
    except Exception as exc:  # report, do not hide: the verdict carries it
        errors.append(f"run aborted: {type(exc).__name__}: {exc}")
    finally:
        for client in clients:
            client.stopping.set()
        for client in clients:
            client.join(timeout=10)
        cluster.stop()
    report.problems = errors
    if event is not None and not (errors and "run aborted" in errors[-1]):
        _check(report, database_url, event, config, audience, clients, cluster)
    report.seconds = time.monotonic() - started
    if report.ok and not keep_workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    return report


def _check(report: ReplicaReport, url: str, event: SeededEvent, config: ServerConfig,
           audience: AudienceStream | None, clients: list[ConsoleClient], cluster: Cluster) -> None:
    findings = inspect(url, [event], config.send_log)
    report.posted, report.sandbox_posts = findings.posted, findings.sandbox_posts
    report.problems += findings.problems
    if audience is not None:
        found = check_audience(url, event.id, audience.log)
        report.audience_sent = len(audience.log.form_acked) + len(audience.log.replies_acked)
        report.audience_stored = found.form_stored + found.replies_stored
        report.problems += ([audience.error] if audience.error else []) + audience.log.refused + found.problems
        if not audience.log.form_acked or not audience.log.replies_acked:
            report.problems.append("the audience stream sent nothing on one of its two ways in")
    report.problems += check_gap_free(clients, url, event.id)
    report.feed_entries = min((len(c.record.seqs) for c in clients), default=0)
    report.feed_reconnects = sum(max(0, c.record.connections - 1) for c in clients)
    if not report.handovers:
        report.problems.append("no SIGKILL hit a singleton's holder: hand-over not measured")
    starts = sum(r.starts for r in cluster.replicas)
    if starts != len(cluster.replicas) + report.kills:
        report.problems.append(f"expected {len(cluster.replicas) + report.kills} replica starts, saw {starts}")


def _killer(cluster: Cluster, gaps: list[float], rng: random.Random, errors: list[str], report: ReplicaReport,
            database_url: str) -> None:
    """SIGKILL a replica after each gap (every other time the poller's holder, else a random one), time the
    hand-over of the singletons it held, and start it again (the others serve meanwhile)."""
    try:
        for number, gap in enumerate(gaps):
            time.sleep(gap)
            held = holders(database_url)
            pids = {r.proc.pid: r for r in cluster.replicas if r.proc is not None}
            replica = pids.get(held.get("poller", -1)) if number % 2 == 0 else None
            replica = replica or rng.choice(cluster.replicas)
            dead_pid = replica.proc.pid if replica.proc is not None else -1
            replica.kill()
            owned = [worker for worker, pid in held.items() if pid == dead_pid]
            if owned:
                seconds = wait_handover(database_url, dead_pid, owned)
                if seconds is None:
                    errors.append(f"kill {number + 1}: {', '.join(owned)} not taken over by another replica")
                else:
                    report.handovers.append(round(seconds, 2))
                    if seconds > HANDOVER_LIMIT:
                        report.slow.append(f"kill {number + 1}: {', '.join(owned)} taken over after {seconds:.1f}s, "
                                      f"over {HANDOVER_LIMIT:.0f}s")
            replica.start()
    except Exception as exc:
        errors.append(f"restart failed: {exc}")


def main() -> None:
    """Command line: run once on a fresh PostgreSQL database and print the verdict (or JSON)."""
    parser = argparse.ArgumentParser(description="SIGKILL Livecue replicas behind nginx during a live run.")
    parser.add_argument("--items", type=int, default=60)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--consoles", type=int, default=3)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, nginx config)")
    args = parser.parse_args()
    url = create_pg_database("livecue_replicas")
    try:
        report = run_replicas(args.items, args.kills, args.seed, url, replicas=args.replicas,
                              consoles=args.consoles, keep_workdir=args.keep)
    finally:
        drop_pg_database(url)
    print(json.dumps({**asdict(report), "verdict": report.verdict}, indent=2) if args.json else report.verdict)
    raise SystemExit(0 if report.met else 1)


if __name__ == "__main__":
    main()
