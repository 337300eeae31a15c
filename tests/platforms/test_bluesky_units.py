"""Unit tests of the Bluesky adapter: facets, record keys, XRPC error mapping, session refresh, cursors."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from server.platforms.base import MemoryCredentialStore, Platform, PublishRequest, RemoteRef
from server.platforms.bluesky import BlueskyAdapter, tid_for_key
from server.platforms.bluesky.client import retry_after_seconds
from server.platforms.bluesky.richtext import build_facets, detect_facets, is_valid_handle
from server.platforms.bluesky.tid import decode_tid, encode_tid, is_valid_tid
from server.platforms.errors import NeedsReauth, OutcomeUnknown, Rejected, RetryLater

Handler = Callable[[httpx.Request], httpx.Response]
DID = "did:plc:hospital"
SESSION = {"access_jwt": "acc-1", "refresh_jwt": "ref-1", "did": DID, "handle": "hospital.test"}


def _slice(text: str, start: int, end: int) -> str:
    return text.encode("utf-8")[start:end].decode("utf-8")


# ---- rich text -------------------------------------------------------------------------------


def test_facets_use_utf8_byte_offsets_after_emoji() -> None:
    text = "🏥🩺 Live now: https://example.org/live?x=1. Follow #SurgeryLive! Ask @dr-lee.test"
    spans = detect_facets(text)
    assert [(s.kind, s.value) for s in spans] == [
        ("link", "https://example.org/live?x=1"),
        ("tag", "SurgeryLive"),
        ("mention", "dr-lee.test"),
    ]
    assert spans[0].byte_start == len("🏥🩺 Live now: ".encode())
    assert spans[0].byte_start != len("🏥🩺 Live now: ")  # bytes, not code points
    assert [_slice(text, s.byte_start, s.byte_end) for s in spans] == [
        "https://example.org/live?x=1",
        "#SurgeryLive",
        "@dr-lee.test",
    ]


def test_facet_edge_cases() -> None:
    text = "(see https://a.example/b) #123 #a1 mail@x.test x#no #" + "t" * 65
    values = [(s.kind, s.value) for s in detect_facets(text)]
    assert values == [("link", "https://a.example/b"), ("tag", "a1")]
    assert is_valid_handle("hospital.test")
    assert not is_valid_handle("localhost")
    assert not is_valid_handle("-a.b")


def test_build_facets_drops_unresolved_mentions() -> None:
    spans = detect_facets("hi @known.test and @ghost.test #tag")
    facets = build_facets(spans, {"known.test": "did:plc:known"})
    features = [f["features"][0] for f in facets]  # type: ignore[index]
    assert features == [
        {"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:known"},
        {"$type": "app.bsky.richtext.facet#tag", "tag": "tag"},
    ]


# ---- record keys -----------------------------------------------------------------------------


def test_tid_for_key_is_deterministic_valid_and_in_the_past() -> None:
    keys = [f"event-7/post-{i}" for i in range(500)]
    tids = [tid_for_key(k) for k in keys]
    assert tids == [tid_for_key(k) for k in keys]
    assert len(set(tids)) == len(tids)
    for tid in tids:
        assert len(tid) == 13
        assert is_valid_tid(tid)
        micros = decode_tid(tid) >> 10
        assert (
            datetime(2023, 1, 1, tzinfo=UTC)
            <= datetime.fromtimestamp(micros / 1e6, UTC)
            < datetime(2024, 3, 1, tzinfo=UTC)
        )
    assert encode_tid(decode_tid(tids[0])) == tids[0]
    assert encode_tid(0) == "2222222222222"
    with pytest.raises(ValueError):
        tid_for_key("")


# ---- fake PDS --------------------------------------------------------------------------------


class FakePds:
    """Routes `/xrpc/<nsid>` to handlers and records the calls."""

    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.calls: list[tuple[str, str | None]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        nsid = request.url.path.removeprefix("/xrpc/")
        self.calls.append((nsid, request.headers.get("authorization")))
        handler = self.routes.get(nsid)
        if handler is None:
            return httpx.Response(501, json={"error": "MethodNotImplemented"})
        return handler(request)

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]


def _adapter(
    pds: FakePds, secrets: dict[str, str] | None = None
) -> tuple[BlueskyAdapter, MemoryCredentialStore]:
    store = MemoryCredentialStore(dict(SESSION) if secrets is None else secrets)
    client = httpx.AsyncClient(transport=httpx.MockTransport(pds))
    return BlueskyAdapter("https://pds.example", store, client), store


def _created(request: httpx.Request) -> httpx.Response:
    body = json.loads(request.content)
    uri = f"at://{DID}/app.bsky.feed.post/{body['rkey']}"
    return httpx.Response(200, json={"uri": uri, "cid": "bafycreated"})


async def test_adapter_satisfies_platform_protocol() -> None:
    adapter, _ = _adapter(FakePds())
    assert isinstance(adapter, Platform)
    assert adapter.capabilities.content_warning == "first_line"


@pytest.mark.parametrize(
    ("response", "error", "retry_after"),
    [
        (
            httpx.Response(429, headers={"RateLimit-Reset": "1000060"}, json={"error": "RateLimitExceeded"}),
            RetryLater,
            60,
        ),
        (
            httpx.Response(429, headers={"Retry-After": "30"}, json={"error": "RateLimitExceeded"}),
            RetryLater,
            30,
        ),
        (httpx.Response(503, headers={"Retry-After": "5"}, text="busy"), RetryLater, 5),
        (httpx.Response(400, json={"error": "InvalidRequest", "message": "text too long"}), Rejected, None),
        (httpx.Response(413, json={"error": "PayloadTooLarge", "message": "too big"}), Rejected, None),
        (httpx.Response(400, json={"error": "AccountTakedown", "message": "gone"}), NeedsReauth, None),
    ],
)
async def test_error_mapping(
    response: httpx.Response, error: type[Exception], retry_after: float | None
) -> None:
    pds = FakePds()
    pds.routes["com.atproto.repo.createRecord"] = lambda _: response
    adapter, _ = _adapter(pds)
    adapter.xrpc.clock = lambda: 1_000_000.0
    with pytest.raises(error) as info:
        await adapter.publish(PublishRequest(text="hello", idempotency_key="k1"))
    if retry_after is not None:
        assert isinstance(info.value, RetryLater)
        assert info.value.retry_after == pytest.approx(retry_after)
    if error is Rejected:
        assert "too" in str(info.value)


def test_retry_after_http_date() -> None:
    headers = httpx.Headers({"Retry-After": "Thu, 01 Jan 1970 00:01:40 GMT"})
    assert retry_after_seconds(headers, now=40.0) == pytest.approx(60)


@pytest.mark.parametrize(
    ("exc", "nsid", "error"),
    [
        (httpx.ReadTimeout("slow"), "com.atproto.repo.createRecord", OutcomeUnknown),
        (httpx.RemoteProtocolError("reset"), "com.atproto.repo.createRecord", OutcomeUnknown),
        (httpx.ConnectError("refused"), "com.atproto.repo.createRecord", RetryLater),
        (httpx.ReadTimeout("slow"), "com.atproto.repo.getRecord", RetryLater),
    ],
)
async def test_transport_failures(exc: Exception, nsid: str, error: type[Exception]) -> None:
    def boom(request: httpx.Request) -> httpx.Response:
        raise exc

    pds = FakePds()
    pds.routes[nsid] = boom
    adapter, _ = _adapter(pds)
    call = (
        adapter.publish(PublishRequest(text="hello", idempotency_key="k1"))
        if nsid.endswith("createRecord")
        else adapter.find_post(PublishRequest(text="hello", idempotency_key="k1"), sent_after=datetime.now(UTC))
    )
    with pytest.raises(error):
        await call


async def test_existing_record_at_rkey_is_returned_not_duplicated() -> None:
    pds = FakePds()
    rkey = tid_for_key("k-dup")
    pds.routes["com.atproto.repo.createRecord"] = lambda _: httpx.Response(
        500, json={"error": "InternalServerError", "message": "Internal Server Error"}
    )
    pds.routes["com.atproto.repo.getRecord"] = lambda _: httpx.Response(
        200, json={"uri": f"at://{DID}/app.bsky.feed.post/{rkey}", "cid": "bafyold", "value": {"text": "x"}}
    )
    adapter, _ = _adapter(pds)
    ref = await adapter.publish(PublishRequest(text="x", idempotency_key="k-dup"))
    assert (ref.remote_id, ref.cid, ref.root_uri) == (rkey, "bafyold", ref.uri)
    assert ref.url == f"https://bsky.app/profile/hospital.test/post/{rkey}"


async def test_login_once_then_refresh_on_expired_token() -> None:
    pds = FakePds()
    tokens = {"access": "acc-A", "refresh": "ref-A"}

    def create_session(request: httpx.Request) -> httpx.Response:
        assert json.loads(request.content) == {"identifier": "hospital.test", "password": "app-pw"}
        return httpx.Response(
            200, json={"accessJwt": "acc-A", "refreshJwt": "ref-A", "did": DID, "handle": "hospital.test"}
        )

    def refresh(request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == f"Bearer {tokens['refresh']}"
        tokens.update(access="acc-B", refresh="ref-B")
        return httpx.Response(
            200, json={"accessJwt": "acc-B", "refreshJwt": "ref-B", "did": DID, "handle": "h.test"}
        )

    def create_record(request: httpx.Request) -> httpx.Response:
        if request.headers["authorization"] != f"Bearer {tokens['access']}" or len(pds.calls) == 2:
            return httpx.Response(400, json={"error": "ExpiredToken", "message": "Token has expired"})
        return _created(request)

    pds.routes.update(
        {
            "com.atproto.server.createSession": create_session,
            "com.atproto.server.refreshSession": refresh,
            "com.atproto.repo.createRecord": create_record,
        }
    )
    adapter, store = _adapter(pds, {"identifier": "hospital.test", "password": "app-pw"})
    await adapter.publish(PublishRequest(text="one", idempotency_key="k1"))
    await adapter.publish(PublishRequest(text="two", idempotency_key="k2"))
    assert pds.names() == [
        "com.atproto.server.createSession",
        "com.atproto.repo.createRecord",  # ExpiredToken
        "com.atproto.server.refreshSession",
        "com.atproto.repo.createRecord",
        "com.atproto.repo.createRecord",
    ]
    assert store.secrets["access_jwt"] == "acc-B"
    assert store.secrets["refresh_jwt"] == "ref-B"


async def test_failed_refresh_needs_reauth() -> None:
    pds = FakePds()
    pds.routes["com.atproto.repo.createRecord"] = lambda _: httpx.Response(
        400, json={"error": "ExpiredToken", "message": "Token has expired"}
    )
    pds.routes["com.atproto.server.refreshSession"] = lambda _: httpx.Response(
        400, json={"error": "ExpiredToken", "message": "Token has expired"}
    )
    adapter, _ = _adapter(pds)
    with pytest.raises(NeedsReauth):
        await adapter.publish(PublishRequest(text="x", idempotency_key="k"))
    no_password, _ = _adapter(FakePds(), {})
    with pytest.raises(NeedsReauth):
        await no_password.authenticate()


async def test_reply_refs_and_record_shape() -> None:
    pds = FakePds()
    records: list[dict[str, Any]] = []

    def create_record(request: httpx.Request) -> httpx.Response:
        records.append(json.loads(request.content)["record"])
        return _created(request)

    pds.routes["com.atproto.repo.createRecord"] = create_record
    pds.routes["com.atproto.repo.getRecord"] = lambda _: httpx.Response(400, json={"error": "RecordNotFound"})
    adapter, _ = _adapter(pds)
    root = await adapter.publish(
        PublishRequest(text="root", idempotency_key="r", content_warning="surgery", language="en")
    )
    second = await adapter.publish(PublishRequest(text="2", idempotency_key="s", reply_to=root))
    await adapter.publish(PublishRequest(text="3", idempotency_key="t", reply_to=second))
    assert records[0]["text"] == "\u26a0\ufe0f Content warning: surgery\n\nroot"  # the warning is the first line
    assert "labels" not in records[0]  # no self-label: it would hide the post from default-preference viewers
    assert records[0]["langs"] == ["en"]
    assert "reply" not in records[0]
    root_ref = {"uri": root.uri, "cid": root.cid}
    assert records[1]["reply"] == {"root": root_ref, "parent": root_ref}
    assert records[2]["reply"] == {"root": root_ref, "parent": {"uri": second.uri, "cid": second.cid}}
    assert second.root_uri == root.uri
    missing = RemoteRef(
        remote_id="3zzzzzzzzzzzz", uri=f"at://{DID}/app.bsky.feed.post/3zzzzzzzzzzzz", cid="bafyx"
    )
    with pytest.raises(Rejected, match="does not exist"):
        await adapter.publish(PublishRequest(text="4", idempotency_key="u", reply_to=missing))


def _note(uri: str, minute: int, reason: str = "reply", text: str = "q") -> dict[str, Any]:
    at = (
        (datetime(2026, 5, 1, 12, 0, tzinfo=UTC) + timedelta(minutes=minute))
        .isoformat()
        .replace("+00:00", "Z")
    )
    root = {"uri": f"at://{DID}/app.bsky.feed.post/3root", "cid": "bafyroot"}
    record = {"text": text, "langs": ["en"], "reply": {"root": root, "parent": root}}
    author = {"did": "did:plc:aud", "handle": "aud.test", "displayName": "Audience"}
    return {"uri": uri, "cid": "c", "author": author, "reason": reason, "record": record, "indexedAt": at}


async def test_fetch_incoming_pages_back_to_cursor_with_overlap() -> None:
    pages = {
        None: {"notifications": [_note("at://a/p/9", 9), _note("at://a/p/8", 8, "like")], "cursor": "c2"},
        "c2": {"notifications": [_note("at://a/p/5", 5, "mention"), _note("at://a/p/2", 2)], "cursor": "c3"},
        "c3": {"notifications": [_note("at://a/p/1", 1)], "cursor": "c4"},
    }
    pds = FakePds()
    seen_params: list[httpx.QueryParams] = []

    def list_notifications(request: httpx.Request) -> httpx.Response:
        seen_params.append(request.url.params)
        return httpx.Response(200, json=pages[request.url.params.get("cursor")])

    pds.routes["app.bsky.notification.listNotifications"] = list_notifications
    adapter, _ = _adapter(pds)
    first = await adapter.fetch_incoming(None)
    assert [m.external_id for m in first.messages] == ["at://a/p/9"]
    assert len(seen_params) == 1
    assert seen_params[0].get_list("reasons") == ["reply", "mention"]
    cursor = "2026-05-01T12:06:00.000Z"  # newest seen earlier: minute 6; overlap 2 min reaches minute 4
    page = await adapter.fetch_incoming(cursor)
    assert [m.external_id for m in page.messages] == ["at://a/p/5", "at://a/p/9"]
    assert page.cursor == "2026-05-01T12:09:00Z"
    message = page.messages[1]
    assert (message.author_handle, message.author_name, message.language) == ("aud.test", "Audience", "en")
    assert message.in_reply_to == f"at://{DID}/app.bsky.feed.post/3root"
    assert message.root_ref is not None
    assert message.root_ref.remote_id == "3root"
    assert message.url == "https://bsky.app/profile/aud.test/post/9"
    empty = await adapter.fetch_incoming("2026-05-01T13:00:00Z")
    assert empty.messages == []
    assert empty.cursor == "2026-05-01T13:00:00Z"
