"""Pytest fixtures for real local peers; import them into a conftest or test module.

    from tests.peers.fixtures import bluesky_network  # noqa: F401
    from tests.peers.fixtures import mastodon_mock_peer  # noqa: F401

Policy: a peer that cannot be installed or started fails the tests loudly (errors, not skips).
Only outside CI, `LIVECUE_SKIP_PEERS=1` skips them, with that reason.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

import pytest

from tests.peers.bluesky import PeerInfo, ensure_installed, running_pds
from tests.peers.mastodon import MastodonPeer, running_mastodon_mock


def peers_skipped() -> bool:
    """True when the developer opted out of real-peer tests (never honoured under CI)."""
    in_ci = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")
    return os.environ.get("LIVECUE_SKIP_PEERS") == "1" and not in_ci


def _skip_if_opted_out() -> None:
    if peers_skipped():
        pytest.skip("LIVECUE_SKIP_PEERS=1: real-peer tests skipped on this machine (never skipped in CI)")


def _install_saying_so(config: pytest.Config) -> None:
    """Install the peer (minutes when cold) with its progress lines on the terminal, past pytest's capture."""
    capture = config.pluginmanager.getplugin("capturemanager")

    def say(line: str) -> None:
        with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
            sys.stderr.write(f"\n{line}")
            sys.stderr.flush()

    ensure_installed(progress=say)


@pytest.fixture(scope="session")
def bluesky_network(request: pytest.FixtureRequest) -> Iterator[PeerInfo]:
    """PLC + PDS + Bluesky AppView on loopback (PostgreSQL at 127.0.0.1:5432), for the whole session."""
    _skip_if_opted_out()
    _install_saying_so(request.config)
    with running_pds("network") as peer:
        yield peer


@pytest.fixture(scope="session")
def bluesky_pds(request: pytest.FixtureRequest) -> Iterator[PeerInfo]:
    """PLC + PDS alone (no AppView, no PostgreSQL) on loopback, for the whole session."""
    _skip_if_opted_out()
    _install_saying_so(request.config)
    with running_pds("pds") as peer:
        yield peer


@pytest.fixture(scope="session")
def mastodon_mock_peer() -> Iterator[MastodonPeer]:
    """mastodon_mock (a Mastodon server from PyPI) on loopback, for the whole session."""
    _skip_if_opted_out()
    with running_mastodon_mock() as peer:
        yield peer
