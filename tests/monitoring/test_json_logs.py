"""JSON logs: one object a line with the request id (from the proxy or made here) and the event id."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from httpx import ASGITransport, AsyncClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from server.logs import EVENT_ID, REQUEST_ID, JsonFormatter, RedactingFilter, configure_logging
from server.monitoring.requestids import RequestIds, event_of


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """The root logger writing JSON lines into a buffer (restored afterwards)."""
    root = logging.getLogger()
    saved, level = root.handlers[:], root.level
    buffer = io.StringIO()
    configure_logging("INFO", "json")
    root.handlers[0].setStream(buffer)  # type: ignore[attr-defined]
    yield buffer
    root.handlers[:] = saved
    root.setLevel(level)


def test_one_object_a_line_with_ids_and_secrets_redacted(json_lines: io.StringIO) -> None:
    tokens = REQUEST_ID.set("req-1"), EVENT_ID.set(42)
    try:
        logging.getLogger("livecue.test").warning("sent with access_token=abc123 to %s", "x\ny")
        try:
            raise ValueError("boom")
        except ValueError:
            logging.getLogger("livecue.test").exception("failed")
    finally:
        REQUEST_ID.reset(tokens[0])
        EVENT_ID.reset(tokens[1])
    lines = json_lines.getvalue().splitlines()
    assert len(lines) == 2  # a newline inside a message or a traceback stays inside its object
    first, second = (json.loads(line) for line in lines)
    assert first["level"] == "WARNING" and first["logger"] == "livecue.test"
    assert first["request_id"] == "req-1" and first["event_id"] == 42
    assert "abc123" not in first["message"] and "[redacted]" in first["message"]
    assert first["time"].endswith("+00:00")
    assert "ValueError: boom" in second["exception"]


def test_text_stays_the_default() -> None:
    root = logging.getLogger()
    saved = root.handlers[:]
    try:
        configure_logging("INFO")
        assert not isinstance(root.handlers[0].formatter, JsonFormatter)
        assert any(isinstance(f, RedactingFilter) for f in root.handlers[0].filters)
    finally:
        root.handlers[:] = saved


def test_event_of_path_and_query() -> None:
    assert event_of("/api/events/12/items", "") == 12
    assert event_of("/api/events/12", "") == 12
    assert event_of("/api/ws", "after=3&event_id=7") == 7
    assert event_of("/api/users/5", "") is None


async def test_requests_carry_an_id(client: AsyncClient, json_lines: io.StringIO) -> None:
    made = await client.get("/healthz")
    assert len(made.headers["x-request-id"]) == 32
    given = await client.get("/healthz", headers={"X-Request-ID": "proxy-abc.123"})
    assert given.headers["x-request-id"] == "proxy-abc.123"
    hostile = await client.get("/healthz", headers={"X-Request-ID": "x" * 65})
    assert hostile.headers["x-request-id"] != "x" * 65


async def test_log_lines_inside_a_request_name_it(json_lines: io.StringIO) -> None:
    async def endpoint(request: Request) -> PlainTextResponse:
        logging.getLogger("livecue.test").info("handling")
        return PlainTextResponse("ok")

    app = RequestIds(Starlette(routes=[Route("/api/events/{event_id}/items", endpoint)]))
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as http:
        response = await http.get("/api/events/31/items", headers={"X-Request-ID": "trace-2"})
    assert response.headers["x-request-id"] == "trace-2"
    lines = [json.loads(text) for text in json_lines.getvalue().splitlines()]
    assert [(line["request_id"], line["event_id"]) for line in lines if line["message"] == "handling"] == [
        ("trace-2", 31)]
