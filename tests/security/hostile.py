"""Hostile request bodies sent over a raw socket, for the bounded-requests test and `bench/hostile_bench.py`.

The kinds an outside review used to freeze the demo, and their chunked forms (no Content-Length: the server must
count while reading): a 10.7 MB JSON body of 900,000 unknown keys, a 50 MB body, and a body that drips one byte
at a time. The sender writes the body while it waits for the status line and stops as soon as it has one.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from dataclasses import dataclass
from functools import cache
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from tests.auth.route_rules import api_routes, route_rule

MB = 1024 * 1024
KINDS = ("many-keys", "many-keys-chunked", "50MB", "50MB-chunked", "slow-drip")
CHUNK = 64 * 1024


@cache
def many_keys_body(keys: int = 900_000) -> bytes:
    """`{"k000000":0,...}`: about 10.7 MB of unknown keys (built once)."""
    return b"{" + b",".join(b'"k%06d":0' % n for n in range(keys)) + b"}"


@dataclass
class Outcome:
    """What one hostile request got: the status (0 = no answer), seconds to the status line, bytes written."""

    route: str
    kind: str
    status: int
    seconds: float
    sent: int


def anonymous_routes(app: FastAPI, values: dict[str, str]) -> list[tuple[str, str]]:
    """(method, concrete path) of every route marked public, path parameters filled from `values`."""
    found = []
    for route in api_routes(app):
        if not isinstance(route, APIRoute) or route_rule(route) != ("public", ()):
            continue
        path = re.sub(r"\{([^}:]+)(:[^}]*)?\}", lambda m: values.get(m.group(1), "x"), route.path)
        for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
            found.append((method, path))
    return found


async def _feed(writer: asyncio.StreamWriter, kind: str, counter: list[int], drip_every: float) -> None:
    """Write the body of `kind` until cancelled (or the server closes)."""
    with contextlib.suppress(ConnectionError, OSError, RuntimeError):
        if kind == "slow-drip":
            while True:
                writer.write(b" ")
                counter[0] += 1
                await writer.drain()
                await asyncio.sleep(drip_every)
        body = many_keys_body() if kind.startswith("many-keys") else None
        total = len(body) if body is not None else 50 * MB
        zeros = b"0" * CHUNK
        for start in range(0, total, CHUNK):
            chunk = body[start:start + CHUNK] if body is not None else zeros[:min(CHUNK, total - start)]
            writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if kind.endswith("chunked") else chunk)
            counter[0] += len(chunk)
            await writer.drain()
        if kind.endswith("chunked"):
            writer.write(b"0\r\n\r\n")
            await writer.drain()


def _head(method: str, path: str, host: str, kind: str) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Content-Type: application/json"]
    if kind.endswith("chunked"):
        lines.append("Transfer-Encoding: chunked")
    elif kind == "many-keys":
        lines.append(f"Content-Length: {len(many_keys_body())}")
    elif kind == "50MB":
        lines.append(f"Content-Length: {50 * MB}")
    else:
        lines.append("Content-Length: 100000")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def send(base: str, method: str, path: str, kind: str, *, timeout: float = 60.0,
               drip_every: float = 0.05) -> Outcome:
    """Send one hostile request to `base` ("host:port"); the status it got and how long it took."""
    host, port = base.rsplit(":", 1)
    reader, writer = await asyncio.open_connection(host, int(port))
    counter = [0]
    started = time.perf_counter()
    status = 0
    feeder: asyncio.Task[Any] | None = None
    try:
        writer.write(_head(method, path, base, kind))
        await writer.drain()
        feeder = asyncio.create_task(_feed(writer, kind, counter, drip_every))
        with contextlib.suppress(TimeoutError, ConnectionError, ValueError, IndexError):
            async with asyncio.timeout(timeout):
                line = await reader.readline()
                status = int(line.split()[1])
    finally:
        seconds = time.perf_counter() - started
        if feeder is not None:
            feeder.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await feeder
        writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await writer.wait_closed()
    return Outcome(route=f"{method} {path}", kind=kind, status=status, seconds=seconds, sent=counter[0])
