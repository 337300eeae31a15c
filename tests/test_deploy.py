"""deploy/: the compose file describes proxy + several Livecue replicas + PostgreSQL, and its nginx config is one
nginx accepts (`nginx -t`, with the replicas' names pointed at loopback) and passes WebSocket upgrades."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.chaos.proxy import nginx_binary

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"


def test_compose_has_proxy_replicas_and_postgresql() -> None:
    services = yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]
    replicas = {name: s for name, s in services.items() if name.startswith("livecue")}
    assert len(replicas) >= 2 and "proxy" in services and "db" in services
    for service in replicas.values():
        env = service["environment"]
        assert env["LIVECUE_DATABASE_URL"].startswith("postgresql://")
        assert "LIVECUE_SECRET_KEY" in env  # one key for all: a generated one would differ per replica
    migrating = [n for n, s in replicas.items() if s["environment"].get("LIVECUE_MIGRATE_ON_START") != "false"]
    assert len(migrating) == 1
    conf = (DEPLOY / "nginx.conf").read_text()
    assert all(f"server {name}:8000" in conf for name in replicas)


def test_nginx_accepts_the_config(tmp_path: Path) -> None:
    binary = nginx_binary()
    if binary is None:
        pytest.skip("nginx is not installed (scripts/test installs it)")
    conf = (DEPLOY / "nginx.conf").read_text()
    for name in ("livecue1", "livecue2", "livecue3"):
        conf = conf.replace(f"{name}:8000", "127.0.0.1:8000")
    conf = conf.replace("listen 80;", "listen 127.0.0.1:8080;")
    conf = conf.replace("events {", f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{", 1)
    assert "proxy_set_header Upgrade $http_upgrade" in conf
    # nginx inherits proxy_set_header only into blocks that set none: every location must pass the client's Host
    # (the WebSocket origin check) and the request id itself.
    for block in re.split(r"\n\s*location ", conf)[1:]:
        assert "proxy_set_header Host $http_host" in block or "return 404" in block
        assert "X-Request-ID" in block or "return 404" in block
    path = tmp_path / "nginx.conf"
    path.write_text(conf)
    result = subprocess.run([binary, "-t", "-p", str(tmp_path), "-c", str(path)], capture_output=True, text=True,
                            timeout=30)
    assert result.returncode == 0, result.stderr
