"""Publishing tests share one local PDS per session (started only by tests that ask for it)."""

from tests.peers.fixtures import bluesky_pds  # noqa: F401  (session fixture)
