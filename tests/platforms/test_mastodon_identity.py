"""MastodonAdapter against FakeMastodon: reconciliation by identity, replies read from `context`, instance limits.

The same behaviours run against a Mastodon server nobody on the team wrote in `test_mastodon_peer.py`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import httpx
import pytest

from server.platforms.base import MemoryCredentialStore, PublishRequest, RemoteRef
from server.platforms.errors import OutcomeUnknown, Rejected
from server.platforms.mastodon import MastodonAdapter
from server.platforms.mastodon.http import seconds_until_reset
from tests.fakes.helpers import FixedClock, SleepRecorder, png
from tests.fakes.mastodon import FakeMastodon

ANSWER = "About three to four hours, including anaesthesia."


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def fake(clock: FixedClock) -> Iterator[FakeMastodon]:
    server = FakeMastodon(clock=clock)
    yield server
    assert server.violations == []


@pytest.fixture
async def adapter(fake: FakeMastodon, clock: FixedClock) -> AsyncIterator[MastodonAdapter]:
    async with fake.client() as client:
        yield MastodonAdapter(fake.base_url, MemoryCredentialStore({"access_token": "mastodon-token"}), client,
                              sleep=SleepRecorder(), clock=clock, find_pages=2)


def at(clock: FixedClock) -> datetime:
    return datetime.fromtimestamp(clock(), UTC)


def reply(acct: str, key: str, parent: str) -> PublishRequest:
    return PublishRequest(text=f"@{acct} {ANSWER}", idempotency_key=key, reply_to=RemoteRef(parent))


async def test_a_lost_answer_is_found_under_its_own_asker_never_another(
    fake: FakeMastodon, adapter: MastodonAdapter, clock: FixedClock
) -> None:
    root = await adapter.publish(PublishRequest(text="Ask the team", idempotency_key="root"))
    askers = {acct: fake.inject_reply(root.remote_id, "How long does it take?", acct=acct)
              for acct in ("ann@a.example", "ben@b.example", "cat@c.example")}
    sent = at(clock)
    made = {acct: await adapter.publish(reply(acct, f"k-{acct}", asked)) for acct, asked in askers.items()
            if acct != "ben@b.example"}
    fake.inject_fault("/api/v1/statuses", "timeout_after_store")
    with pytest.raises(OutcomeUnknown):
        await adapter.publish(reply("ben@b.example", "k-ben", askers["ben@b.example"]))
    ben = fake.account_statuses()[-1]

    found = await adapter.find_post(reply("ben@b.example", "k-ben", askers["ben@b.example"]), sent_after=sent)
    assert found is not None and found.remote_id == ben.id and found not in made.values()
    # A fourth asker's reply was never sent: the same words under the others do not count as it.
    dan = fake.inject_reply(root.remote_id, "How long?", acct="dan@d.example")
    assert await adapter.find_post(reply("ann@a.example", "k-dan", dan), sent_after=sent) is None
    # Mastodon renders a remote mention as @user only; the match still holds.
    assert fake.statuses[ben.id].text.startswith("@ben@b.example")


async def test_two_candidates_stay_unknown(fake: FakeMastodon, adapter: MastodonAdapter, clock: FixedClock) -> None:
    root = await adapter.publish(PublishRequest(text="Ask the team", idempotency_key="root"))
    asked = fake.inject_reply(root.remote_id, "How long?", acct="ann@a.example")
    for key in ("first", "second"):  # two deliveries with the same words to the same message
        await adapter.publish(reply("ann@a.example", key, asked))
    with pytest.raises(OutcomeUnknown, match="2 of our statuses match"):
        await adapter.find_post(reply("ann@a.example", "first", asked), sent_after=at(clock))


async def test_a_thread_root_is_found_among_recent_posts_back_to_the_first_attempt(
    fake: FakeMastodon, adapter: MastodonAdapter, clock: FixedClock
) -> None:
    old = await adapter.publish(PublishRequest(text="Welcome", idempotency_key="day-1"))
    clock.advance(86_400)
    sent = at(clock)
    assert await adapter.find_post(PublishRequest(text="Welcome", idempotency_key="day-2"), sent_after=sent) is None
    new = await adapter.publish(PublishRequest(text="Welcome", idempotency_key="day-2"))
    found = await adapter.find_post(PublishRequest(text="Welcome", idempotency_key="day-2"), sent_after=sent)
    assert found == new and found != old
    requests = fake.requests_to("GET", "/api/v1/accounts/*/statuses")
    assert all(("exclude_replies", "true") in r.query for r in requests)


async def test_a_lookup_that_cannot_reach_the_first_attempt_is_unknown_once_the_key_expired(
    fake: FakeMastodon, adapter: MastodonAdapter, clock: FixedClock
) -> None:
    sent = at(clock)
    for n in range(90):  # more top-level posts since the first attempt than two pages of 40
        await adapter.publish(PublishRequest(text=f"Update {n}", idempotency_key=f"u-{n}"))
    lost = PublishRequest(text="Never made", idempotency_key="lost")
    assert await adapter.find_post(lost, sent_after=sent) is None  # within the key's hour: a re-send is safe
    clock.advance(3600)
    with pytest.raises(OutcomeUnknown, match="Idempotency-Key has expired"):
        await adapter.find_post(lost, sent_after=sent)


async def test_replies_without_a_mention_are_read_from_context(fake: FakeMastodon, adapter: MastodonAdapter) -> None:
    root = await adapter.publish(PublishRequest(text="Step 1", idempotency_key="s1"))
    step2 = await adapter.publish(PublishRequest(text="Step 2", idempotency_key="s2", reply_to=root))
    quiet = fake.inject_reply(step2.remote_id, "Is she awake?", acct="ann@a.example", mention=False)
    private = fake.inject_reply(root.remote_id, "My own scar hurts", acct="ben@b.example", visibility="private")
    nested = fake.inject_reply(quiet, "Same question", acct="cat@c.example", mention=False)
    gone = RemoteRef("999999999999999999")
    assert (await adapter.fetch_incoming(None)).messages[-1].external_id == private  # only the mention notifies

    messages = await adapter.fetch_thread_replies([root, step2, gone])
    assert [m.external_id for m in messages] == [quiet, private, nested]  # once each, oldest first, ours left out
    by_id = {m.external_id: m for m in messages}
    assert by_id[quiet].text == "Is she awake?" and by_id[quiet].in_reply_to == step2.remote_id
    assert by_id[private].visibility == "private" and by_id[private].author_handle == "ben@b.example"
    assert by_id[quiet].root_ref is not None and by_id[quiet].root_ref.remote_id == root.remote_id


async def test_instance_limits_are_read_on_connect_and_used(clock: FixedClock) -> None:
    fake = FakeMastodon(clock=clock, max_characters=300, description_limit=20, max_media_attachments=2)
    async with fake.client() as client:
        adapter = MastodonAdapter(fake.base_url, MemoryCredentialStore({"access_token": "mastodon-token"}), client)
        with pytest.raises(Rejected, match="301/300 characters on this instance"):
            await adapter.publish(PublishRequest(text="x" * 301, idempotency_key="k"))
        assert len(fake.requests_to("GET", "/api/v2/instance")) == 1
        assert (adapter.capabilities.text_limit, adapter.capabilities.media.max_images) == (300, 2)
        with pytest.raises(Rejected, match="alt text"):
            await adapter.upload_media(png("a description longer than twenty"))
        await adapter.publish(PublishRequest(text="x" * 300, idempotency_key="k2"))
        assert len(fake.requests_to("GET", "/api/v2/instance")) == 1  # once per connection
    assert fake.requests_to("POST", "/api/v2/media") == []
    assert fake.violations == []


@pytest.mark.parametrize("reset", ["2026-05-28T20:27:10.000000Z", "1780000030"])
def test_rate_limit_reset_as_documented_iso_or_as_epoch_seconds(reset: str) -> None:
    """The documentation says ISO 8601 (Mastodon's own code); mastodon_mock sends epoch seconds."""
    headers = httpx.Headers({"X-RateLimit-Reset": reset})
    now = datetime(2026, 5, 28, 20, 26, 40, tzinfo=UTC).timestamp()
    assert now == 1_780_000_000
    assert seconds_until_reset(headers, now) == 30
    assert seconds_until_reset(httpx.Headers({"X-RateLimit-Reset": "soon", "Retry-After": "7"}), now) == 7
