"""A stream of audience messages during a chaos run, and the checks that none was lost or stored twice.

Two ways in, as in a real event: replies on the sandbox (the platform; the poller ingests them) and questions
through the public form (stored by Livecue directly). A form question carries a `submission_id`, so after a
lost answer the sender asks again until it is acknowledged. A sandbox reply cut off by a kill is not re-sent
(the platform side gives no idempotency; a real audience member would not know either): it is counted as
"unknown" and may be on the sandbox once or not at all, never twice.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
from sqlalchemy import func, select

from server.config import Settings
from server.db.engine import make_engine, make_sessionmaker
from server.models import JournalEntry, Message, SandboxAccount, SandboxPost
from server.models.journal import JournalHead

# Behind a reverse proxy a replica killed mid-request shows as 502 (or 504), not as a broken connection: the same
# "outcome unknown" as a transport error. 503 is the form's "not stored, ask again" (a refused commit).
PROXY_LOST = (502, 504)
RETRY_FORM = (*PROXY_LOST, 503)

QUESTIONS = ("how long does the bypass take", "is the heart stopped right now", "what does the pump do",
             "who is in the room", "how is the graft chosen", "when can patients walk again",
             "what is the surgeon doing now", "is this camera sterile")


@dataclass
class AudienceLog:
    """What the audience sent and what the server acknowledged."""

    form_acked: dict[str, str] = field(default_factory=dict)
    form_retries: int = 0
    replies_acked: list[str] = field(default_factory=list)
    replies_unknown: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


class AudienceStream(threading.Thread):
    """Sends a form question and a sandbox reply every `gap` seconds until stopped, surviving server kills."""

    def __init__(self, base_url: str, slug: str, account: str, wait_up: Callable[[], None], seed: int,
                 gap: float = 0.15) -> None:
        super().__init__(daemon=True)
        self.base_url, self.slug, self.account, self.wait_up = base_url, slug, account, wait_up
        self.rng = random.Random(seed)
        self.gap = gap
        self.log = AudienceLog()
        self.stopping = threading.Event()
        self.error: str | None = None
        self._n = 0

    def run(self) -> None:
        """Send until stopped; an unexpected answer ends the stream and is reported."""
        try:
            with httpx.Client(timeout=10) as http:
                while not self.stopping.is_set():
                    self._ask_on_form(http)
                    self._reply_on_sandbox(http)
                    self.stopping.wait(self.rng.uniform(0, 2 * self.gap))
        except Exception as exc:  # the verdict carries it
            self.error = f"audience stream stopped: {type(exc).__name__}: {exc}"

    def _text(self, way: str) -> str:
        self._n += 1
        return f"Viewer question {way} {self._n}: {self.rng.choice(QUESTIONS)}?"

    def _ask_on_form(self, http: httpx.Client) -> None:
        text, sid = self._text("form"), f"chaos-{uuid.uuid4().hex}"
        body = {"name": "Chaos viewer", "text": text, "submission_id": sid}
        for _ in range(40):
            try:
                response = http.post(f"{self.base_url}/api/public/events/{self.slug}/questions", json=body)
            except httpx.TransportError:
                self.log.form_retries += 1
                self.wait_up()
                continue
            if response.status_code == 202:
                self.log.form_acked[sid] = text
                return
            if response.status_code in RETRY_FORM:
                self.log.form_retries += 1
                self.wait_up()
                continue
            self.log.refused.append(f"form {response.status_code}: {response.text[:200]}")
            return
        self.log.refused.append(f"form question {sid} never acknowledged")

    def _reply_on_sandbox(self, http: httpx.Client) -> None:
        try:
            target = self._newest_post(http)
            if target is None:
                return
            text = self._text("reply")
            body = {"in_reply_to": target, "handle": f"viewer{self._n % 7}", "display_name": "Viewer", "text": text}
            try:
                response = http.post(f"{self.base_url}/api/sandbox/replies", json=body)
            except httpx.TransportError:
                self.log.replies_unknown.append(text)
                self.wait_up()
                return
        except httpx.TransportError:
            self.wait_up()
            return
        if response.status_code == 201:
            self.log.replies_acked.append(text)
        elif response.status_code in PROXY_LOST:
            self.log.replies_unknown.append(text)
            self.wait_up()
        else:
            self.log.refused.append(f"reply {response.status_code}: {response.text[:200]}")

    def _newest_post(self, http: httpx.Client) -> int | None:
        feed = http.get(f"{self.base_url}/api/sandbox/feed", params={"limit": 20})
        feed.raise_for_status()
        ours = [int(p["id"]) for p in feed.json()["posts"] if p["author"]["handle"] == self.account]
        return max(ours) if ours else None


@dataclass
class AudienceFindings:
    """Counts seen in the database after the run, and every problem in words."""

    form_stored: int = 0
    replies_on_sandbox: int = 0
    replies_stored: int = 0
    journal_entries: int = 0
    problems: list[str] = field(default_factory=list)


async def _audience_counts(database_url: str, event_id: int) -> tuple[int, int]:
    engine = make_engine(Settings(database_url=database_url, _env_file=None))
    try:
        async with make_sessionmaker(engine)() as session:
            audience = SandboxAccount.is_audience.is_(True)
            on_sandbox = await session.scalar(select(func.count()).select_from(SandboxPost).join(
                SandboxAccount, SandboxAccount.id == SandboxPost.account_id).where(audience))
            stored = await session.scalar(select(func.count()).select_from(Message).where(
                Message.event_id == event_id, Message.platform == "sandbox"))
    finally:
        await engine.dispose()
    return int(on_sandbox or 0), int(stored or 0)


def wait_until_ingested(database_url: str, event_id: int, timeout: float) -> bool:
    """Wait until every audience reply on the sandbox (one event per run) is ingested (polls every ~2 s)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        on_sandbox, stored = asyncio.run(_audience_counts(database_url, event_id))
        if stored >= on_sandbox:
            return True
        time.sleep(0.5)
    return False


