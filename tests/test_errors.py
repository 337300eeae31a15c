"""The error shape's promises: every 429 says when to try again, and no error body echoes much of the input."""

from __future__ import annotations

from fastapi import FastAPI
from httpx import AsyncClient
from starlette.exceptions import HTTPException

from server.auth.deps import PUBLIC
from server.errors import TooManyRequests, excerpt, retry_headers


def test_every_too_many_requests_knows_when_to_retry() -> None:
    assert TooManyRequests("slow down").extra["retry_after"] == 60
    assert TooManyRequests("slow down", retry_after=0.2).extra["retry_after"] == 1  # whole seconds, at least 1
    assert TooManyRequests("slow down", extra={"retry_after": 12.5}).extra["retry_after"] == 13
    assert retry_headers(429, None, {}) == {"Retry-After": "60"}
    assert retry_headers(429, {"retry-after": "5"}, {}) == {"retry-after": "5"}
    assert retry_headers(404, None, {}) is None


def test_excerpts_are_short() -> None:
    assert excerpt("short") == "short"
    assert len(excerpt("x" * 10_000)) == 120 and excerpt("x" * 10_000).endswith("…")


async def test_a_framework_429_gets_retry_after_too(app: FastAPI, client: AsyncClient) -> None:
    async def busy() -> None:
        raise HTTPException(429, "busy")

    app.add_api_route("/test-busy", busy, dependencies=[PUBLIC])
    response = await client.get("/test-busy")
    assert response.status_code == 429 and response.headers["retry-after"] == "60"
    assert response.json() == {"error": "TooManyRequests", "detail": "busy"}
