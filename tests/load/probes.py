"""The load run's outside parts: the platform fake as its own process, and a console feed client.

`FakeProcess` runs `python -m tests.fakes.mastodon_load` on a free loopback port. `FeedProbe` is a console
WebSocket client (the comms user, bearer token) in a thread of its own: for every feed entry that arrives after
the backlog, it records receive time minus the entry's own `at` (both from this machine's clock). A client the
server drops as too slow (4408) reconnects from the last sequence it saw; drops are counted.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.chaos.servers import REPO, free_port, wait_until_answering


class FakeProcess:
    """The load-generating Mastodon fake in a separate process."""

    def __init__(self, workdir: Path, check_every: int = 10) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "mastodon-fake.log"
        self.check_every = check_every
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> None:
        """Start it and wait until it answers."""
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "tests.fakes.mastodon_load", "--port", str(self.port),
                 "--check-every", str(self.check_every)],
                cwd=REPO, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        wait_until_answering(f"{self.base_url}/_fake/load", self.proc, "the Mastodon fake", self.log_tail, timeout)

    def alive(self) -> bool:
        """Whether the process is still running."""
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        """SIGTERM and wait."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def log_tail(self, chars: int = 2000) -> str:
        """The end of its output."""
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path.exists() else ""


def _timestamp(value: str) -> float:
    at = datetime.fromisoformat(value)
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp()


class FeedProbe(threading.Thread):
    """A console feed client measuring delivery delay per entry (see the module docstring)."""

    def __init__(self, base_url: str, token: str, event_id: int) -> None:
        super().__init__(name="feed-probe", daemon=True)
        self.url = base_url.replace("http://", "ws://") + "/api/ws"
        self.token = token
        self.event_id = event_id
        self.delays: list[float] = []
        self.kinds: Counter[str] = Counter()
        self.drops = 0
        self.error: str | None = None
        self.last_seq = 0
        self.caught_up = threading.Event()
        self.stopping = threading.Event()

    def run(self) -> None:
        """Read the feed until stopped."""
        try:
            asyncio.run(self._main())
        except Exception as exc:  # reported by the driver
            self.error = f"{type(exc).__name__}: {exc}"

    async def _main(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        live = False
        while not self.stopping.is_set():
            url = f"{self.url}?event_id={self.event_id}&after={self.last_seq}"
            async with connect(url, additional_headers=headers, proxy=None, max_size=None,
                               compression=None) as socket:
                try:
                    while not self.stopping.is_set():
                        try:
                            raw = await asyncio.wait_for(socket.recv(), 0.5)
                        except TimeoutError:
                            continue
                        live = self._take(json.loads(raw), time.time(), live)
                except ConnectionClosed as closed:
                    if closed.rcvd is None or closed.rcvd.code != 4408:
                        raise
                    self.drops += 1  # too slow: resume from the last sequence seen

    def _take(self, frame: dict[str, Any], received: float, live: bool) -> bool:
        if frame.get("type") == "caught_up":
            self.caught_up.set()
            return True
        if frame.get("type") != "entry":
            return live
        entry = frame["entry"]
        self.last_seq = max(self.last_seq, int(entry["seq"]))
        if live:  # backlog entries are old by nature: only live ones measure delivery
            self.delays.append(received - _timestamp(str(entry["at"])))
            self.kinds[str(entry["kind"])] += 1
        return live

    def stop(self) -> None:
        """Stop reading and wait for the thread."""
        self.stopping.set()
        self.join(timeout=10)
