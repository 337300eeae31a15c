"""Faults in front of a real local PDS, and read-back through the PDS's own XRPC API.

`PdsFaultTransport` forwards every request to the real PDS, except the ones a test asked to fail:
429 with `RateLimit-*` headers, 500/503 with an XRPC error body, a connection reset before the
request leaves, or a read timeout *after* the PDS processed (stored) the request.
"""

from __future__ import annotations

import fnmatch
import time
from dataclasses import dataclass
from typing import Any

import httpx

POST = "app.bsky.feed.post"
FAULTS = ("429", "500", "503", "reset", "timeout_after_store")


@dataclass
class _Rule:
    nsid: str
    kind: str
    remaining: int


class PdsFaultTransport(httpx.AsyncBaseTransport):
    """An httpx transport to the PDS that records calls and injects faults per XRPC method."""

    def __init__(self, rate_limit_reset_seconds: int = 60) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self._rules: list[_Rule] = []
        self.calls: list[str] = []
        self.rate_limit_reset_seconds = rate_limit_reset_seconds

    def inject(self, nsid: str, kind: str, count: int = 1) -> None:
        """Make the next `count` calls of `nsid` (a glob) fail with `kind`."""
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}")
        self._rules.append(_Rule(nsid, kind, count))

    def count(self, nsid: str) -> int:
        """How many calls of `nsid` reached this transport (faulted ones included)."""
        return sum(1 for c in self.calls if c == nsid)

    def _take(self, nsid: str) -> str | None:
        for rule in self._rules:
            if rule.remaining > 0 and fnmatch.fnmatch(nsid, rule.nsid):
                rule.remaining -= 1
                return rule.kind
        return None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Forward to the PDS unless a fault applies."""
        nsid = request.url.path.removeprefix("/xrpc/")
        self.calls.append(nsid)
        kind = self._take(nsid)
        if kind == "429":
            reset = int(time.time()) + self.rate_limit_reset_seconds
            headers = {"RateLimit-Limit": "3000", "RateLimit-Remaining": "0", "RateLimit-Reset": str(reset),
                       "RateLimit-Policy": "3000;w=300"}
            return httpx.Response(429, json={"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
                                  headers=headers, request=request)
        if kind in ("500", "503"):
            return httpx.Response(int(kind), json={"error": "InternalServerError", "message": "Internal Server Error"},
                                  request=request)
        if kind == "reset":
            raise httpx.ConnectError("[Errno 104] Connection reset by peer (injected)", request=request)
        response = await self._inner.handle_async_request(request)
        if kind == "timeout_after_store":
            await response.aread()
            await response.aclose()
            raise httpx.ReadTimeout("timed out (injected after the PDS stored the record)", request=request)
        return response

    async def aclose(self) -> None:
        """Close the real transport."""
        await self._inner.aclose()


async def list_posts(http: httpx.AsyncClient, pds_url: str, did: str) -> list[dict[str, Any]]:
    """Every `app.bsky.feed.post` record of a repository (`com.atproto.repo.listRecords`, all pages)."""
    records: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"repo": did, "collection": POST, "limit": 100}
        if cursor:
            params["cursor"] = cursor
        response = await http.get(f"{pds_url}/xrpc/com.atproto.repo.listRecords", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        records += body.get("records") or []
        cursor = body.get("cursor")
        if not cursor or not body.get("records"):
            return records


async def get_post(http: httpx.AsyncClient, pds_url: str, uri: str) -> dict[str, Any]:
    """One record by its at:// URI (`com.atproto.repo.getRecord`)."""
    did, collection, rkey = uri.removeprefix("at://").split("/")
    response = await http.get(f"{pds_url}/xrpc/com.atproto.repo.getRecord",
                              params={"repo": did, "collection": collection, "rkey": rkey})
    assert response.status_code == 200, response.text
    record: dict[str, Any] = response.json()
    return record


async def new_session(http: httpx.AsyncClient, pds_url: str, handle: str, password: str) -> dict[str, str]:
    """A fresh session (`createSession`): accessJwt, refreshJwt, did, handle."""
    response = await http.post(f"{pds_url}/xrpc/com.atproto.server.createSession",
                               json={"identifier": handle, "password": password})
    assert response.status_code == 200, response.text
    body = response.json()
    return {"access_jwt": body["accessJwt"], "refresh_jwt": body["refreshJwt"], "did": body["did"],
            "handle": body["handle"]}


async def revoke_session(http: httpx.AsyncClient, pds_url: str, refresh_jwt: str) -> None:
    """Revoke a session's refresh token (`deleteSession`), so refreshing it fails."""
    response = await http.post(f"{pds_url}/xrpc/com.atproto.server.deleteSession",
                               headers={"Authorization": f"Bearer {refresh_jwt}"})
    assert response.status_code == 200, response.text
