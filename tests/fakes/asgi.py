"""Shared plumbing of the platform fakes: an ASGI app that records, validates and injects faults.

A fake is an ASGI callable. In-process, use `fake.client()` (an `httpx.AsyncClient` over
`FaultTransport`, which turns the fake's "reset"/"timeout" markers into real httpx exceptions).
Over the network, `with fake.serve() as base_url:` runs it under uvicorn on a loopback port; there a
"reset" truncates the response (the client sees `RemoteProtocolError`) and "timeout_after_store"
stores the request, then holds the response for `network_hang_seconds`.

Every request is recorded (`fake.requests`, secrets redacted) and checked against the platform's
OpenAPI spec; a request that breaks the spec is answered 400 with the violation, and every
violation, including ones found in the fake's own responses, lands in `fake.violations`.
"""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import json
import re
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import httpx
import uvicorn

from tests.fakes.messages import (
    FakeRequest,
    FakeResponse,
    Receive,
    RecordedRequest,
    Scope,
    Send,
    UploadedBlob,
    parse_request,
)
from tests.fakes.openapi_check import FilePart, FormValue, OpenAPIChecker

__all__ = [
    "FakeRequest",
    "FakeResponse",
    "FakeServer",
    "FaultTransport",
    "Handler",
    "RecordedRequest",
    "UploadedBlob",
]

FaultKind = Literal["429", "500", "503", "reset", "timeout_after_store"]
FAULT_KINDS: tuple[str, ...] = ("429", "500", "503", "reset", "timeout_after_store")
MARKER = "x-livecue-fake-fault"


@dataclass
class _FaultRule:
    pattern: str
    kind: str
    remaining: int
    method: str | None


Handler = Callable[[FakeRequest, dict[str, str]], Awaitable[FakeResponse]]


def _redact(headers: dict[str, str]) -> dict[str, str]:
    out = dict(headers)
    if "authorization" in out:
        out["authorization"] = out["authorization"].split(" ", 1)[0] + " <redacted>"
    return out


