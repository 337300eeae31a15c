"""MastodonAdapter against FakeMastodon in-process; every test ends with zero spec violations."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import pytest

from server.platforms.base import Platform, PublishRequest, RemoteRef, UploadedMedia
from server.platforms.errors import NeedsReauth, OutcomeUnknown, Rejected, RetryLater
from server.platforms.mastodon import MastodonAdapter
from server.platforms.mastodon.htmltext import html_to_text
from tests.fakes.helpers import FixedClock, SleepRecorder, mp4, png
from tests.fakes.mastodon import FakeMastodon


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def fake(clock: FixedClock) -> Iterator[FakeMastodon]:
    server = FakeMastodon(clock=clock)
    yield server
    assert server.violations == []


@pytest.fixture
async def adapter(
    fake: FakeMastodon, clock: FixedClock, sleeps: SleepRecorder
) -> AsyncIterator[MastodonAdapter]:
    from server.platforms.base import MemoryCredentialStore

    async with fake.client() as client:
        yield MastodonAdapter(
            fake.base_url,
            MemoryCredentialStore({"access_token": "mastodon-token"}),
            client,
            sleep=sleeps,
            clock=clock,
        )


def at(clock: FixedClock) -> datetime:
    """The fixed clock as a datetime (a delivery's creation time in these tests)."""
    return datetime.fromtimestamp(clock(), UTC)


def request(text: str, key: str, **kwargs: object) -> PublishRequest:
    return PublishRequest(text=text, idempotency_key=key, **kwargs)  # type: ignore[arg-type]


async def test_adapter_implements_platform(adapter: MastodonAdapter) -> None:
    assert isinstance(adapter, Platform)
    assert adapter.capabilities.name == "mastodon"


async def test_ten_post_thread_with_images_and_alt_text(fake: FakeMastodon, adapter: MastodonAdapter) -> None:
    texts = [
        f"Post {i}/10 from the cath lab: step {i} #LiveCase https://example.org/c/{i}" for i in range(1, 11)
    ]
    refs: list[RemoteRef] = []
    for i, text in enumerate(texts, start=1):
        media = await adapter.upload_media(png(f"Angiogram frame {i}, left anterior descending artery"))
        assert media.extra["processing"] is False
        refs.append(
            await adapter.publish(
                request(text, f"evt-1:{i}", media=[media], reply_to=refs[-1] if refs else None, language="en")
            )
        )
    statuses = fake.account_statuses()
    assert [s.text for s in statuses] == texts
    assert [s.id for s in statuses] == [r.remote_id for r in refs]
    assert statuses[0].in_reply_to_id is None
    assert all(
        child.in_reply_to_id == parent.id for parent, child in zip(statuses, statuses[1:], strict=False)
    )
    assert [fake.media[s.media_ids[0]].description for s in statuses] == [
        f"Angiogram frame {i}, left anterior descending artery" for i in range(1, 11)
    ]
    assert refs[0].url == f"https://mastodon.test/@livecue/{refs[0].remote_id}"
    assert refs[0].uri == f"https://mastodon.test/users/livecue/statuses/{refs[0].remote_id}"
    assert all(r.headers.get("idempotency-key") for r in fake.requests_to("POST", "/api/v1/statuses"))
    async with fake.client(base_url=fake.base_url) as client:
        context = (
            await client.get(
                f"/api/v1/statuses/{refs[-1].remote_id}/context",
                headers={"Authorization": "Bearer mastodon-token"},
            )
        ).json()
    assert [s["id"] for s in context["ancestors"]] == [r.remote_id for r in refs[:-1]]


async def test_content_warning_sets_sensitive_and_spoiler_text(
    fake: FakeMastodon, adapter: MastodonAdapter
) -> None:
    media = await adapter.upload_media(png("Open sternotomy, surgical field"))
    await adapter.publish(
        request("Surgical image follows", "cw-1", media=[media], content_warning="Surgery (blood)")
    )
    status = fake.account_statuses()[0]
    assert status.sensitive is True
    assert status.spoiler_text == "Surgery (blood)"
    assert fake.requests_to("POST", "/api/v1/statuses")[0].json["spoiler_text"] == "Surgery (blood)"


async def test_same_idempotency_key_returns_the_same_status(
    fake: FakeMastodon, adapter: MastodonAdapter
) -> None:
    first = await adapter.publish(request("Welcome to the live case", "evt-9:1"))
    again = await adapter.publish(request("Welcome to the live case", "evt-9:1"))
    assert again == first
    assert len(fake.account_statuses()) == 1
    other = await adapter.publish(request("Welcome to the live case", "evt-9:2"))
    assert other.remote_id != first.remote_id  # Mastodon itself allows duplicate text


async def test_video_upload_polls_until_processed(
    fake: FakeMastodon, adapter: MastodonAdapter, sleeps: SleepRecorder
) -> None:
    media = await adapter.upload_media(mp4("Echo loop, four-chamber view"))
    assert media.extra == {"type": "video", "processing": False}
    statuses = [r.status for r in fake.requests_to("GET", "/api/v1/media/*")]
    assert statuses == [206, 206, 200]
    assert sleeps.delays == [1.0, 2.0, 4.0]  # bounded exponential backoff
    ref = await adapter.publish(request("Echo", "v-1", media=[media]))
    assert fake.statuses[ref.remote_id].media_ids == [media.remote_id]


async def test_unfinished_media_gives_short_retry(fake: FakeMastodon, clock: FixedClock) -> None:
    from server.platforms.base import MemoryCredentialStore

    fake.video_processing_polls = 10
    async with fake.client() as client:
        impatient = MastodonAdapter(
            fake.base_url,
            MemoryCredentialStore({"access_token": "mastodon-token"}),
            client,
            media_poll_attempts=2,
            sleep=SleepRecorder(),
            clock=clock,
        )
        media = await impatient.upload_media(mp4("clip"))
        assert media.extra["processing"] is True
        with pytest.raises(RetryLater) as caught:
            await impatient.publish(request("Clip", "p-1", media=[media]))
        assert caught.value.retry_after == 2.0
        fake.media[media.remote_id].polls_left = 0
        ref = await impatient.publish(request("Clip", "p-1", media=[media]))
    assert fake.statuses[ref.remote_id].media_ids == [media.remote_id]


@pytest.mark.parametrize(("kind", "expected"), [("429", 120.0), ("500", 30.0), ("503", 30.0)])
async def test_rate_limit_and_server_errors_retry_later(
    fake: FakeMastodon, adapter: MastodonAdapter, kind: str, expected: float
) -> None:
    fake.rate_limit_reset_seconds = 120
    fake.inject_fault("/api/v1/statuses", kind)
    with pytest.raises(RetryLater) as caught:
        await adapter.publish(request("Now starting", "rl-1"))
    assert caught.value.retry_after == expected
    assert fake.account_statuses() == []
    assert (await adapter.publish(request("Now starting", "rl-1"))).remote_id


async def test_connection_reset_retries_later(fake: FakeMastodon, adapter: MastodonAdapter) -> None:
    fake.inject_fault("/api/v2/media", "reset")
    with pytest.raises(RetryLater):
        await adapter.upload_media(png("x"))
    fake.inject_fault("/api/v1/statuses", "reset")
    with pytest.raises(RetryLater):
        await adapter.publish(request("Reset before sending", "r-1"))
    assert fake.account_statuses() == []
    assert fake.media == {}


async def test_timeout_after_store_is_unknown_then_found(
    fake: FakeMastodon, adapter: MastodonAdapter, clock: FixedClock
) -> None:
    text = (
        "Dose: 5 mg & <b>not</b> bold\n\n"
        "see https://example.org/a/really/long/path/to/guidelines @alice@clinic.example"
    )
    root = await adapter.publish(request("Root", "t-0"))
    fake.inject_fault("/api/v1/statuses", "timeout_after_store")
    with pytest.raises(OutcomeUnknown):
        await adapter.publish(request(text, "t-1", reply_to=root))
    stored = fake.account_statuses()[-1]
    assert stored.text == text
    found = await adapter.find_post(request(text, "t-1", reply_to=root), sent_after=at(clock))
    assert found is not None
    assert found.remote_id == stored.id
    assert await adapter.find_post(request("never posted", "t-2"), sent_after=at(clock)) is None
    assert await adapter.find_post(request(text, "t-1"), sent_after=at(clock)) is None  # not a thread root
    again = await adapter.publish(request(text, "t-1", reply_to=root))  # same key within the hour
    assert again.remote_id == stored.id
    assert len(fake.account_statuses()) == 2


async def test_invalid_token_needs_reauth(fake: FakeMastodon, adapter: MastodonAdapter) -> None:
    fake.revoke_token("mastodon-token")
    with pytest.raises(NeedsReauth):
        await adapter.publish(request("x", "a-1"))
    with pytest.raises(NeedsReauth):
        await adapter.authenticate()


async def test_too_long_is_rejected_with_the_instance_limit(fake: FakeMastodon, adapter: MastodonAdapter) -> None:
    with pytest.raises(Rejected, match="501/500 characters on this instance"):
        await adapter.publish(request("x" * 501, "long-1"))
    with pytest.raises(Rejected, match="503/500 characters with its content warning"):  # it counts too
        await adapter.publish(request("x" * 500, "long-2", content_warning="cw!"))
    assert fake.requests_to("POST", "/api/v1/statuses") == []


async def test_too_long_for_the_server_is_rejected_with_its_message(clock: FixedClock) -> None:
    from server.platforms.base import MemoryCredentialStore

    fake = FakeMastodon(clock=clock, max_characters=100)
    fake.inject_fault("/api/v2/instance", "503")  # limits unknown: the defaults (500) apply, the server says no
    async with fake.client() as client:
        adapter = MastodonAdapter(fake.base_url, MemoryCredentialStore({"access_token": "mastodon-token"}), client)
        with pytest.raises(Rejected, match="Text character limit of 100 exceeded"):
            await adapter.publish(request("x" * 101, "long-1"))
    assert fake.violations == []


async def test_delete_is_idempotent(fake: FakeMastodon, adapter: MastodonAdapter) -> None:
    ref = await adapter.publish(request("to delete", "d-1"))
    await adapter.delete(ref)
    await adapter.delete(ref)
    assert fake.statuses == {}


async def test_fetch_incoming_with_overlapping_polls(fake: FakeMastodon, adapter: MastodonAdapter) -> None:
    root = await adapter.publish(request("Questions welcome", "q-0"))
    for n in range(3):
        fake.inject_reply(
            root.remote_id, f"Question {n} & <script>alert(1)</script>", acct=f"u{n}@clinic.example"
        )
    first = await adapter.fetch_incoming(None)
    assert [m.text for m in first.messages] == [
        f"@livecue Question {n} & <script>alert(1)</script>" for n in range(3)
    ]
    assert first.messages[0].author_handle == "u0@clinic.example"
    assert first.messages[0].in_reply_to == root.remote_id
    fake.inject_reply(root.remote_id, "Late question", acct="u9@clinic.example")
    second = await adapter.fetch_incoming(first.cursor)
    repeat = await adapter.fetch_incoming(first.cursor)  # overlapping poll: same answer, no loss
    assert [m.text for m in second.messages] == ["@livecue Late question"]
    assert [m.external_id for m in repeat.messages] == [m.external_id for m in second.messages]
    empty = await adapter.fetch_incoming(second.cursor)
    assert empty.messages == []
    assert empty.cursor == second.cursor
    for n in range(85):
        fake.inject_reply(root.remote_id, f"Burst {n}", acct="crowd@clinic.example")
    burst = await adapter.fetch_incoming(second.cursor)
    assert [m.text for m in burst.messages] == [f"@livecue Burst {n}" for n in range(85)]
    assert all(r.query[0] == ("types[]", "mention") for r in fake.requests_to("GET", "/api/v1/notifications"))


async def test_instance_capabilities_override_defaults(clock: FixedClock) -> None:
    from server.platforms.base import MemoryCredentialStore

    fake = FakeMastodon(clock=clock, max_characters=1000, description_limit=900)
    async with fake.client() as client:
        adapter = MastodonAdapter(
            fake.base_url, MemoryCredentialStore({"access_token": "mastodon-token"}), client
        )
        caps = await adapter.instance_capabilities()
        assert (caps.text_limit, caps.media.alt_text_max, caps.media.max_images) == (1000, 900, 4)
        assert "video/mp4" in caps.media.video_types
        assert caps.url_length == 23
        fake.inject_fault("/api/v2/instance", "503")
        fallback = MastodonAdapter(
            fake.base_url, MemoryCredentialStore({"access_token": "mastodon-token"}), client
        )
        assert (await fallback.instance_capabilities()).text_limit == 500
    assert fake.violations == []


def test_html_to_text_is_plain_and_safe() -> None:
    html = (
        '<p>Hi <span class="h-card"><a href="https://x/@a">@<span>a</span></a></span> &lt;b&gt;'
        "<script>steal()</script></p><p>line1<br />line2\u202e</p>"
    )
    assert html_to_text(html) == "Hi @a <b>\n\nline1\nline2"


async def test_uploaded_media_expires_after_a_day(adapter: MastodonAdapter, clock: FixedClock) -> None:
    media: UploadedMedia = await adapter.upload_media(png("alt"))
    assert media.expires_at is not None
    assert media.expires_at.timestamp() == clock.now + 86400
