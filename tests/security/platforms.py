"""Remote platforms for the leak scenario: FakeX and FakeMastodon in-process, and a small Bluesky PDS stub.

`HostRouter` is an httpx transport that sends each request to the fake serving its host, so the app's own
`AdapterRegistry` builds the real adapters from the secrets file and reaches the fakes through its shared
HTTP client, exactly as it would reach the real networks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx

BSKY_HOST = "pds.bsky.test"
BSKY_DID = "did:plc:livecuehospital"
BSKY_HANDLE = "hospital.bsky.test"


class HostRouter(httpx.AsyncBaseTransport):
    """Dispatch by host; unknown hosts fail like an unreachable network."""

    def __init__(self, routes: dict[str, httpx.AsyncBaseTransport]) -> None:
        self.routes = routes

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Forward to the transport of the request's host."""
        transport = self.routes.get(request.url.host)
        if transport is None:
            raise httpx.ConnectError(f"no route to {request.url.host}", request=request)
        return await transport.handle_async_request(request)


@dataclass
class BlueskyStub:
    """Just enough of a PDS: createSession with the app password, getSession, uploadBlob, createRecord."""

    identifier: str
    password: str
    access_jwt: str
    refresh_jwt: str
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    logins: int = 0

    def transport(self) -> httpx.MockTransport:
        """An httpx transport answering as this PDS."""
        return httpx.MockTransport(self.handle)

    def _authed(self, request: httpx.Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.access_jwt}"

    async def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one XRPC call."""
        nsid = request.url.path.removeprefix("/xrpc/")
        if nsid == "com.atproto.server.createSession":
            body = json.loads(request.content or b"{}")
            if body.get("identifier") != self.identifier or body.get("password") != self.password:
                return _error(401, "AuthenticationRequired", "Invalid identifier or password")
            self.logins += 1
            return httpx.Response(200, json={"accessJwt": self.access_jwt, "refreshJwt": self.refresh_jwt,
                                             "did": BSKY_DID, "handle": BSKY_HANDLE})
        if not self._authed(request):
            return _error(401, "AuthenticationRequired", "Authentication Required")
        if nsid == "com.atproto.server.getSession":
            return httpx.Response(200, json={"did": BSKY_DID, "handle": BSKY_HANDLE})
        if nsid == "com.atproto.repo.uploadBlob":
            blob = {"$type": "blob", "ref": {"$link": f"bafkrei{len(request.content):040d}"},
                    "mimeType": request.headers.get("content-type", ""), "size": len(request.content)}
            return httpx.Response(200, json={"blob": blob})
        if nsid == "com.atproto.repo.createRecord":
            body = json.loads(request.content)
            uri = f"at://{BSKY_DID}/{body['collection']}/{body['rkey']}"
            if uri in self.records:
                return _error(500, "InternalServerError", "record already exists")
            self.records[uri] = body["record"]
            return httpx.Response(200, json={"uri": uri, "cid": f"bafyrei{len(self.records):040d}"})
        if nsid == "com.atproto.repo.getRecord":
            params = request.url.params
            uri = f"at://{params['repo']}/{params['collection']}/{params['rkey']}"
            if uri not in self.records:
                return _error(400, "RecordNotFound", f"Could not locate record: {uri}")
            return httpx.Response(200, json={"uri": uri, "cid": "bafyreiexisting", "value": self.records[uri]})
        if nsid == "app.bsky.notification.listNotifications":
            return httpx.Response(200, json={"notifications": []})
        return _error(501, "MethodNotImplemented", f"{nsid} is not implemented here")


def _error(status: int, error: str, message: str) -> httpx.Response:
    return httpx.Response(status, json={"error": error, "message": message})
