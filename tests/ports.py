"""Free TCP ports for the servers the tests start, never the same one twice in a test run.

The kernel may hand a just-released port out again: a proxy given the port a replica had just been given (both
picked before either listened) failed to bind, and its health check was answered by the replica instead, until
that replica was killed (CI, 2026-12-08: `test_console_resumes_on_another_replica`, connection refused).
"""

from __future__ import annotations

import socket

_given: set[int] = set()


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now and not handed out before by this process."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port: int = sock.getsockname()[1]
        if port not in _given:
            _given.add(port)
            return port
