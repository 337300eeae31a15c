"""The X, Mastodon and Bluesky clients classify every transport failure the same way (one mapping, three users).

Each client sends through a mock transport that raises the failure; a failure before the request left is
`RetryLater` with the connection retry seconds, one after it was sent is `OutcomeUnknown` for a call that
creates a post and `RetryLater` otherwise. Bluesky used to miss `UnsupportedProtocol` and the retry seconds.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest

from server.platforms.base import MemoryCredentialStore, PublishRequest, RemoteRef
from server.platforms.bluesky.client import XrpcClient
from server.platforms.errors import OutcomeUnknown, PlatformError, RetryLater
from server.platforms.mastodon import http as mastodon_http
from server.platforms.transport import NOT_SENT, RETRY_CONNECTION_SECONDS, json_object
from server.platforms.x import XAdapter

OAUTH1 = {"consumer_key": "c", "consumer_secret": "cs", "token": "t", "token_secret": "ts"}
REQUEST = PublishRequest(text="hello", idempotency_key="k1")

BEFORE_SENDING = [httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol]
AFTER_SENDING = [httpx.ReadTimeout, httpx.WriteTimeout, httpx.ReadError, httpx.RemoteProtocolError,
                 httpx.DecodingError]

Call = Callable[[httpx.AsyncClient, bool], Awaitable[object]]


async def _x(client: httpx.AsyncClient, creates: bool) -> object:
    adapter = XAdapter("https://x.example", MemoryCredentialStore(dict(OAUTH1)), client, clock=lambda: 0.0)
    if creates:
        return await adapter.publish(REQUEST)
    return await adapter.delete(RemoteRef(remote_id="1", url=None))


async def _mastodon(client: httpx.AsyncClient, creates: bool) -> object:
    method = "POST" if creates else "GET"
    return await mastodon_http.send(client, method, "https://m.example/api/v1/statuses", token="tok",
                                    action="publish" if creates else "read", creates=creates)


async def _bluesky(client: httpx.AsyncClient, creates: bool) -> object:
    xrpc = XrpcClient("https://pds.example", client, clock=lambda: 0.0)
    if creates:
        return await xrpc.procedure("com.atproto.repo.createRecord", {}, token="a", may_create=True)
    return await xrpc.query("com.atproto.repo.getRecord", {"rkey": "r"}, token="a")


CLIENTS: dict[str, Call] = {"x": _x, "mastodon": _mastodon, "bluesky": _bluesky}


async def _failure(call: Call, exc_type: type[httpx.RequestError], creates: bool) -> PlatformError:
    def boom(request: httpx.Request) -> httpx.Response:
        raise exc_type("injected", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(boom)) as client:
        with pytest.raises(PlatformError) as info:
            await call(client, creates)
    return info.value


def test_not_sent_lists_the_failures_before_sending() -> None:
    assert set(NOT_SENT) == set(BEFORE_SENDING)


@pytest.mark.parametrize("creates", [True, False], ids=["creates", "reads"])
@pytest.mark.parametrize("exc_type", BEFORE_SENDING + AFTER_SENDING, ids=lambda t: t.__name__)
@pytest.mark.parametrize("platform", sorted(CLIENTS))
async def test_each_client_classifies_transport_failures_alike(
        platform: str, exc_type: type[httpx.RequestError], creates: bool) -> None:
    error = await _failure(CLIENTS[platform], exc_type, creates)
    if creates and exc_type in AFTER_SENDING:
        assert type(error) is OutcomeUnknown
    else:
        assert type(error) is RetryLater
        assert error.retry_after == RETRY_CONNECTION_SECONDS
    assert exc_type.__name__ in error.message
    assert isinstance(error.__cause__, exc_type)


@pytest.mark.parametrize(("body", "expected"), [
    (b"", {}), (b"<html>502 Bad Gateway</html>", {}), (b"[1, 2]", {}), (b'{"error": "x"}', {"error": "x"})])
def test_error_bodies_are_read_for_an_object_only(body: bytes, expected: dict[str, str]) -> None:
    assert json_object(httpx.Response(502, content=body)) == expected
