"""Disk-full drill: a live run with the SQLite file and the data dir on a small tmpfs that fills up mid-run.

    python -m tests.chaos.diskfull [--items 30] [--size-mb 48] [--full-seconds 6] [--json] [--keep]

While the disk is full every request that must write gets a clear 503 (`StorageFull`: nothing was saved) and one
log line, never a 500; reads keep working; the dispatcher (caught mid-send by the fill), the scheduler (an
automatic item falls due while full) and the poller meet the full disk and live on. Then the filler is deleted,
refused replies and questions are sent again, the rest is cued, and all is checked: each item posted exactly
once in thread order (`scenario.inspect`), each acknowledged reply and form question stored exactly once,
`PRAGMA integrity_check` ok, journal seq 1..N, no server restart. Needs root (`DiskFullUnavailable` otherwise).

Just before the fill the WAL is checkpointed and truncated: SQLite reuses a WAL file's allocated space, so with a
grown WAL a full disk shows only once that space is used up (writes meanwhile succeed, durably).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from server.errors import STORAGE_FULL_DETAIL
from tests.chaos.disk import DiskFullUnavailable, fill, mount_tmpfs, png_bytes, query
from tests.chaos.report import DrillReport
from tests.chaos.scenario import SeededEvent, create_users, cue, inspect, login, seed_event, wait_until_settled
from tests.chaos.servers import ServerConfig, ServerProcess, migrate

ACCOUNT = "hospital"
STORAGE_FULL_BODY = {"error": "StorageFull", "detail": STORAGE_FULL_DETAIL}
LOOP_MARKERS = {"dispatcher": "dispatcher round failed: the disk is full",
                "scheduler": "scheduler round failed: the disk is full", "poller": "poller round failed"}


@dataclass
class DiskFullReport(DrillReport):
    """The outcome of one disk-full drill."""

    items: int
    size_mb: int
    seconds: float = 0.0
    filler_mb: float = 0.0
    while_full: dict[str, int] = field(default_factory=dict)
    full_answer: str = ""
    refused: int = 0
    log_lines: int = 0
    loops_failed: dict[str, int] = field(default_factory=dict)
    expected: int = 0
    posted: int = 0
    sandbox_posts: int = 0
    lease_expired: int = 0
    acknowledged: int = 0
    stored_once: int = 0
    integrity: str = ""
    journal_entries: int = 0
    server_starts: int = 0

    @property
    def verdict(self) -> str:
        """One line: PASS or FAIL with the essentials."""
        answers = ", ".join(f"{k} {v}x" for k, v in sorted(self.while_full.items()))
        loops = ", ".join(f"{k} {v}" for k, v in self.loops_failed.items())
        starts = "the server never restarted" if self.server_starts == 1 else f"{self.server_starts} server starts"
        head = (f"disk-full drill, {self.items}+1 items, {self.size_mb} MB tmpfs: while full {answers}, "
                f"{self.log_lines} 'storage full' log lines, loop log lines while full ({loops}); after: "
                f"{self.posted}/{self.expected} posted ({self.sandbox_posts} sandbox posts, {self.lease_expired} "
                f"send cut by the full disk), {self.stored_once}/{self.acknowledged} acknowledged messages stored "
                f"once, integrity {self.integrity or '?'}, journal 1..{self.journal_entries} gap-free, {starts}, "
                f"{self.seconds:.1f}s")
        return self.verdict_line(head, "clear 503s, nothing lost or duplicated, recovered once space was back")


@dataclass
class Traffic:
    """Requests of one run, each answer recorded: what was acknowledged, what was refused."""

    http: httpx.Client
    server: ServerProcess
    headers: dict[str, dict[str, str]]
    event: SeededEvent
    slug: str
    answers: list[tuple[str, str, int, Any]] = field(default_factory=list)
    replies: dict[str, int] = field(default_factory=dict)  # text -> sandbox id, acknowledged
    questions: dict[str, str] = field(default_factory=dict)  # text -> submission id, acknowledged
    refused_replies: list[tuple[int, str]] = field(default_factory=list)
    refused_questions: list[tuple[str, str]] = field(default_factory=list)
    addresses: int = 0

    def _post(self, phase: str, kind: str, url: str, **kwargs: Any) -> httpx.Response:
        """POST and record (phase, kind, status, body)."""
        response = self.http.post(f"{self.server.base_url}{url}", **kwargs)
        json_body = response.headers.get("content-type", "").startswith("application/json")
        self.answers.append((phase, kind, response.status_code, response.json() if json_body else response.text))
        return response

    def _audience(self) -> dict[str, str]:
        """A new audience address (behind the trusted local proxy), so per-address limits stay out of the way."""
        self.addresses += 1
        return {"X-Forwarded-For": f"10.77.{self.addresses // 250}.{self.addresses % 250 + 1}"}

    def reply(self, phase: str, post_id: int, text: str | None = None) -> None:
        """An audience reply on the sandbox."""
        text = text or f"Reply {uuid.uuid4().hex[:8]} during {phase}: good luck to the team"
        response = self._post(phase, "reply", "/api/sandbox/replies", headers=self._audience(), json={
            "in_reply_to": post_id, "handle": f"fan{self.addresses}", "display_name": "Fan", "text": text})
        if response.status_code == 201:
            self.replies[text] = int(response.json()["id"])
        elif response.status_code == 503:
            self.refused_replies.append((post_id, text))

    def question(self, phase: str, text: str | None = None, submission: str | None = None) -> None:
        """A question through the public form."""
        text = text or f"Question {uuid.uuid4().hex[:8]} during {phase}: how long does the bypass take?"
        submission = submission or uuid.uuid4().hex
        response = self._post(phase, "question", f"/api/public/events/{self.slug}/questions",
                              headers=self._audience(), json={"name": "Guest", "text": text,
                                                               "submission_id": submission})
        if response.is_success:
            self.questions[text] = submission
        elif response.status_code == 503:
            self.refused_questions.append((text, submission))

    def cue(self, phase: str, item_id: int) -> None:
        """Post an item now."""
        self._post(phase, "cue", f"/api/items/{item_id}/post-now", headers=self.headers["comms"], json={})

    def upload(self, phase: str, data: bytes) -> None:
        """Upload a photo to the media store."""
        self._post(phase, "upload", "/api/media", headers=self.headers["comms"],
                   files={"file": ("photo.png", data, "image/png")})

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        """GET as the comms user."""
        return self.http.get(f"{self.server.base_url}{path}", headers=self.headers["comms"], **kwargs)

    def latency(self, seconds: float) -> None:
        """Set the sandbox's latency for every call (kept in memory: works with the disk full)."""
        self._post("any", "faults", "/api/sandbox/faults", headers=self.headers["comms"],
                   json={"latency_seconds": seconds})

    def automatic_item(self, due_in: float, after_item_id: int) -> None:
        """Add an approved item with an offset and no cue, falling due in `due_in` seconds (the scheduler's).

        It takes its place right after `after_item_id` in the run of show: an automatic item never overtakes an
        earlier step still waiting for its cue, so placed last it would wait for every manual item.
        """
        position = self.get(f"/api/items/{after_item_id}").json()["position"]
        started = datetime.fromisoformat(self.get(f"/api/events/{self.event.id}").json()["started_at"])
        at = int((datetime.now(UTC) - started).total_seconds() + due_in) + 1
        text = "Automatic update from room Full: the team closes up. #LiveOR"
        item = self._post("before", "item", f"/api/events/{self.event.id}/items", headers=self.headers["author"],
                          json={"caption": text, "key": "automatic", "cue": None, "position": position,
                                "offset": f"T+{at // 3600:02d}:{at // 60 % 60:02d}:{at % 60:02d}"}).json()
        for role in ("comms", "clinical"):
            self._post("before", "approve", f"/api/items/{item['id']}/approve", headers=self.headers[role],
                       json={"version": item["version"]})
        self.event.item_ids.append(item["id"])
        self.event.texts.append(text)


