"""Launching `livecue demo`: take the port first, then prepare the data, then print the banner and serve.

The banner (URLs and passwords) is printed only once the port is ours, and flushed at once, so it survives a pipe,
a file or systemd; a port someone else holds is named and nothing is started (exit 1).
"""

from __future__ import annotations

import asyncio
import errno
import shutil
import socket
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from server.config import Settings
from server.demo import DEMO_USERS, DemoReady, prepare_demo
from server.secret_key import settings_key

DEMO_FILES = ("livecue.db", "livecue.db-wal", "livecue.db-shm", "livecue.db-journal", "secret.key",
              "demo-logins.json")
DEMO_FOLDERS = ("media",)
ANY_ADDRESS = ("0.0.0.0", "::", "")


class PortUnavailable(RuntimeError):
    """The demo's address cannot be listened on; the message says why and what to do."""


def bind(host: str, port: int) -> socket.socket:
    """A listening-ready socket on (host, port), or PortUnavailable naming the conflict."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM,
                                                             flags=socket.AI_PASSIVE)[0]
    except socket.gaierror as exc:
        raise PortUnavailable(f"cannot listen on {host!r}: {exc.strerror} (use --host 127.0.0.1, or "
                              "--host 0.0.0.0 for every address, e.g. in a container)") from exc
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a previous demo's TIME_WAIT is no conflict
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        where = f"{host}:{port}"
        if exc.errno == errno.EADDRINUSE:
            raise PortUnavailable(
                f"port {port} is already in use on {host} (another Livecue demo, or another program: "
                f"`ss -ltnp 'sport = :{port}'` names it). Nothing was started. Stop it, or choose another port: "
                f"./scripts/demo --port {port + 1}") from exc
        if exc.errno == errno.EACCES:
            raise PortUnavailable(f"not allowed to listen on {where} (ports below 1024 need root): "
                                  "choose --port 8000 or above") from exc
        raise PortUnavailable(f"cannot listen on {where}: {exc.strerror}") from exc
    sock.listen(2048)  # connections wait in the backlog from now on, so the banner's URLs never meet a refusal
    return sock


def reset(settings: Settings) -> list[str]:
    """Remove the demo's data (its SQLite file, media, key and logins) from the data directory; returns what went.

    Only the demo's own files are touched, never the directory or anything else in it."""
    if not settings.is_sqlite or settings.database_url:
        raise PortUnavailable("--reset removes the demo's SQLite data only; LIVECUE_DATABASE_URL is set, "
                              "so empty that database yourself")
    removed = []
    for name in DEMO_FILES:
        path = settings.data_dir / name
        if path.exists():
            path.unlink()
            removed.append(name)
    for name in DEMO_FOLDERS:
        path = settings.data_dir / name
        if path.is_dir():
            shutil.rmtree(path)
            removed.append(name + "/")
    return removed


def banner(ready: DemoReady, *, host: str, port: int, data_dir: Path, now: datetime) -> str:
    """The lines printed once the demo listens: where to go, the logins, the event's start and how to move it."""
    shown = "127.0.0.1" if host in ANY_ADDRESS else (f"[{host}]" if ":" in host else host)
    base = f"http://{shown}:{port}"
    start = ready.planned_start if ready.planned_start.tzinfo else ready.planned_start.replace(tzinfo=UTC)
    minutes = round((start - now).total_seconds() / 60)
    when = f"in {minutes} min" if minutes > 0 else ("now" if minutes == 0 else f"{-minutes} min ago")
    zone = ready.timezone
    local = start.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")
    lines = [
        "", "Livecue demo is listening" + (f" on every address, port {port}" if host in ANY_ADDRESS else "") + ".",
        "",
        f"  Operator console : {base}/console",
        f"  Clinician tablet : {base}/tablet",
        f"  Setup            : {base}/setup",
        f"  Sandbox feed     : {base}/sandbox",
        f"  API docs         : {base}/docs",
        f"  Demo event id    : {ready.event_id}, planned start {local} {zone} ({when})",
        f"  Data             : {data_dir.resolve()}",
        "",
        "  Logins (also in demo-logins.json in the data directory):",
    ]
    for part, display, roles in DEMO_USERS:
        login = ready.logins[part]
        lines.append(f"    {login.username:<19} {login.password:<24} {', '.join(roles):<9} {display}")
    lines += [
        "",
        "  Move the event's start: ./scripts/demo --start-in MINUTES (from now).  Start afresh: ./scripts/demo --reset",
        "  Stop: Ctrl-C.  Same data from any folder: LIVECUE_DATA_DIR or --data-dir.",
        "",
    ]
    return "\n".join(lines)


def _say(out: TextIO, text: str) -> None:
    out.write(text + "\n")
    out.flush()


def run_demo(*, host: str | None, port: int | None, data_dir: Path | None, reset_first: bool = False,
             start_in: float | None = None, out: TextIO | None = None) -> int:
    """Take the port, prepare the demo (resetting it first if asked), print the banner and serve until stopped."""
    import uvicorn

    from server.app import create_app
    from server.clock import SystemClock
    from server.feed.wsserver import FeedWebSocketProtocol
    from server.logs import configure_logging

    out = out or sys.stdout
    base = Settings()
    settings = base if data_dir is None else Settings(data_dir=data_dir)
    host = base.host if host is None else host
    port = base.port if port is None else port
    try:
        sock = bind(host, port)
        if reset_first:
            removed = reset(settings)
            _say(out, f"demo data reset in {settings.data_dir.resolve()}: removed {', '.join(removed) or 'nothing'}")
    except PortUnavailable as exc:
        _say(sys.stderr, f"livecue demo: {exc}")
        return 1
    configure_logging(settings.log_level)
    fresh = not (settings.data_dir / "demo-logins.json").exists()
    _say(out, f"preparing the demo ({'first launch: creating' if fresh else 'reusing'} "
              f"{settings.data_dir.resolve()})...")
    settings_key(settings)  # made now, in the owner-only data directory, rather than by the first request
    ready = asyncio.run(prepare_demo(settings, start_in=start_in))
    app = create_app(settings)
    _say(out, banner(ready, host=host, port=port, data_dir=settings.data_dir, now=SystemClock().now()))
    config = uvicorn.Config(app, log_config=None, ws=FeedWebSocketProtocol, ws_per_message_deflate=False,
                            **settings.proxy_options())
    uvicorn.Server(config).run(sockets=[sock])
    return 0

