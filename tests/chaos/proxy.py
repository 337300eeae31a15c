"""A real reverse proxy (Debian's nginx) in front of several Livecue replicas, for process-level tests.

The config is generated into the drill's work directory: one `upstream` with every replica, plain HTTP on a free
loopback port, WebSocket upgrades passed on `/api/ws` (HTTP/1.1, Upgrade/Connection headers, a read timeout
above the feed's heartbeat), `X-Forwarded-For` and an `X-Request-ID` for each request. A replica that refuses
connections (SIGKILLed) is skipped for a second (`max_fails=1 fail_timeout=1s`) and a request whose connection
was refused goes to the next replica (`proxy_next_upstream error timeout`; nginx never re-sends a POST that
reached a replica). The same config, with the replicas' container names, is deploy/nginx.conf.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import httpx

NGINX_CANDIDATES = ("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx")


def nginx_binary() -> str | None:
    """The nginx executable, or None when it is not installed (scripts/test installs Debian's)."""
    found = shutil.which("nginx")
    if found:
        return found
    return next((path for path in NGINX_CANDIDATES if Path(path).exists()), None)


def render_config(listen_port: int, upstreams: list[str], workdir: Path) -> str:
    """nginx.conf for `upstreams` (host:port each) behind 127.0.0.1:`listen_port`; every path under `workdir`."""
    servers = "\n".join(f"        server {up} max_fails=1 fail_timeout=1s;" for up in upstreams)
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = workdir / "nginx-temp"
    return f"""{user}worker_processes 1;
pid {workdir / 'nginx.pid'};
error_log {workdir / 'nginx-error.log'} warn;
events {{ worker_connections 1024; }}
http {{
    access_log {workdir / 'nginx-access.log'};
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    client_max_body_size 130m;
    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
    upstream livecue {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{listen_port};
        proxy_http_version 1.1;
        proxy_next_upstream error timeout;
        proxy_connect_timeout 2s;
        # proxy_set_header is inherited only by a block that sets none itself: each location names them all.
        location /api/ws {{
            proxy_pass http://livecue;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Request-ID $request_id;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_read_timeout 60s;
        }}
        location / {{
            proxy_pass http://livecue;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Request-ID $request_id;
            proxy_set_header Connection "";
            proxy_buffering off;
        }}
    }}
}}
"""


class Proxy:
    """nginx in the foreground (`daemon off`), started and stopped by the test."""

    def __init__(self, workdir: Path, port: int, upstreams: list[str]) -> None:
        self.workdir = workdir
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.ws_url = f"ws://127.0.0.1:{port}"
        self.config = workdir / "nginx.conf"
        self.upstreams = upstreams
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> None:
        """Write the config, start nginx and wait until it answers /healthz through a replica."""
        binary = nginx_binary()
        if binary is None:
            raise RuntimeError("nginx is not installed (apt-get install nginx-light; scripts/test does it)")
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.workdir / "nginx-temp" / sub).mkdir(parents=True, exist_ok=True)
        self.config.write_text(render_config(self.port, self.upstreams, self.workdir))
        log = (self.workdir / "nginx.out").open("ab")
        self.proc = subprocess.Popen([binary, "-p", str(self.workdir), "-c", str(self.config),
                                      "-g", "daemon off;"], stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nginx exited with {self.proc.returncode}: {self.log_tail()}")
            try:
                answer = httpx.get(f"{self.base_url}/healthz", timeout=1)
                # nginx names itself in Server (it drops the upstream's): not some other server on the port
                if answer.status_code == 200 and answer.headers.get("server", "").startswith("nginx"):
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"nginx did not answer within {timeout:.0f}s: {self.log_tail()}")

    def stop(self) -> None:
        """Stop nginx (SIGQUIT: graceful; SIGKILL if it hangs)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGQUIT)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def log_tail(self, chars: int = 2000) -> str:
        """The end of nginx's error log and output."""
        parts = [p.read_text(errors="replace")[-chars:] for p in (self.workdir / "nginx-error.log",
                                                                  self.workdir / "nginx.out") if p.exists()]
        return "\n".join(parts)
