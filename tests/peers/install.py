"""`python -m tests.peers.install`: install the Bluesky peer (Node 22 and the PDS packages from npm) before the
test run, one line per step with its time, instead of silently inside the first test that needs it.

A warm cache (`~/.cache/livecue/bluesky-peer`) answers at once. Exit 1 (with the install log's tail) when it
cannot be installed; the peer tests then fail loudly on their own.
"""

from __future__ import annotations

import sys
import time

from tests.peers.bluesky import PeerUnavailable, default_cache_dir, ensure_installed, say_on_stderr


def main() -> int:
    """Install (or confirm) the peer; return the exit status."""
    started = time.monotonic()
    try:
        cache = ensure_installed(progress=say_on_stderr)
    except PeerUnavailable as exc:
        print(f"livecue: Bluesky peer: could not be installed in {default_cache_dir()}: {exc}", file=sys.stderr)
        return 1
    print(f"livecue: Bluesky peer ready in {cache} ({time.monotonic() - started:.0f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
