"""Request/response types of the platform fakes and ASGI request parsing."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import UploadFile
from starlette.requests import Request

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class UploadedBlob:
    """A file part received by a fake."""

    filename: str
    content_type: str
    data: bytes


@dataclass
class FakeRequest:
    """A request as a fake handler sees it (body already read and parsed)."""

    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes
    content_type: str | None
    scheme: str
    host: str
    json: Any = None
    form: dict[str, list[str | UploadedBlob]] = field(default_factory=dict)

    def q(self, name: str) -> str | None:
        """Return the last value of query parameter `name`."""
        values = [v for k, v in self.query if k == name]
        return values[-1] if values else None

    def q_all(self, name: str) -> list[str]:
        """Return every value of query parameter `name`."""
        return [v for k, v in self.query if k == name]

    def field_text(self, name: str) -> str | None:
        """Return a text form field."""
        values = [v for v in self.form.get(name, []) if isinstance(v, str)]
        return values[-1] if values else None

    def field_file(self, name: str) -> UploadedBlob | None:
        """Return a file form field."""
        values = [v for v in self.form.get(name, []) if isinstance(v, UploadedBlob)]
        return values[-1] if values else None

    @property
    def origin(self) -> str:
        """Scheme and host the client used (for Link headers)."""
        return f"{self.scheme}://{self.host}"


@dataclass
class FakeResponse:
    """What a handler returns; `body` is JSON-serialised unless None."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"


@dataclass
class RecordedRequest:
    """One request as the fake logged it (the Authorization value is redacted)."""

    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    content_type: str | None
    json: Any
    form: dict[str, list[str]]
    violations: list[str] = field(default_factory=list)
    fault: str | None = None
    status: int | None = None


async def parse_request(scope: Scope, receive: Receive) -> FakeRequest:
    """Read and parse one ASGI HTTP request (JSON, multipart and url-encoded bodies)."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    body = b"".join(chunks)
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
    content_type = headers.get("content-type")
    media = (content_type or "").split(";")[0].strip().lower()
    query_string = scope.get("query_string", b"").decode("latin-1")
    req = FakeRequest(
        method=scope["method"].upper(),
        path=scope["path"],
        query=parse_qsl(query_string, keep_blank_values=True),
        headers=headers,
        body=body,
        content_type=content_type,
        scheme=scope.get("scheme", "http"),
        host=headers.get("host", "localhost"),
    )
    if media == "application/json" and body:
        with contextlib.suppress(ValueError):
            req.json = json.loads(body)
    elif media in ("multipart/form-data", "application/x-www-form-urlencoded"):
        sent = False

        async def replay() -> dict[str, Any]:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        form = await Request(scope, replay).form(max_part_size=64 * 1024 * 1024)
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                ctype = value.content_type or "application/octet-stream"
                blob = UploadedBlob(value.filename or "", ctype, await value.read())
                req.form.setdefault(key, []).append(blob)
            else:
                req.form.setdefault(key, []).append(str(value))
        await form.close()
    return req