class FaultTransport(httpx.AsyncBaseTransport):
    """In-process transport to a fake that raises the network faults the fake asks for."""

    def __init__(self, app: FakeServer) -> None:
        self._inner = httpx.ASGITransport(app=app)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Forward to the fake; convert fault markers into httpx exceptions."""
        response = await self._inner.handle_async_request(request)
        marker = response.headers.get(MARKER)
        if marker == "reset":
            await response.aclose()
            raise httpx.ConnectError("[Errno 104] Connection reset by peer (injected)", request=request)
        if marker == "timeout":
            await response.aclose()
            raise httpx.ReadTimeout("timed out (injected after the fake stored the request)", request=request)
        return response


class FakeServer:
    """Base of the platform fakes: routing, recording, spec checks and fault injection."""

    def __init__(
        self,
        checker: OpenAPIChecker,
        *,
        base_url: str,
        unchecked_paths: tuple[str, ...] = (),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.checker = checker
        self.base_url = base_url
        self.unchecked_paths = ("/_fake/*", *unchecked_paths)
        self.clock = clock
        self.requests: list[RecordedRequest] = []
        self.violations: list[str] = []
        self.in_process = True
        self.network_hang_seconds = 5.0
        self._faults: list[_FaultRule] = []
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self.add_route("GET", "/_fake/state", self._state_route)
        self.add_route("POST", "/_fake/faults", self._fault_route)

    # ------------------------------------------------------------- set-up API
    def add_route(self, method: str, template: str, handler: Handler, *, override: bool = False) -> None:
        """Register `handler` for `method` on a path template like `/api/v1/statuses/{id}`.

        With `override`, the route takes precedence over earlier ones (tests replacing a handler).
        """
        regex = "^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template)) + "$"
        route = (method.upper(), re.compile(regex), handler)
        if override:
            self._routes.insert(0, route)
        else:
            self._routes.append(route)

    def inject_fault(
        self, path: str, kind: FaultKind | str, *, count: int = 1, method: str | None = None
    ) -> None:
        """Make the next `count` requests matching `path` (fnmatch glob) fail with `kind`."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; use one of {FAULT_KINDS}")
        self._faults.append(_FaultRule(path, kind, count, method.upper() if method else None))

    def clear_faults(self) -> None:
        """Drop every pending fault."""
        self._faults.clear()

    def requests_to(self, method: str, path_glob: str) -> list[RecordedRequest]:
        """Return the recorded requests matching method and path glob."""
        return [r for r in self.requests if r.method == method.upper() and fnmatch.fnmatch(r.path, path_glob)]

    def transport(self) -> FaultTransport:
        """Return an in-process transport to this fake."""
        return FaultTransport(self)

    def client(self, **kwargs: Any) -> httpx.AsyncClient:
        """Return an `httpx.AsyncClient` wired to this fake in-process."""
        return httpx.AsyncClient(transport=self.transport(), **kwargs)

    # ------------------------------------------------------ hooks to override
    def snapshot(self) -> dict[str, Any]:
        """Return the fake's state as JSON-able data (for `/_fake/state`)."""
        return {}

    def violation_response(self, violations: list[str]) -> FakeResponse:
        """Build the 400 answer to a request that breaks the spec."""
        return FakeResponse(400, {"error": "; ".join(violations)})

    def fault_response(self, kind: str) -> FakeResponse:
        """Build the answer for an injected 429/500/503."""
        return FakeResponse(int(kind), {"error": kind})

    # --------------------------------------------------------------- internals
    def _take_fault(self, method: str, path: str) -> str | None:
        for rule in self._faults:
            if rule.remaining > 0 and (rule.method in (None, method)) and fnmatch.fnmatch(path, rule.pattern):
                rule.remaining -= 1
                return rule.kind
        return None

    async def _state_route(self, req: FakeRequest, params: dict[str, str]) -> FakeResponse:
        return FakeResponse(200, {"state": self.snapshot(), "violations": self.violations})

    async def _fault_route(self, req: FakeRequest, params: dict[str, str]) -> FakeResponse:
        body = req.json or {}
        self.inject_fault(
            body["path"], body["kind"], count=int(body.get("count", 1)), method=body.get("method")
        )
        return FakeResponse(200, {"ok": True})

    def _checked(self, path: str) -> bool:
        return not any(fnmatch.fnmatch(path, p) for p in self.unchecked_paths)

    async def _dispatch(self, req: FakeRequest) -> FakeResponse:
        for method, regex, handler in self._routes:
            match = regex.match(req.path)
            if match and method == req.method:
                return await handler(req, match.groupdict())
        return FakeResponse(404, {"error": "Record not found"})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """ASGI entry point."""
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        req = await parse_request(scope, receive)
        checked = self._checked(req.path)
        violations: list[str] = []
        if checked:
            form: dict[str, list[FormValue]] = {
                k: [
                    FilePart(v.filename, v.content_type, len(v.data)) if isinstance(v, UploadedBlob) else v
                    for v in vs
                ]
                for k, vs in req.form.items()
            }
            violations = self.checker.check_request(
                req.method,
                req.path,
                query=req.query,
                headers=req.headers,
                content_type=req.content_type,
                body=req.body,
                form=form or None,
            )
        record = RecordedRequest(
            method=req.method,
            path=req.path,
            query=req.query,
            headers=_redact(req.headers),
            content_type=req.content_type,
            json=req.json,
            form={
                k: [v if isinstance(v, str) else f"<file {v.filename} {len(v.data)}B>" for v in vs]
                for k, vs in req.form.items()
            },
            violations=violations,
        )
        self.requests.append(record)
        prefix = f"{req.method} {req.path}: "
        self.violations.extend(prefix + v for v in violations)
        marker: str | None = None
        if violations:
            response = self.violation_response(violations)
            checked = False
        else:
            record.fault = self._take_fault(req.method, req.path)
            if record.fault in ("429", "500", "503"):
                response = self.fault_response(record.fault)
            elif record.fault == "reset":
                response, marker = FakeResponse(599, None), "reset"
            else:
                response = await self._dispatch(req)
                if record.fault == "timeout_after_store":
                    marker = "timeout"
        record.status = response.status
        payload = b"" if response.body is None else json.dumps(response.body).encode()
        if checked and marker is None:
            problems = self.checker.check_response(
                req.method, req.path, response.status, response.content_type, payload
            )
            self.violations.extend(f"{prefix}(fake's own response) {p}" for p in problems)
        await self._send(send, response, payload, marker)

    async def _send(self, send: Send, response: FakeResponse, payload: bytes, marker: str | None) -> None:
        headers = [(k.lower().encode(), v.encode()) for k, v in response.headers.items()]
        if payload:
            headers.append((b"content-type", response.content_type.encode()))
        if marker == "reset" and not self.in_process:
            # Over a socket: promise a body, send none, end the app -> the server drops the connection.
            start = {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1000")]}
            await send(start)
            raise ConnectionResetError("injected reset")
        if marker == "timeout" and not self.in_process:
            await asyncio.sleep(self.network_hang_seconds)
            marker = None
        if marker is not None:
            headers.append((MARKER.encode(), marker.encode()))
        headers.append((b"content-length", str(len(payload)).encode()))
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    # ------------------------------------------------------------------ network
    @contextlib.contextmanager
    def serve(self, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
        """Run this fake under uvicorn on a loopback port; yields its base URL."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        config = uvicorn.Config(self, log_level="critical", lifespan="on", timeout_graceful_shutdown=1)
        server = uvicorn.Server(config)
        thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True)
        self.in_process = False
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline and thread.is_alive():
            time.sleep(0.02)
        try:
            yield f"http://{host}:{sock.getsockname()[1]}"
        finally:
            server.should_exit = True
            thread.join(10)
            sock.close()
            self.in_process = True


def run_cli(factory: Callable[[], FakeServer], default_port: int) -> None:
    """Run a fake from the command line: `python -m tests.fakes.<name> [--port N]` (loopback only)."""
    import argparse

    parser = argparse.ArgumentParser(description="Run a Livecue platform fake on a loopback port.")
    parser.add_argument("--port", type=int, default=default_port)
    args = parser.parse_args()
    fake = factory()
    fake.in_process = False
    uvicorn.run(fake, host="127.0.0.1", port=args.port, log_level="warning")
