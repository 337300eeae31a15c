"""What every bench needs around its measurement: a free port, a process's CPU time, a server that is up,
a quantile. One copy, so the benches measure the same way (`bench/*.py` import it as `bench.common`)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from pathlib import Path


def free_port() -> int:
    """An unused loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (from /proc, so a child's own count, not ours)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def wait_up(port: int, *, seconds: float = 30.0) -> None:
    """Until something on the loopback `port` accepts connections (`seconds` at most)."""
    for _ in range(int(seconds / 0.1)):
        with contextlib.suppress(OSError):
            (await asyncio.open_connection("127.0.0.1", port))[1].close()
            return
        await asyncio.sleep(0.1)
    raise TimeoutError(f"nothing listening on port {port}")


def quantile(values: list[float], q: float) -> float | None:
    """The q-quantile (0..1, nearest rank) of values; None when there are none."""
    return sorted(values)[min(len(values) - 1, int(q * len(values)))] if values else None