def check_audience(database_url: str, event_id: int, log: AudienceLog) -> AudienceFindings:
    """No acknowledged message missing, none stored twice; every reply on the sandbox ingested once."""
    return asyncio.run(_check(database_url, event_id, log))


async def _check(database_url: str, event_id: int, log: AudienceLog) -> AudienceFindings:
    found = AudienceFindings()
    engine = make_engine(Settings(database_url=database_url, _env_file=None))
    try:
        async with make_sessionmaker(engine)() as session:
            rows = (await session.execute(select(Message.platform, Message.external_id, Message.text).where(
                Message.event_id == event_id))).all()
            audience_posts = (await session.execute(select(SandboxPost.id, SandboxPost.text).join(
                SandboxAccount, SandboxAccount.id == SandboxPost.account_id).where(
                SandboxAccount.is_audience.is_(True)))).all()
            seqs = list((await session.execute(select(JournalEntry.seq).order_by(JournalEntry.seq))).scalars())
            head = await session.get(JournalHead, 1)
    finally:
        await engine.dispose()
    by_key = Counter((p, e) for p, e, _ in rows)
    found.problems += [f"message {k} stored {n} times" for k, n in by_key.items() if n > 1]
    form = {e: t for p, e, t in rows if p == "form"}
    found.form_stored = len(form)
    for sid, text in log.form_acked.items():
        if form.get(f"s-{sid}") != text:
            found.problems.append(f"acknowledged form question {sid} is not stored ('{text}')")
    stored_sandbox = Counter(e for p, e, _ in rows if p == "sandbox")
    found.replies_stored = sum(stored_sandbox.values())
    found.replies_on_sandbox = len(audience_posts)
    on_sandbox = Counter(t for _, t in audience_posts)
    found.problems += [f"reply '{t}' is on the sandbox {n} times" for t, n in on_sandbox.items() if n > 1]
    found.problems += [f"acknowledged reply '{t}' is missing from the sandbox" for t in log.replies_acked
                       if t not in on_sandbox]
    found.problems += [f"sandbox reply {i} ('{t}') was never ingested" for i, t in audience_posts
                       if stored_sandbox[str(i)] != 1]
    found.journal_entries = len(seqs)
    if seqs != list(range(1, len(seqs) + 1)):
        holes = sorted(set(range(1, (seqs[-1] if seqs else 0) + 1)) - set(seqs))[:10]
        found.problems.append(f"journal sequence has gaps or repeats (first missing: {holes})")
    if head is None or head.last_seq != len(seqs):
        found.problems.append(f"journal head says {head.last_seq if head else None}, {len(seqs)} entries exist")
    return found
