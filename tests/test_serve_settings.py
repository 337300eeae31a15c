"""`livecue serve` hands the trusted proxies to uvicorn, so rate limits see the real client behind a proxy only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from server import cli
from server.config import Settings
from server.feed.wsserver import FeedWebSocketProtocol


def test_serve_trusts_only_the_configured_proxies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kwargs: calls.append(kwargs))
    settings = Settings(data_dir=tmp_path, trusted_proxies="10.0.0.5", _env_file=None)
    assert cli._serve(settings, None, None) == 0
    (kwargs,) = calls
    assert kwargs["proxy_headers"] is True and kwargs["forwarded_allow_ips"] == "10.0.0.5"


def test_no_proxy_is_trusted_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Anything local that forwards without rewriting X-Forwarded-For must not let clients pick their address.
    monkeypatch.delenv("LIVECUE_TRUSTED_PROXIES", raising=False)
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kwargs: calls.append(kwargs))
    settings = Settings(data_dir=tmp_path, _env_file=None)
    assert settings.trusted_proxies == ""
    assert cli._serve(settings, None, None) == 0
    (kwargs,) = calls
    assert kwargs["proxy_headers"] is False and kwargs["forwarded_allow_ips"] is None


def test_serve_runs_the_feeds_websocket_protocol(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Its send_now lets the feed hub write live entries straight to idle clients (issue 19's fan-out figure).
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kwargs: calls.append(kwargs))
    assert cli._serve(Settings(data_dir=tmp_path, _env_file=None), None, None) == 0
    (kwargs,) = calls
    assert kwargs["ws"] is FeedWebSocketProtocol and kwargs["ws_per_message_deflate"] is False