def run_diskfull(items: int = 30, size_mb: int = 48, full_seconds: float = 6.0, settle_timeout: float = 60.0,
                 keep_workdir: bool = False) -> DiskFullReport:
    """Run the drill once; raises DiskFullUnavailable when no tmpfs can be mounted (not root)."""
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="livecue-diskfull-"))
    data = workdir / "data"  # the mount point: SQLite file, WAL, media store; logs stay outside
    data.mkdir()
    report = DiskFullReport(items=items, size_mb=size_mb, workdir=str(workdir))
    try:
        mount_tmpfs(data, size_mb)
    except DiskFullUnavailable:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    url = f"sqlite+aiosqlite:///{data / 'livecue.db'}"
    config = ServerConfig(workdir=workdir, database_url=url, latency_ms=20, lease_seconds=3.0)
    server = ServerProcess(config, "server")
    try:
        migrate(url, data)
        users = create_users(url, data)
        server.start()
        traffic: Traffic | None = None
        try:
            with httpx.Client(timeout=15) as http:
                headers = {role: login(http, server.base_url, name) for role, name in users.items()}
                event = seed_event(http, server.base_url, headers, account=ACCOUNT, items=items, tag="Full")
                slug = http.get(f"{server.base_url}/api/events/{event.id}", headers=headers["comms"]).json()["slug"]
                traffic = Traffic(http=http, server=server, headers=headers, event=event, slug=slug)
                report.problems += _drive(traffic, data, full_seconds, settle_timeout, report)
        except Exception as exc:  # report, do not hide: the verdict carries it
            report.problems.append(f"run aborted: {type(exc).__name__}: {exc}")
        if server.proc is None or server.proc.poll() is not None:
            report.problems.append(f"the server died (exit {server.proc.returncode if server.proc else '?'})")
        server.stop()
        report.server_starts = server.starts
        if traffic is not None:
            report.problems += _check(traffic, report, data, config.send_log, server.log_path)
        if report.problems or keep_workdir:
            shutil.copytree(data, workdir / "kept-data", ignore=shutil.ignore_patterns("filler"))
    finally:
        server.stop()
        if subprocess.run(["umount", str(data)], capture_output=True, check=False).returncode:
            subprocess.run(["umount", "-l", str(data)], capture_output=True, check=False)  # something holds it
    report.seconds = time.monotonic() - started
    if report.ok and not keep_workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    return report


