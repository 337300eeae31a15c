"""Console clients of a drill: WebSocket feeds through the proxy that reconnect to any replica and resume by seq.

Each client does what console_ui/js/lib/feed.js does: connect to `/api/ws?after=N&event_id=E` with the last
sequence it saw, record every entry, and on any close or error connect again (through the proxy, so usually to
another replica). Afterwards `check_gap_free` compares what each client received with the journal: every entry
of the event its roles may see, each once, in sequence order.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import dataclass, field

from sqlalchemy import select
from websockets.exceptions import WebSocketException
from websockets.sync.client import connect

from server.config import Settings
from server.db.engine import make_engine, make_sessionmaker
from server.journal.visibility import visible_by_roles
from server.models import JournalEntry


@dataclass
class FeedRecord:
    """What one client received."""

    seqs: list[int] = field(default_factory=list)
    connections: int = 0
    closes: dict[str, int] = field(default_factory=dict)


class ConsoleClient(threading.Thread):
    """One console's feed, resuming by sequence after every disconnect until stopped."""

    def __init__(self, ws_url: str, token: str, event_id: int, name: str) -> None:
        super().__init__(daemon=True, name=name)
        self.ws_url, self.token, self.event_id = ws_url, token, event_id
        self.record = FeedRecord()
        self.stopping = threading.Event()
        self.error: str | None = None

    @property
    def last_seq(self) -> int:
        """The newest sequence received (0 before any)."""
        return self.record.seqs[-1] if self.record.seqs else 0

    def run(self) -> None:
        """Connect, read, reconnect with `after` = the last sequence seen; until stopped."""
        try:
            while not self.stopping.is_set():
                self._session()
                self.stopping.wait(0.1)
        except Exception as exc:  # the drill's verdict carries it
            self.error = f"{self.name}: {type(exc).__name__}: {exc}"

    def _session(self) -> None:
        url = f"{self.ws_url}/api/ws?after={self.last_seq}&event_id={self.event_id}"
        reason = "ended"
        try:
            with connect(url, additional_headers={"Authorization": f"Bearer {self.token}"},
                         open_timeout=5, close_timeout=1) as socket:
                self.record.connections += 1
                while not self.stopping.is_set():
                    try:
                        text = socket.recv(timeout=0.5)
                    except TimeoutError:
                        continue
                    frame = json.loads(text)
                    if frame.get("type") == "entry":
                        self.record.seqs.append(int(frame["entry"]["seq"]))
                reason = "stopped"
        except (OSError, WebSocketException, TimeoutError) as exc:
            reason = type(exc).__name__
        self.record.closes[reason] = self.record.closes.get(reason, 0) + 1


async def _visible_seqs(database_url: str, event_id: int, admin: bool, comms: bool) -> list[int]:
    engine = make_engine(Settings(database_url=database_url, _env_file=None))
    try:
        async with make_sessionmaker(engine)() as session:
            entries = (await session.execute(select(JournalEntry).where(JournalEntry.event_id == event_id)
                                             .order_by(JournalEntry.seq))).scalars()
            return [e.seq for e in entries if visible_by_roles(e, admin=admin, comms=comms)]
    finally:
        await engine.dispose()


def wait_caught_up(clients: list[ConsoleClient], database_url: str, event_id: int, timeout: float) -> None:
    """Wait until every client has received the event's newest entry it may see (or `timeout` passed)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        wanted = asyncio.run(_visible_seqs(database_url, event_id, admin=False, comms=True))
        if all(c.last_seq >= (wanted[-1] if wanted else 0) for c in clients):
            return
        time.sleep(0.25)


def check_gap_free(clients: list[ConsoleClient], database_url: str, event_id: int) -> list[str]:
    """Every client received every entry of the event a comms user may see, once each, in order."""
    wanted = asyncio.run(_visible_seqs(database_url, event_id, admin=False, comms=True))
    problems: list[str] = []
    for client in clients:
        got = client.record.seqs
        if client.error:
            problems.append(client.error)
        if got != wanted:
            missing = sorted(set(wanted) - set(got))[:10]
            repeated = sorted({s for s in got if got.count(s) > 1})[:10]
            out_of_order = any(b <= a for a, b in zip(got, got[1:], strict=False))
            problems.append(f"{client.name}: feed not gap-free: {len(got)} entries received, {len(wanted)} in the "
                            f"journal; missing {missing}, repeated {repeated}, out of order {out_of_order}")
    return problems
