"""The public form's fast path (server/questions/public_form.py) answers exactly as the route does.

The same requests are sent twice: as `application/json`, which the fast path serves ahead of routing, and as
`application/merge+json`, which it leaves to the route (FastAPI parses both as JSON). Status, body and headers
must match, for the accepted question and for every refusal. A second test calls the middleware with an inner
app that must not be reached, so a well-formed post is known to be served by the fast path itself.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient
from starlette.types import Message

from server.clock import FakeClock
from server.questions.public_form import PublicFormEdge
from server.ratelimit import SlidingWindow
from server.security import HEADERS
from tests.questions.qakit import messages, qa_kit

SAME = ("content-type", "content-length", "cache-control", "retry-after", *(name.lower() for name in HEADERS))


async def test_fast_path_and_route_answer_alike(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                sessionmaker: Any) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    kit.state.form_limiter = SlidingWindow(10, 60.0, now=lambda: 0.0)  # 8 stored, then one 404 each, then 429s
    url = f"/api/public/events/{kit.event['slug']}/questions"
    bodies: list[dict[str, Any]] = [
        {"name": "Guest", "text": "How long does the surgery take?"},
        {"text": "x" * 1001}, {"text": ""}, {"text": "hi", "html": "<b>"}, {"text": "a\u0000b"},
        {"text": "ok?", "submission_id": "short"}, {"name": 5, "text": "number as name?"},
        {"text": "Is the surgeon on call?", "submission_id": "abcdefgh1234"},
        {"text": "   "}, {"text": "Again?"},
    ]
    targets = [url, "/api/public/events/no-such-event/questions", "/api/public/events/" + "s" * 65 + "/questions"]
    for target in targets:
        for body in bodies:
            fast = await client.post(target, json=body)
            routed = await client.post(target, json=body, headers={"content-type": "application/merge+json"})
            assert (fast.status_code, fast.json()) == (routed.status_code, routed.json()), (target, body)
            assert {k: fast.headers.get(k) for k in SAME if k != "content-type"} == \
                {k: routed.headers.get(k) for k in SAME if k != "content-type"}
            assert fast.headers["content-type"] == routed.headers["content-type"] == "application/json"
            assert fast.headers["x-request-id"] and fast.headers["cache-control"] == "no-store"
    stored = await messages(kit)
    asked = ["   ", "Again?", "How long does the surgery take?"]
    assert sorted(m.text for m in stored) == sorted([*asked, *asked, "Is the surgeon on call?"])  # its id once
    assert [m.status for m in stored].count("rejected") == 2


async def test_well_formed_posts_never_reach_routing(client: AsyncClient, app: FastAPI, clock: FakeClock,
                                                     sessionmaker: Any) -> None:
    kit = await qa_kit(client, app, clock, sessionmaker)
    slug = kit.event["slug"]
    routed: list[bytes] = []

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        message = {"more_body": True}
        body = b""
        while message.get("more_body"):
            message = await receive()
            body += message["body"]
        routed.append(body)
        await send({"type": "http.response.start", "status": 299, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def post(body: bytes, content_type: bytes = b"application/json", query: bytes = b"") -> int:
        scope = {"type": "http", "method": "POST", "path": f"/api/public/events/{slug}/questions", "root_path": "",
                 "query_string": query, "headers": [(b"content-type", content_type)], "client": ("192.0.2.9", 1),
                 "app": app}
        chunks = [{"type": "http.request", "body": body[:5], "more_body": True},
                  {"type": "http.request", "body": body[5:], "more_body": False}]
        sent: list[Message] = []

        async def receive() -> dict[str, Any]:
            return chunks.pop(0) if chunks else {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            sent.append(message)

        await PublicFormEdge(inner)(scope, receive, send)
        return int(sent[0]["status"])

    assert await post(b'{"text": "Is it safe?"}') == 202 and routed == []
    assert await post(b'{"text": "Is it safe?"}', b"text/plain") == 299
    assert await post(b'{"text": "Is it safe?"}', query=b"a=1") == 299
    assert await post(b'{"text": "x\\u0000"}') == 299
    assert await post(b'{"text": 5}') == 299
    assert routed == [b'{"text": "Is it safe?"}'] * 2 + [b'{"text": "x\\u0000"}', b'{"text": 5}']  # body replayed
    assert [m.text for m in await messages(kit)] == ["Is it safe?"]