def _drive(traffic: Traffic, data: Path, full_seconds: float, settle_timeout: float,
           report: DiskFullReport) -> list[str]:
    """With space, then full (a send in flight as it fills), then with space again; returns problems."""
    problems: list[str] = []
    db, url, manual = data / "livecue.db", traffic.server.config.database_url, list(traffic.event.item_ids)
    third, photo = max(1, len(manual) // 3), png_bytes()
    for item_id in manual[:third]:
        traffic.cue("before", item_id)
    if not wait_until_settled(url, third, 30):
        problems.append("the first items were not posted within 30s")
    posts = sorted(p["id"] for p in traffic.get("/api/sandbox/feed", params={"limit": 200}).json()["posts"]
                   if p["author"]["handle"] == ACCOUNT)
    for n in range(3):
        traffic.reply("before", posts[n % len(posts)])
        traffic.question("before")
    traffic.upload("before", photo)
    traffic.automatic_item(due_in=full_seconds / 3, after_item_id=manual[third])  # falls due while full
    traffic.latency(1.0)  # the next send is in flight while the disk fills
    traffic.cue("before", manual[third])
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not query(db, "SELECT 1 FROM delivery WHERE status = 'sending'"):
        time.sleep(0.02)
    query(db, "PRAGMA wal_checkpoint(TRUNCATE)")  # see the module docstring
    report.filler_mb = round(fill(data / "filler") / (1 << 20), 1)
    traffic.latency(0.02)
    deadline, n = time.monotonic() + full_seconds, third + 1
    traffic.upload("full", png_bytes())
    while time.monotonic() < deadline and n < len(manual):
        traffic.cue("full", manual[n])
        traffic.reply("full", posts[n % len(posts)])
        traffic.question("full")
        n += 1
        reads = [traffic.get(path).status_code for path in ("/healthz", f"/api/items/{manual[0]}",
                                                             f"/api/events/{traffic.event.id}/questions")]
        if reads != [200, 200, 200]:
            problems.append(f"reads failed while the disk was full: {reads}")
        time.sleep(0.4)
    time.sleep(max(0.0, deadline - time.monotonic()))  # let the background loops meet the full disk
    (data / "filler").unlink()  # space is back
    for post_id, text in list(traffic.refused_replies):
        traffic.reply("after", post_id, text)
    for text, submission in list(traffic.refused_questions):
        traffic.question("after", text, submission)  # the form sends the same submission id again
    traffic.upload("after", photo)
    for item_id in manual[third:]:
        cue(traffic.http, traffic.server.base_url, traffic.headers["comms"], item_id, traffic.server.wait_reachable)
    for n in range(3):
        traffic.reply("after", posts[n % len(posts)])
        traffic.question("after")
    if not wait_until_settled(url, len(traffic.event.item_ids), settle_timeout):
        problems.append(f"deliveries still open {settle_timeout:.0f}s after space was back")
    wanted, deadline = {str(i) for i in traffic.replies.values()}, time.monotonic() + settle_timeout
    while (missing := wanted - {r[0] for r in query(db, "SELECT external_id FROM message")}) and \
            time.monotonic() < deadline:
        time.sleep(0.5)
    return problems + ([f"{len(missing)} acknowledged replies never reached the question queue"] if missing else [])


def _check(traffic: Traffic, report: DiskFullReport, data: Path, send_log: Path, log_path: Path) -> list[str]:
    """Every check after the run, with the server stopped."""
    findings = inspect(traffic.server.config.database_url, [traffic.event], send_log)
    report.expected, report.posted, report.sandbox_posts = findings.expected, findings.posted, findings.sandbox_posts
    report.lease_expired = findings.lease_expired
    log_text = log_path.read_text(errors="replace")
    report.loops_failed = {name: log_text.count(marker) for name, marker in LOOP_MARKERS.items()}
    problems = [f"the {name} never met the full disk: the drill did not exercise it"
                for name in ("dispatcher", "scheduler") if not report.loops_failed[name]]
    problems += [f"the {name} did not log that it works again" for name in ("dispatcher", "scheduler")
                 if f"{name} works again after" not in log_text]
    problems += [f"the server needed {report.server_starts - 1} restarts"] if report.server_starts != 1 else []
    return (problems + findings.problems + _database_checks(data / "livecue.db", traffic, report)
            + _full_checks(traffic, report, log_text, data / "media"))


def _database_checks(db: Path, traffic: Traffic, report: DiskFullReport) -> list[str]:
    """Integrity, a gap-free journal, and each acknowledged message stored exactly once (refused ones never)."""
    problems: list[str] = []
    report.integrity = ";".join(r[0] for r in query(db, "PRAGMA integrity_check"))
    seqs = [r[0] for r in query(db, "SELECT seq FROM journal_entry ORDER BY seq")]
    head = query(db, "SELECT last_seq FROM journal_head WHERE id = 1")
    rows = query(db, "SELECT platform, external_id, text FROM message")
    messages, texts = Counter((p, e) for p, e, _ in rows), Counter(t for _, _, t in rows)
    sandbox_texts = Counter(r[0] for r in query(db, "SELECT text FROM sandbox_post"))
    report.journal_entries = len(seqs)
    if report.integrity != "ok":
        problems.append(f"PRAGMA integrity_check: {report.integrity}")
    if seqs != list(range(1, len(seqs) + 1)):
        problems.append(f"journal seq has gaps or repeats ({len(seqs)} entries, last {seqs[-1] if seqs else 0})")
    if not head or head[0][0] != len(seqs):
        problems.append(f"journal head says {head}, the journal has {len(seqs)} entries")
    wanted = [("sandbox", str(i), t) for t, i in traffic.replies.items()]
    wanted += [("form", f"s-{s}", t) for t, s in traffic.questions.items()]
    report.acknowledged = len(wanted)
    report.stored_once = sum(1 for p, e, t in wanted if messages[(p, e)] == 1 and texts[t] == 1)
    problems += [f"acknowledged {p} message {e} is stored {messages[(p, e)]} times (its text {texts[t]} times)"
                 for p, e, t in wanted if messages[(p, e)] != 1 or texts[t] != 1]
    problems += [f"a reply refused while full was saved anyway: '{t}' is on the sandbox {sandbox_texts[t]} times"
                 for _, t in traffic.refused_replies if sandbox_texts[t] != 1]
    return problems


def _full_checks(traffic: Traffic, report: DiskFullReport, log_text: str, media_dir: Path) -> list[str]:
    """What the API and the log said while the disk was full, and no 5xx (or stray 4xx) at any other time."""
    problems: list[str] = []
    full = [(kind, status, body) for phase, kind, status, body in traffic.answers if phase == "full"]
    report.while_full = dict(Counter(f"{kind} {status}" for kind, status, _ in full))
    refused = [body for _, status, body in full if status == 503]
    report.refused, report.full_answer = len(refused), json.dumps(refused[0]) if refused else ""
    if not refused:
        problems.append("nothing was refused while the disk was full: the drill did not fill the disk")
    if ("upload", 503) not in {(kind, status) for kind, status, _ in full}:
        problems.append("the media upload was not refused with 503 while the disk was full")
    problems += [f"503 body is {body!r}, expected {STORAGE_FULL_BODY!r}" for body in refused
                 if body != STORAGE_FULL_BODY]
    problems += [f"{phase}: {kind} answered {status}: {body}" for phase, kind, status, body in traffic.answers
                 if (status >= 500 and not (phase == "full" and status == 503))
                 or (400 <= status < 500 and not (kind == "cue" and status == 409))]
    report.log_lines = log_text.count("storage full: ")
    if report.log_lines != report.refused:
        problems.append(f"{report.refused} requests refused but {report.log_lines} 'storage full' log lines")
    problems += [f"the server log has '{marker}'" for marker in ("unexpected error on", "Exception in ASGI")
                 if marker in log_text]
    problems += [f"half-written media file left: {p}" for p in media_dir.rglob(".tmp-*")]
    return problems


def main() -> None:
    """Command line: run once and print the verdict (or the whole report as JSON)."""
    parser = argparse.ArgumentParser(description="Fill the Livecue server's disk during a live run, then check.")
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--size-mb", type=int, default=48)
    parser.add_argument("--full-seconds", type=float, default=6.0)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, a copy of the data)")
    args = parser.parse_args()
    report = run_diskfull(args.items, args.size_mb, args.full_seconds, keep_workdir=args.keep)
    print(json.dumps({**asdict(report), "verdict": report.verdict}, indent=2) if args.json else report.verdict)
    raise SystemExit(0 if report.met else 1)


if __name__ == "__main__":
    main()
