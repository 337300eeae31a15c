"""Chaos run: a live event cued over HTTP while the server process is SIGKILLed at random moments and restarted.

    python -m tests.chaos.driver --items 100 --kills 20 --seed 7 [--database-url URL] [--json]

The sandbox adds latency and answers every N-th publish with "timeout after the post was stored", so kills
land while posts are in flight and reconciliation is exercised. Meanwhile an audience stream sends sandbox
replies and public-form questions (`audience.AudienceStream`). Afterwards the sandbox tables, the outbox and
the journal are checked: every item posted exactly once, each thread chained in order (`scenario.inspect`),
every acknowledged audience message stored once and every reply on the sandbox ingested once, the journal
sequence gap-free (`audience.check_audience`). Each restart with a post still waiting at its kill is timed from
the moment the new server answers /healthz to the next post on the sandbox (`restarts.measure`; the time from
the process start is reported too): over 5 s is a problem. The server runs with the production lease (120 s),
so a thread can only move on that fast because the restarted dispatcher knows the killed process is gone
(`server.publishing.leases`). Exit status 1 on any problem.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx

from server.publishing.dispatcher import LEASE_SECONDS
from tests.chaos.audience import AudienceLog, AudienceStream, check_audience, wait_until_ingested
from tests.chaos.report import DrillReport
from tests.chaos.restarts import RESTART_LIMIT, Restart, measure, snapshot
from tests.chaos.scenario import create_users, cue, inspect, login, seed_event, wait_until_settled
from tests.chaos.servers import ServerConfig, ServerProcess, migrate


@dataclass
class ChaosReport(DrillReport):
    """The outcome of one chaos run."""

    items: int
    kills: int
    seed: int
    database: str
    seconds: float = 0.0
    posted: int = 0
    sandbox_posts: int = 0
    reconciled: int = 0
    lease_expired: int = 0
    sender_gone: int = 0
    keys_sent_twice: int = 0
    cue_retries: int = 0
    audience_sent: int = 0
    audience_stored: int = 0
    audience_unknown: int = 0
    journal_entries: int = 0
    restart_to_post: list[float] = field(default_factory=list)  # seconds, from the new server's first /healthz
    restart_to_post_max: float = 0.0
    restart_to_post_median: float = 0.0
    restart_to_post_from_start: list[float] = field(default_factory=list)  # from just before its Popen
    restart_to_post_max_from_start: float = 0.0
    restarts_cut: int = 0  # killed again before posting, too soon to tell
    restarts_idle: int = 0  # nothing was waiting at the kill
    phases: dict[str, float] = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        """One line: PASS or FAIL with the essentials."""
        head = (f"{self.items} items, {self.kills} SIGKILLs, seed {self.seed}, {self.database}: "
                f"{self.sandbox_posts} sandbox posts, {self.posted} posted deliveries, "
                f"{self.sender_gone + self.lease_expired} sends cut by a kill ({self.sender_gone} retaken at once, "
                f"{self.lease_expired} at the lease's end), {self.reconciled} reconciled, "
                f"{self.keys_sent_twice} re-sent after an unknown outcome, {self.audience_sent} audience messages "
                f"acknowledged ({self.audience_unknown} cut off), {self.audience_stored} stored, "
                f"{self.journal_entries} journal entries, restart to next post max {self.restart_to_post_max:.1f}s "
                f"median {self.restart_to_post_median:.1f}s over {len(self.restart_to_post)} restarts (from /healthz; "
                f"max {self.restart_to_post_max_from_start:.1f}s from the process start; {self.restarts_cut} killed "
                f"again too soon, {self.restarts_idle} with nothing waiting), {self.seconds:.1f}s")
        return self.verdict_line(head, "every item posted exactly once, thread order intact, no audience message "
                                       f"lost or doubled, journal gap-free, threads moving within "
                                       f"{RESTART_LIMIT:.0f}s of each restart")


def _kill_schedule(rng: random.Random, kills: int, gap: tuple[float, float]) -> list[float]:
    return [rng.uniform(*gap) for _ in range(kills)]


def run_chaos(items: int, kills: int, seed: int, database_url: str | None, *, latency_ms: int = 40,
              fault_every: int = 7, lease_seconds: float = LEASE_SECONDS, kill_gap: tuple[float, float] = (0.3, 1.6),
              settle_timeout: float = 90.0, keep_workdir: bool = False) -> ChaosReport:
    """Run a live event of `items` items on the sandbox, SIGKILL the server `kills` times, check the result.

    `database_url` None: a SQLite file in a temporary directory; else an empty database to migrate and use.
    `lease_seconds` is the production default: a killed sender's delivery must be retaken because its process is
    gone, not because a shortened lease ran out.
    """
    started = time.monotonic()
    rng = random.Random(seed)
    workdir = Path(tempfile.mkdtemp(prefix="livecue-chaos-"))
    url = database_url or f"sqlite+aiosqlite:///{workdir / 'livecue.db'}"
    report = ChaosReport(items=items, kills=kills, seed=seed, database=url.split(":", 1)[0].split("+")[0],
                         workdir=str(workdir))
    config = ServerConfig(workdir=workdir, database_url=url, latency_ms=latency_ms, fault_every=fault_every,
                          lease_seconds=lease_seconds, extra_env={"LIVECUE_PUBLIC_FORM_PER_MINUTE": "100000",
                                                                  "LIVECUE_SANDBOX_REPLIES_PER_MINUTE": "100000"})
    mark = time.monotonic()

    def phase(name: str) -> None:
        nonlocal mark
        report.phases[name] = round(time.monotonic() - mark, 2)
        mark = time.monotonic()

    migrate(url, workdir / "data")
    users = create_users(url, workdir / "data")
    server = ServerProcess(config, "server")
    server.start()
    phase("setup")
    errors: list[str] = []
    restarts: list[Restart] = []
    audience: AudienceStream | None = None
    try:
        with httpx.Client(timeout=10) as http:
            headers = {role: login(http, server.base_url, name) for role, name in users.items()}
            event = seed_event(http, server.base_url, headers, account="hospital", items=items, tag="A")
            phase("seed")
            slug = str(http.get(f"{server.base_url}/api/events/{event.id}", headers=headers["comms"]).json()["slug"])
            audience = AudienceStream(server.base_url, slug, event.account, lambda: server.wait_reachable(), seed)
            audience.start()
            gaps = _kill_schedule(rng, kills, kill_gap)
            killer = threading.Thread(target=_killer, daemon=True, args=(
                server, gaps, errors, restarts, lambda: snapshot(url, event.id, event.account)))
            cue_gap = sum(gaps) / max(items, 1) * 0.8  # spread the cues across the kills
            killer.start()
            for item_id in event.item_ids:
                report.cue_retries += cue(http, server.base_url, headers["comms"], item_id,
                                          lambda: server.wait_reachable()) - 1
                time.sleep(rng.uniform(0, 2 * cue_gap))
            phase("cue")
            killer.join(timeout=kills * 40 + 10)
            if killer.is_alive():
                errors.append("the killer thread did not finish")
            audience.stopping.set()
            audience.join(timeout=60)
            phase("kills")
        if not wait_until_settled(url, items, settle_timeout):
            errors.append(f"deliveries still open after {settle_timeout:.0f}s")
        if not wait_until_ingested(url, event.id, settle_timeout):
            errors.append(f"audience replies on the sandbox still not ingested after {settle_timeout:.0f}s")
        phase("settle")
    except Exception as exc:  # report, do not hide: the verdict carries it
        errors.append(f"run aborted: {type(exc).__name__}: {exc}")
    finally:
        server.stop()
    if errors and "run aborted" in errors[-1]:
        report.problems = errors
    else:
        findings = inspect(url, [event], config.send_log)
        report.posted, report.sandbox_posts = findings.posted, findings.sandbox_posts
        report.reconciled, report.keys_sent_twice = findings.reconciled, findings.keys_sent_twice
        report.lease_expired, report.sender_gone = findings.lease_expired, findings.sender_gone
        report.problems = errors + findings.problems + _audience_problems(report, url, event.id, audience)
        report.problems += _restart_problems(report, url, event.account, restarts)
        if server.starts != kills + 1:
            report.problems.append(f"expected {kills + 1} server starts, saw {server.starts}")
    report.seconds = time.monotonic() - started
    if report.ok and not keep_workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    return report


def _audience_problems(report: ChaosReport, url: str, event_id: int, audience: AudienceStream | None) -> list[str]:
    log = audience.log if audience else AudienceLog()
    found = check_audience(url, event_id, log)
    report.audience_sent = len(log.form_acked) + len(log.replies_acked)
    report.audience_unknown = len(log.replies_unknown)
    report.audience_stored = found.form_stored + found.replies_stored
    report.journal_entries = found.journal_entries
    problems = [audience.error] if audience and audience.error else []
    if audience is None or not log.form_acked or not log.replies_acked:
        problems.append("the audience stream sent nothing on one of its two ways in")
    return problems + log.refused + found.problems


def _restart_problems(report: ChaosReport, url: str, account: str, restarts: list[Restart]) -> list[str]:
    figures = measure(url, account, restarts)
    report.restart_to_post = figures.seconds
    report.restart_to_post_max, report.restart_to_post_median = figures.max, figures.median
    report.restart_to_post_from_start = figures.from_start
    report.restart_to_post_max_from_start = max(figures.from_start, default=0.0)
    report.restarts_cut, report.restarts_idle = figures.cut, figures.idle
    report.slow += figures.slow
    return figures.problems


def _killer(server: ServerProcess, gaps: list[float], errors: list[str], restarts: list[Restart],
            waiting: Callable[[], tuple[int, int]]) -> None:
    """SIGKILL the server after each gap and start it again at once; note the times and what was waiting."""
    try:
        for gap in gaps:
            time.sleep(gap)
            server.kill()
            if restarts:
                restarts[-1].ended = time.time()
            try:
                pending, last_post_id = waiting()  # the server is dead: nothing changes meanwhile
            except Exception as exc:
                errors.append(f"reading what waits at a kill failed: {type(exc).__name__}: {exc}")
                pending, last_post_id = 0, 0
            started = time.time()
            server.start()
            restarts.append(Restart(started=started, answering=time.time(), waiting=pending,
                                    last_post_id=last_post_id))
    except Exception as exc:
        errors.append(f"restart failed: {exc}")


def main() -> None:
    """Command line: run once and print the verdict (or the whole report as JSON)."""
    parser = argparse.ArgumentParser(description="SIGKILL the Livecue server during a live run, then check.")
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=None, help="an empty database (default: a temporary SQLite)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, database)")
    args = parser.parse_args()
    report = run_chaos(args.items, args.kills, args.seed, args.database_url, keep_workdir=args.keep)
    print(json.dumps({**asdict(report), "verdict": report.verdict}, indent=2) if args.json else report.verdict)
    raise SystemExit(0 if report.met else 1)


if __name__ == "__main__":
    main()
