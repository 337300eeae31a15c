"""Real Livecue server processes for process-level tests: databases, environment, start, SIGKILL, restart."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from cryptography.fernet import Fernet

from server.config import Settings
from server.db.engine import make_engine
from server.db.migrate import upgrade
from tests.dbutil import ADMIN_DSN as PG_ADMIN
from tests.dbutil import PG_HOST, PG_PORT, pg_database_url
from tests.ports import free_port

REPO = Path(__file__).resolve().parents[2]

# A server starts in ~3 s of CPU on a quiet machine but took 14-25 s on a loaded 2-core one: wait generously,
# saying so every 10 s, rather than fail a drill on machine load (LIVECUE_DRILL_STARTUP_TIMEOUT overrides).
STARTUP_TIMEOUT = float(os.environ.get("LIVECUE_DRILL_STARTUP_TIMEOUT", "180"))
PROGRESS_EVERY = 10.0


def _progress(name: str, started: float, said: list[float]) -> None:
    waited = time.monotonic() - started
    if waited - said[0] >= PROGRESS_EVERY:
        said[0] = waited
        print(f"  ... still waiting for {name} to answer ({waited:.0f} s; the machine may be busy)",
              file=sys.stderr, flush=True)


def postgres_reachable() -> bool:
    """Whether the test PostgreSQL server listens (LIVECUE_TEST_DATABASE_URL, default 127.0.0.1:5432)."""
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=1):
            return True
    except OSError:
        return False


def create_pg_database(prefix: str = "livecue_chaos") -> str:
    """Create a fresh, empty PostgreSQL database; returns its SQLAlchemy URL."""
    import asyncpg

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"

    async def _create() -> None:
        conn = await asyncpg.connect(PG_ADMIN)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    asyncio.run(_create())
    return pg_database_url(name)


def drop_pg_database(url: str) -> None:
    """Drop a database made by `create_pg_database`, disconnecting leftovers."""
    import asyncpg

    name = url.rsplit("/", 1)[1]

    async def _drop() -> None:
        conn = await asyncpg.connect(PG_ADMIN)
        try:
            await conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE datname = $1 AND pid <> pg_backend_pid()", name)
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        finally:
            await conn.close()

    asyncio.run(_drop())


def migrate(database_url: str, data_dir: Path) -> None:
    """Bring a database to the current schema (done once, before any server starts)."""

    async def _migrate() -> None:
        engine = make_engine(Settings(database_url=database_url, data_dir=data_dir, _env_file=None))
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    asyncio.run(_migrate())


def wait_until_answering(url: str, proc: subprocess.Popen[bytes], name: str, log_tail: Callable[[], str],
                         timeout: float = STARTUP_TIMEOUT) -> None:
    """Poll `url` until it answers 200; raise with the process's last output if it exits or stays silent."""
    started, said = time.monotonic(), [0.0]
    deadline = started + timeout
    while time.monotonic() < deadline:
        _progress(name, started, said)
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with {proc.returncode}:\n{log_tail()}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{name} did not answer within {timeout:.0f}s:\n{log_tail()}")


@dataclass
class ServerConfig:
    """What every server process of one run shares."""

    workdir: Path
    database_url: str
    latency_ms: int = 0
    fault_every: int = 0
    lease_seconds: float = 120.0
    secret_key: str = field(default_factory=lambda: Fernet.generate_key().decode())
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def send_log(self) -> Path:
        """Where the sandbox publish requests of every process are appended."""
        return self.workdir / "sandbox-sends.jsonl"

    def env(self) -> dict[str, str]:
        """The process environment: the real settings plus the test hooks of `tests.chaos.launcher`."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("LIVECUE_")}
        env.update({
            "LIVECUE_DATABASE_URL": self.database_url, "LIVECUE_DATA_DIR": str(self.workdir / "data"),
            "LIVECUE_RUN_WORKERS": "true", "LIVECUE_MIGRATE_ON_START": "false", "LIVECUE_PREFLIGHT_REQUIRED": "false",
            "LIVECUE_SECRET_KEY": self.secret_key, "LIVECUE_LOG_LEVEL": "WARNING",
            "LIVECUE_SANDBOX_LATENCY_MS": str(self.latency_ms), "LIVECUE_SANDBOX_FAULT_EVERY": str(self.fault_every),
            "LIVECUE_DELIVERY_LEASE_SECONDS": str(self.lease_seconds), "LIVECUE_CHAOS_SEND_LOG": str(self.send_log),
            "PYTHONPATH": str(REPO),
        })
        env.update(self.extra_env)
        return env


class ServerProcess:
    """One `python -m tests.chaos.launcher` process; it can be SIGKILLed and started again on the same port."""

    def __init__(self, config: ServerConfig, name: str) -> None:
        self.config = config
        self.name = name
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.log_path = config.workdir / f"{name}.log"

    def start(self) -> None:
        """Start the process and wait until /healthz answers."""
        assert self.proc is None or self.proc.poll() is not None, "already running"
        self.starts += 1
        with self.log_path.open("ab") as log:
            log.write(f"\n--- start {self.starts} at {time.time():.3f}\n".encode())
            log.flush()
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "tests.chaos.launcher", "--port", str(self.port)],
                cwd=REPO, env=self.config.env(), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.wait_healthy()

    def wait_healthy(self, timeout: float = STARTUP_TIMEOUT) -> None:
        """Poll /healthz until it answers 200."""
        assert self.proc is not None
        wait_until_answering(f"{self.base_url}/healthz", self.proc, self.name, self.log_tail, timeout)

    def wait_reachable(self, timeout: float = STARTUP_TIMEOUT) -> None:
        """Wait until /healthz answers, whoever (re)starts the process meanwhile (the chaos killer does)."""
        started, said = time.monotonic(), [0.0]
        deadline = started + timeout
        while time.monotonic() < deadline:
            _progress(self.name, started, said)
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} unreachable for {timeout:.0f}s:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, no lease release."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM and wait (SIGKILL if it hangs)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()

    def log_tail(self, chars: int = 3000) -> str:
        """The end of the process's output."""
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path.exists() else ""
