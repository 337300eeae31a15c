"""App construction and health."""

from __future__ import annotations

import subprocess
import sys

from httpx import AsyncClient


def test_importing_the_app_connects_to_nothing() -> None:
    code = ("import socket\n"
            "def refuse(*a, **k): raise AssertionError('connected at import time')\n"
            "socket.socket.connect = refuse\n"
            "from server.app import create_app\nfrom server.config import Settings\n"
            "create_app(Settings(database_url='postgresql://nobody@127.0.0.1:1/none'))\n")
    subprocess.run([sys.executable, "-c", code], check=True)


async def test_healthz(client: AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_unknown_route_is_404_json(client: AsyncClient) -> None:
    assert (await client.get("/api/nope")).status_code == 404
