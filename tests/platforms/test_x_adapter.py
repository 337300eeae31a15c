"""XAdapter against FakeX in-process (OAuth 2.0 and OAuth 1.0a); every test ends with zero spec violations."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import httpx
import pytest

from server.platforms.base import MemoryCredentialStore, Platform, PublishRequest, RemoteRef, UploadRequest
from server.platforms.errors import NeedsReauth, OutcomeUnknown, Rejected, RetryLater
from server.platforms.x import XAdapter
from tests.fakes.helpers import GIF_BYTES, FixedClock, RecordingStore, SleepRecorder, mp4, png
from tests.fakes.x import FakeX

OAUTH2 = {"access_token": "x-access-0", "refresh_token": "x-refresh-0", "client_id": "x-client"}
OAUTH1 = {
    "consumer_key": "x-consumer",
    "consumer_secret": "x-consumer-secret",
    "token": "x-token",
    "token_secret": "x-token-secret",
}


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def fake(clock: FixedClock) -> Iterator[FakeX]:
    server = FakeX(clock=clock)
    yield server
    assert server.violations == []


@pytest.fixture
async def client(fake: FakeX) -> AsyncIterator[httpx.AsyncClient]:
    async with fake.client() as http:
        yield http


def make(
    fake: FakeX,
    client: httpx.AsyncClient,
    secrets: dict[str, str],
    clock: FixedClock,
    sleeps: SleepRecorder | None = None,
    **kwargs: int,
) -> XAdapter:
    return XAdapter(
        fake.base_url,
        MemoryCredentialStore(secrets),
        client,
        sleep=sleeps or SleepRecorder(),
        clock=clock,
        **kwargs,
    )


@pytest.fixture(params=["oauth2", "oauth1"])
def adapter(
    request: pytest.FixtureRequest,
    fake: FakeX,
    client: httpx.AsyncClient,
    clock: FixedClock,
    sleeps: SleepRecorder,
) -> XAdapter:
    return make(fake, client, OAUTH2 if request.param == "oauth2" else OAUTH1, clock, sleeps, chunk_size=1000)


def at(clock: FixedClock) -> datetime:
    """The fixed clock as a datetime (a delivery's creation time in these tests)."""
    return datetime.fromtimestamp(clock(), UTC)


def post(text: str, key: str, **kwargs: object) -> PublishRequest:
    return PublishRequest(text=text, idempotency_key=key, **kwargs)  # type: ignore[arg-type]


async def test_adapter_implements_platform(adapter: XAdapter) -> None:
    assert isinstance(adapter, Platform)
    assert adapter.capabilities.name == "x"


async def test_ten_post_thread_with_images_and_alt_text(fake: FakeX, adapter: XAdapter) -> None:
    texts = [f"{i}/10 Live from theatre 3: step {i} & notes https://example.org/s/{i}" for i in range(1, 11)]
    refs: list[RemoteRef] = []
    for i, text in enumerate(texts, start=1):
        media = await adapter.upload_media(png(f"Laparoscopic view {i}, gallbladder"))
        refs.append(
            await adapter.publish(post(text, f"e:{i}", media=[media], reply_to=refs[-1] if refs else None))
        )
    tweets = fake.timeline()
    assert [t.raw for t in tweets] == texts
    assert [t.id for t in tweets] == [r.remote_id for r in refs]
    assert tweets[0].in_reply_to is None
    assert all(c.in_reply_to == p.id for p, c in zip(tweets, tweets[1:], strict=False))
    assert all(t.conversation_id == tweets[0].id for t in tweets[1:])
    assert [fake.media[t.media_ids[0]].alt_text for t in tweets] == [
        f"Laparoscopic view {i}, gallbladder" for i in range(1, 11)
    ]
    assert refs[0].url == f"https://x.com/i/web/status/{refs[0].remote_id}"
    schemes = {r.headers["authorization"].split()[0] for r in fake.requests}
    assert len(schemes) == 1
    assert schemes <= {"Bearer", "OAuth"}


async def test_content_warning_has_no_text_field_but_flags_media(fake: FakeX, adapter: XAdapter) -> None:
    media = await adapter.upload_media(png("Incision, surgical field"))
    await adapter.publish(post("Graphic image follows", "cw-1", media=[media], content_warning="Surgery"))
    tweet = fake.timeline()[0]
    assert tweet.raw == "Graphic image follows"  # X has no content-warning field for text
    assert fake.requests_to("POST", "/2/tweets")[0].json == {
        "text": "Graphic image follows",
        "media": {"media_ids": [media.remote_id]},
    }
    assert fake.media[media.remote_id].sensitive == {"other": True}
    assert fake.media[media.remote_id].alt_text == "Incision, surgical field"


async def test_duplicate_is_outcome_unknown_then_found(fake: FakeX, adapter: XAdapter, clock: FixedClock) -> None:
    text = "Q&A opens now <3 https://example.org/live"
    media = await adapter.upload_media(png("Slide"))
    first = await adapter.publish(post(text, "d-1", media=[media]))
    with pytest.raises(OutcomeUnknown, match="duplicate"):
        await adapter.publish(post(text, "d-1"))
    assert len(fake.timeline()) == 1
    assert await adapter.find_post(post(text, "d-1"), sent_after=at(clock)) == first
    assert await adapter.find_post(post("Q&A opens now", "d-2"), sent_after=at(clock)) is None
    clock.advance(600)  # a post older than the first attempt (less the clock slack) is not this one
    assert await adapter.find_post(post(text, "d-1"), sent_after=at(clock)) is None


async def test_timeout_after_store_is_unknown_then_found(fake: FakeX, adapter: XAdapter, clock: FixedClock) -> None:
    fake.inject_fault("/2/tweets", "timeout_after_store", method="POST")
    with pytest.raises(OutcomeUnknown):
        await adapter.publish(post("Closing remarks", "t-1"))
    [stored] = fake.timeline()
    found = await adapter.find_post(post("Closing remarks", "t-1"), sent_after=at(clock))
    assert found is not None
    assert found.remote_id == stored.id
    with pytest.raises(OutcomeUnknown):  # a blind re-send is caught by X's duplicate check
        await adapter.publish(post("Closing remarks", "t-1"))
    assert len(fake.timeline()) == 1


async def test_chunked_video_upload_polls_processing(
    fake: FakeX, adapter: XAdapter, sleeps: SleepRecorder
) -> None:
    video = mp4("Ultrasound sweep", data=bytes(2500))
    media = await adapter.upload_media(video)
    appends = fake.requests_to("POST", "/2/media/upload/*/append")
    assert [r.form["segment_index"] for r in appends] == [["0"], ["1"], ["2"]]
    assert len(fake.requests_to("GET", "/2/media/upload")) == 2
    assert sleeps.delays == [1.0, 1.0]
    record = fake.media[media.remote_id]
    assert (record.state, record.data, record.alt_text, record.category) == (
        "succeeded",
        bytes(2500),
        "Ultrasound sweep",
        "tweet_video",
    )
    ref = await adapter.publish(post("Video", "v-1", media=[media]))
    assert fake.tweets[ref.remote_id].media_ids == [media.remote_id]


async def test_gif_goes_through_chunked_upload(fake: FakeX, adapter: XAdapter) -> None:
    media = await adapter.upload_media(UploadRequest(data=GIF_BYTES, mime_type="image/gif", alt_text="loop"))
    assert fake.media[media.remote_id].category == "tweet_gif"
    assert fake.requests_to("POST", "/2/media/upload") == []


async def test_refresh_rotates_and_persists_before_use(
    fake: FakeX, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    def not_used_yet(update: dict[str, str]) -> None:
        assert fake.auth.token_uses.get(update["access_token"], 0) == 0

    store = RecordingStore(dict(OAUTH2), on_save=not_used_yet)
    adapter = XAdapter(fake.base_url, store, client, clock=clock)
    fake.expire_access_tokens()
    ref = await adapter.publish(post("After refresh", "r-1"))
    assert ref.remote_id in fake.tweets
    assert fake.auth.refresh_calls == 1
    assert len(store.saves) == 1
    assert store.secrets["access_token"] != "x-access-0"
    assert store.secrets["refresh_token"] != "x-refresh-0"
    assert store.secrets["expires_at"] == str(int(clock.now + 7200))
    assert fake.auth.token_uses[store.secrets["access_token"]] == 1
    old = await client.post(
        f"{fake.base_url}/2/oauth2/token",
        data={"grant_type": "refresh_token", "refresh_token": "x-refresh-0", "client_id": "x-client"},
    )
    assert old.status_code == 400  # the old refresh token died with the rotation
    clock.advance(7200)  # the stored expiry is now past: refreshed before the call, not after a 401
    await adapter.publish(post("Proactive refresh", "r-2"))
    assert fake.auth.refresh_calls == 3
    assert [r.status for r in fake.requests_to("POST", "/2/tweets")] == [401, 201, 201]


async def test_confidential_client_uses_basic_auth(clock: FixedClock) -> None:
    fake = FakeX(clock=clock, client_secret="s3cret")
    async with fake.client() as http:
        store = MemoryCredentialStore({**OAUTH2, "client_secret": "s3cret"})
        fake.expire_access_tokens()
        await XAdapter(fake.base_url, store, http, clock=clock).authenticate()
    assert store.secrets["access_token"] != "x-access-0"
    assert fake.violations == []


async def test_revoked_refresh_needs_reauth_after_one_attempt(
    fake: FakeX, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    adapter = make(fake, client, dict(OAUTH2), clock)
    fake.expire_access_tokens()
    fake.revoke_refresh_tokens()
    with pytest.raises(NeedsReauth):
        await adapter.publish(post("never", "n-1"))
    assert fake.auth.refresh_calls == 1
    assert fake.tweets == {}


async def test_still_unauthorized_after_refresh_needs_reauth(
    fake: FakeX, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    adapter = make(fake, client, dict(OAUTH2), clock)
    original = fake.auth.token_endpoint

    def refresh_then_expire(req: object, violations: list[str]) -> object:
        response = original(req, violations)  # type: ignore[arg-type]
        fake.expire_access_tokens()
        return response

    fake.auth.token_endpoint = refresh_then_expire  # type: ignore[assignment,method-assign]
    fake.expire_access_tokens()
    with pytest.raises(NeedsReauth):
        await adapter.publish(post("never", "n-2"))
    assert fake.auth.refresh_calls == 1
    assert len(fake.requests_to("POST", "/2/tweets")) == 2


async def test_bad_oauth1_signature_needs_reauth(
    fake: FakeX, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    adapter = make(fake, client, {**OAUTH1, "token_secret": "wrong"}, clock)
    with pytest.raises(NeedsReauth):
        await adapter.authenticate()
    assert fake.auth.refresh_calls == 0


@pytest.mark.parametrize(("kind", "expected"), [("429", 900.0), ("500", 30.0), ("503", 30.0)])
async def test_rate_limit_and_server_errors_retry_later(
    fake: FakeX, adapter: XAdapter, kind: str, expected: float
) -> None:
    fake.inject_fault("/2/tweets", kind)
    with pytest.raises(RetryLater) as caught:
        await adapter.publish(post("Starting", "rl-1"))
    assert caught.value.retry_after == expected
    assert fake.tweets == {}


async def test_connection_reset_retries_later(fake: FakeX, adapter: XAdapter) -> None:
    fake.inject_fault("/2/media/upload", "reset")
    with pytest.raises(RetryLater):
        await adapter.upload_media(png("x"))
    fake.inject_fault("/2/tweets", "reset")
    with pytest.raises(RetryLater):
        await adapter.publish(post("Reset", "c-1"))
    assert fake.tweets == {}
    assert fake.media == {}


async def test_rejections(adapter: XAdapter) -> None:
    with pytest.raises(Rejected, match="too long"):
        await adapter.publish(post("x" * 281, "l-1"))
    with pytest.raises(Rejected, match="alt text"):
        await adapter.upload_media(png("a" * 1001))


async def test_delete_is_idempotent(fake: FakeX, adapter: XAdapter) -> None:
    ref = await adapter.publish(post("to delete", "del-1"))
    await adapter.delete(ref)
    await adapter.delete(ref)
    assert fake.tweets == {}


async def test_fetch_incoming_with_overlapping_polls(fake: FakeX, adapter: XAdapter) -> None:
    root = await adapter.publish(post("Ask us anything", "q-0"))
    for n in range(3):
        fake.inject_mention(
            f"Question {n} & <b>", username=f"user{n}", name=f"User {n}", in_reply_to=root.remote_id
        )
    first = await adapter.fetch_incoming(None)
    assert [m.text for m in first.messages] == [f"@livecue Question {n} & <b>" for n in range(3)]
    assert (first.messages[0].author_handle, first.messages[0].author_name) == ("user0", "User 0")
    assert first.messages[0].in_reply_to == root.remote_id
    assert first.messages[0].root_ref is not None
    assert first.messages[0].root_ref.remote_id == root.remote_id
    assert first.cursor == first.messages[-1].external_id
    fake.inject_mention("Late one", in_reply_to=root.remote_id)
    second = await adapter.fetch_incoming(first.cursor)
    repeat = await adapter.fetch_incoming(first.cursor)
    assert [m.text for m in second.messages] == ["@livecue Late one"]
    assert [m.external_id for m in repeat.messages] == [m.external_id for m in second.messages]
    empty = await adapter.fetch_incoming(second.cursor)
    assert empty.messages == []
    assert empty.cursor == second.cursor
    for n in range(130):
        fake.inject_mention(f"Burst {n}", username="crowd")
    burst = await adapter.fetch_incoming(second.cursor)
    assert [m.text for m in burst.messages] == [f"@livecue Burst {n}" for n in range(130)]
    assert burst.cursor == burst.messages[-1].external_id


async def test_a_burst_beyond_the_page_limit_is_read_to_the_end(fake: FakeX, adapter: XAdapter) -> None:
    fake.inject_mention("Before", username="early")
    start = await adapter.fetch_incoming(None)
    for n in range(730):  # more than 5 pages of 100 between two polls
        fake.inject_mention(f"Burst {n}", username="crowd")
    first = await adapter.fetch_incoming(start.cursor)
    assert first.more and len(first.messages) == 500 and first.cursor and first.cursor.count("/") == 2
    second = await adapter.fetch_incoming(first.cursor)  # the rest of the gap, oldest last
    assert not second.more and len(second.messages) == 230
    texts = sorted([m.text for m in first.messages + list(second.messages)], key=lambda t: int(t.split()[-1]))
    assert texts == [f"@livecue Burst {n}" for n in range(730)]
    assert second.cursor == first.cursor.split("/")[0]  # the gap is closed: back to the newest id
    fake.inject_mention("After", username="late")
    after = await adapter.fetch_incoming(second.cursor)
    assert [m.text for m in after.messages] == ["@livecue After"] and not after.more


async def test_one_bank_answer_to_three_askers_is_three_posts_each_found_under_its_asker(
    fake: FakeX, adapter: XAdapter, clock: FixedClock
) -> None:
    """Replies start with the asker's @username: no duplicate-content 403, and reconciliation tells them apart."""
    root = await adapter.publish(post("Ask the team", "root"))
    askers = {name: fake.inject_mention("How long does it take?", username=name, in_reply_to=root.remote_id)
              for name in ("ann", "ben", "cat")}
    answer = "About three hours, including anaesthesia."
    refs = {}
    for name, asked in askers.items():
        if name == "ben":
            fake.inject_fault("/2/tweets", "timeout_after_store", method="POST")
            with pytest.raises(OutcomeUnknown):
                await adapter.publish(post(f"@{name} {answer}", f"a-{name}", reply_to=RemoteRef(asked)))
            continue
        refs[name] = await adapter.publish(post(f"@{name} {answer}", f"a-{name}", reply_to=RemoteRef(asked)))
    replies = {t.in_reply_to: t for t in fake.timeline() if t.in_reply_to in askers.values()}
    assert sorted(t.raw for t in replies.values()) == sorted(f"@{n} {answer}" for n in askers)
    found = await adapter.find_post(post(f"@ben {answer}", "a-ben", reply_to=RemoteRef(askers["ben"])),
                                    sent_after=at(clock))
    assert found is not None and found.remote_id == replies[askers["ben"]].id
    assert found not in refs.values()
    dan = fake.inject_mention("And recovery?", username="dan", in_reply_to=root.remote_id)
    assert await adapter.find_post(post(f"@ben {answer}", "a-dan", reply_to=RemoteRef(dan)),
                                   sent_after=at(clock)) is None  # never another asker's reply
