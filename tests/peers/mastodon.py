"""A second Mastodon server nobody on the team wrote: `mastodon_mock` (PyPI) on loopback, for tests.

Our `tests.fakes.mastodon` tests what we understood of Mastodon's documentation; this peer tests what we
misunderstood. `running_mastodon_mock` starts `python -m mastodon_mock serve` as a subprocess on a free
127.0.0.1 port with an in-memory database and one seeded account (`hospital`), waits until it answers, and
stops it on exit. Tests make their own accounts (`new_account`, the mock's `/api/v1/_mock/dev_user`), so
one server serves a whole session without tests seeing each other's posts, and read results back with
`Mastodon.py`, the official client (`client_for`).

Where the mock departs from Mastodon's documentation (see shared/docs/third-party-peers.md): notifications
are capped at 40 a page (docs: 80), `POST /api/v2/media` always answers 200 with a URL (docs: 202 while
processing), `X-RateLimit-Reset` is epoch seconds (docs: ISO 8601). Livecue follows the documentation and
accepts both; tests name which behaviour they exercise.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.peers.bluesky import free_port

SEED = """[database]
path = ":memory:"

[[seed.accounts]]
username = "hospital"
display_name = "Livecue Hospital"
access_token = "hospital_token"
"""


class MastodonPeerUnavailable(RuntimeError):
    """mastodon_mock could not be started."""


@dataclass(frozen=True)
class MastodonPeer:
    """Where a running mastodon_mock listens."""

    base_url: str
    pid: int
    log_path: Path


@dataclass(frozen=True)
class MastodonAccount:
    """An account on the peer and its bearer token."""

    id: str
    username: str
    token: str = field(repr=False)


def _wait_ready(proc: subprocess.Popen[bytes], base_url: str, log_path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log_path.read_text(errors="replace")[-4000:]
            raise MastodonPeerUnavailable(f"mastodon_mock exited with {proc.returncode}:\n{tail}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base_url}/api/v2/instance", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise MastodonPeerUnavailable(f"mastodon_mock not answering within {timeout:.0f}s; log {log_path}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


@contextlib.contextmanager
def running_mastodon_mock(*, startup_timeout: float = 60.0) -> Iterator[MastodonPeer]:
    """Start mastodon_mock on a free loopback port (in-memory, seeded with `hospital`); SIGTERM it on exit."""
    scratch = Path(tempfile.mkdtemp(prefix="livecue-mastodon-mock-"))
    (scratch / "seed.toml").write_text(SEED)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = scratch / "peer.log"
    command = [sys.executable, "-m", "mastodon_mock", "serve", "--config", str(scratch / "seed.toml"),
               "--in-memory", "--host", "127.0.0.1", "--port", str(port), "--domain", f"127.0.0.1:{port}",
               "--log-level", "warning"]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(command, cwd=scratch, env=dict(os.environ), stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        _wait_ready(proc, base_url, log_path, startup_timeout)
        yield MastodonPeer(base_url=base_url, pid=proc.pid, log_path=log_path)
    finally:
        _stop(proc)
        shutil.rmtree(scratch, ignore_errors=True)


def new_account(peer: MastodonPeer, prefix: str) -> MastodonAccount:
    """A fresh local account with a token (the mock's dev-user endpoint), unique to the calling test."""
    username = f"{prefix}{uuid.uuid4().hex[:8]}"
    response = httpx.post(f"{peer.base_url}/api/v1/_mock/dev_user", json={"username": username}, timeout=10)
    if response.status_code != 200:
        raise MastodonPeerUnavailable(f"dev_user {username}: {response.status_code} {response.text[:300]}")
    body = response.json()
    return MastodonAccount(id=str(body["id"]), username=str(body["username"]), token=str(body["access_token"]))


def client_for(peer: MastodonPeer, account: MastodonAccount) -> Any:
    """The official client (Mastodon.py) logged in as `account`, to read back what Livecue did."""
    from mastodon import Mastodon

    return Mastodon(access_token=account.token, api_base_url=peer.base_url, version_check_mode="none")


def add_fault(peer: MastodonPeer, rule: dict[str, Any]) -> None:
    """Add a rule to the mock's fault-injection control plane (`/api/v1/_mock/faults`)."""
    response = httpx.post(f"{peer.base_url}/api/v1/_mock/faults", json=rule, timeout=10)
    if response.status_code != 200:
        raise MastodonPeerUnavailable(f"fault rule refused: {response.status_code} {response.text[:300]}")


class LosingTransport(httpx.AsyncBaseTransport):
    """Sends every request, but loses the answer of the first one `lose_next` picks: the server did the work
    (the status exists) and the client sees a read timeout — a crash between "post created" and "response
    received", as the adapter experiences it."""

    def __init__(self, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self.inner = inner or httpx.AsyncHTTPTransport()
        self.lose_next: Any = None  # a predicate on httpx.Request, cleared once it fired
        self.lost: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if self.lose_next is not None and self.lose_next(request):
            self.lose_next = None
            await response.aread()
            await response.aclose()
            self.lost.append(request)
            raise httpx.ReadTimeout("the answer was lost after the server processed the request", request=request)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()
