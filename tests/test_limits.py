"""Bounded requests (server/limits.py): size limits while reading, a body deadline, JSON shape limits, small errors."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from PIL import Image

from server.limits import BodyLimits, Limits, json_problem, size_text
from tests.factories import create_user, login

SMALL = {"max_json_bytes": 4096, "max_media_bytes": 64 * 1024, "body_timeout_seconds": 0.3,
         "max_json_keys": 50, "max_json_depth": 5, "max_json_string": 200}


class Stream:
    """A request body sent in chunks (chunked transfer: no Content-Length), counting what was pulled."""

    def __init__(self, chunk: bytes, count: int, pause: float = 0.0) -> None:
        self.chunk, self.count, self.pause, self.pulled = chunk, count, pause, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(self.count):
            if self.pause:
                await asyncio.sleep(self.pause)
            self.pulled += 1
            yield self.chunk


async def chained(first: bytes, rest: Stream) -> AsyncIterator[bytes]:
    yield first
    async for chunk in rest:
        yield chunk


def many_keys(count: int) -> bytes:
    return ("{" + ",".join(f'"k{n}":0' for n in range(count)) + "}").encode()


def png(size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(out, format="PNG")
    return out.getvalue()


class Wire:
    """The server side of one connection, for calling the middleware directly: what was received and sent, in order."""

    def __init__(self, chunks: int, size: int = 1024, pause: float = 0.0, declared: int | None = None) -> None:
        self.chunks, self.size, self.pause, self.declared = chunks, size, pause, declared
        self.log: list[str] = []
        self.sent: list[dict[str, Any]] = []

    def scope(self, path: str = "/api/auth/login", method: str = "POST") -> dict[str, Any]:
        headers = [(b"content-type", b"application/json")]
        if self.declared is not None:
            headers.append((b"content-length", str(self.declared).encode()))
        return {"type": "http", "method": method, "path": path, "headers": headers}

    async def receive(self) -> dict[str, Any]:
        pulled = sum(1 for entry in self.log if entry == "receive")
        self.log.append("receive")
        if self.pause:
            await asyncio.sleep(self.pause)
        more = pulled + 1 < self.chunks
        return {"type": "http.request", "body": b"x" * self.size, "more_body": more}

    async def send(self, message: dict[str, Any]) -> None:
        self.log.append(message["type"])
        self.sent.append(message)

    def receives_before_answer(self) -> int:
        return self.log.index("http.response.start")

    def status(self) -> int:
        return int(self.sent[0]["status"])

    def body(self) -> dict[str, Any]:
        return dict(json.loads(b"".join(m.get("body", b"") for m in self.sent[1:])))


async def _never_called(scope: Any, receive: Any, send: Any) -> None:
    raise AssertionError("the app must not see a refused request")


LIMITS = Limits(json_bytes=4096, body_seconds=0.3)


async def test_declared_length_over_the_limit_is_refused_before_reading() -> None:
    wire = Wire(chunks=100, declared=100 * 1024)
    await BodyLimits(_never_called, LIMITS)(wire.scope(), wire.receive, wire.send)
    assert wire.receives_before_answer() == 0  # refused on the headers alone
    assert wire.status() == 413 and wire.body()["error"] == "TooLarge"
    assert "4 KB" in wire.body()["detail"] and "LIVECUE_MAX_JSON_BYTES" in wire.body()["detail"]
    headers = dict(wire.sent[0]["headers"])
    assert headers[b"connection"] == b"close" and headers[b"x-content-type-options"] == b"nosniff"
    assert wire.log.count("receive") <= 101  # what kept arriving was read and dropped (a "lingering close")


async def test_a_streamed_body_is_counted_and_cut_off_at_the_limit() -> None:
    wire = Wire(chunks=1000)
    await BodyLimits(_never_called, LIMITS)(wire.scope(), wire.receive, wire.send)
    assert wire.status() == 413
    assert wire.receives_before_answer() == 5  # 4 KB limit: the fifth KB is one too many


async def test_a_slow_drip_body_gets_408_at_the_deadline() -> None:
    wire = Wire(chunks=1000, size=1, pause=0.05)
    started = asyncio.get_running_loop().time()
    await BodyLimits(_never_called, LIMITS)(wire.scope(), wire.receive, wire.send)
    assert wire.status() == 408 and wire.body()["error"] == "RequestTimeout"
    assert "LIVECUE_BODY_TIMEOUT_SECONDS" in wire.body()["detail"]
    assert wire.receives_before_answer() < 10
    assert asyncio.get_running_loop().time() - started < 0.3 + 1.0 + 0.5  # deadline, then at most the linger


@pytest.mark.parametrize("settings_overrides", [SMALL])
async def test_refusals_through_the_app(client: AsyncClient) -> None:
    declared = await client.post("/api/auth/login", content=b"x" * 10_000, headers={"Content-Type": "application/json"})
    assert declared.status_code == 413 and declared.headers["connection"] == "close"
    assert declared.headers["x-content-type-options"] == "nosniff"
    chunked = await client.post("/api/auth/login", content=Stream(b"x" * 1024, 100),
                                headers={"Content-Type": "application/json"})
    assert chunked.status_code == 413
    drip = await client.post("/api/auth/login", content=Stream(b"{", 1000, pause=0.05),
                             headers={"Content-Type": "application/json"})
    assert drip.status_code == 408 and drip.json()["error"] == "RequestTimeout"


@pytest.mark.parametrize("settings_overrides", [SMALL])
async def test_routes_that_take_no_body_are_bounded_too(client: AsyncClient) -> None:
    assert (await client.request("GET", "/healthz", content=b"x" * 5000)).status_code == 413
    drip = await client.request("GET", "/healthz", content=Stream(b"x", 1000, pause=0.05))
    assert drip.status_code == 408
    assert (await client.get("/healthz")).status_code == 200


@pytest.mark.parametrize("settings_overrides", [SMALL])
async def test_json_shape_limits_are_checked_before_validation(client: AsyncClient) -> None:
    cases = {
        "keys": many_keys(60),
        "depth": b'{"username": [[[[[["deep"]]]]]]}',
        "string": json.dumps({"username": "u", "password": "p" * 300}).encode(),
        "key length": json.dumps({"k" * 300: 1}).encode(),
    }
    for name, body in cases.items():
        response = await client.post("/api/auth/login", content=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 422, name
        assert response.json()["error"] == "ValidationError" and response.json()["field"] == "body", name
        assert "LIVECUE_MAX_JSON_" in response.json()["detail"], name
        assert len(response.content) < 400, name
    nested = b"[" * 2000 + b"]" * 2000  # deeper than the parser's recursion limit: still a clean 422
    response = await client.post("/api/auth/login", content=nested, headers={"Content-Type": "application/json"})
    assert response.status_code == 422 and "DEPTH" in response.json()["detail"]


async def test_validation_errors_echo_only_excerpts(client: AsyncClient) -> None:
    # Under every limit (3,000 keys, 60 KB), still unknown keys: the answer lists a few problems, briefly.
    body = {"username": "someone", "password": "secret"} | {"x" * 15 + str(n): "y" * 5 for n in range(3000)}
    response = await client.post("/api/auth/login", json=body)
    assert response.status_code == 422
    answer = response.json()
    assert len(answer["problems"]) == 20 and answer["more_problems"] == 2980
    assert len(response.content) < 3000
    long_key = await client.post("/api/auth/login", json={"username": "a", "password": "b", "z" * 5000: 1})
    assert long_key.status_code == 422
    assert len(long_key.json()["field"]) <= 120 and len(long_key.content) < 600


@pytest.mark.parametrize("settings_overrides", [SMALL])
async def test_uploads_get_the_media_limit_only_with_a_session(client: AsyncClient, sessionmaker: Any) -> None:
    headers = await login(client, await create_user(sessionmaker, "comms"))
    picture = png()
    fits = await client.post("/api/media", files={"file": ("a.png", picture, "image/png")}, headers=headers)
    assert fits.status_code == 201, fits.text
    big = b"\0" * (40 * 1024)  # over the 4 KB JSON limit, under the 64 KB media limit
    anonymous = await client.post("/api/media", files={"file": ("a.png", big, "image/png")})
    assert anonymous.status_code == 413 and "LIVECUE_MAX_JSON_BYTES" in anonymous.json()["detail"]
    forged = await client.post("/api/media", files={"file": ("a.png", big, "image/png")},
                               headers={"Authorization": "Bearer forged"})
    assert forged.status_code == 413
    too_big = await client.post("/api/media", files={"file": ("a.png", b"\0" * (200 * 1024), "image/png")},
                                headers=headers)
    assert too_big.status_code == 413 and "LIVECUE_MAX_MEDIA_BYTES" in too_big.json()["detail"]
    part = b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n'
    body = Stream(b"\0" * 8192, 1000)  # 8 MB: more than the limit and the lingering read together
    streamed = await client.post("/api/media", content=chained(part, body), headers={
        **headers, "Content-Type": "multipart/form-data; boundary=xyz"})
    assert streamed.status_code == 413 and "64 KB" in streamed.json()["detail"], streamed.text
    assert body.pulled < 1000  # counted while the form was parsed: the stream was not read to its end


async def test_middleware_passes_websockets_and_lifespan_through() -> None:
    seen: list[str] = []

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["type"])

    middleware = BodyLimits(inner, Limits())
    for kind in ("websocket", "lifespan"):
        await middleware({"type": kind}, None, None)  # type: ignore[arg-type]
    assert seen == ["websocket", "lifespan"]


def test_json_problem_allows_ordinary_bodies() -> None:
    limits = Limits(json_keys=10, json_depth=3, json_string=20)
    assert json_problem(b'{"a": [1, 2, {"b": "short"}]}', limits) is None
    assert json_problem(b"not json", limits) is None  # FastAPI reports malformed JSON itself
    assert json_problem(many_keys(11), limits) is not None
    assert [size_text(n) for n in (256 * 1024, 120 << 20, 1000)] == ["256 KB", "120 MB", "1000 bytes"]


def test_limits_follow_the_settings(app: FastAPI) -> None:
    from server.config import Settings

    limits = Limits.from_settings(Settings(_env_file=None))
    assert limits.json_bytes == 256 * 1024 and limits.media_bytes == 120 * 1024 * 1024
    assert limits.body_seconds == 10 and limits.json_keys == 20_000
