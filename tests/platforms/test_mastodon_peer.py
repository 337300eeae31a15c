"""MastodonAdapter against mastodon_mock, a Mastodon server nobody on the team wrote, read back with Mastodon.py.

Where the mock departs from Mastodon's documentation (notifications capped at 40 a page, media always 200,
epoch `X-RateLimit-Reset`), these tests exercise the mock's way and `test_mastodon_identity.py` /
`test_mastodon_adapter.py` the documented way on the contract-checked fake.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from server.platforms.base import MemoryCredentialStore, PublishRequest, RemoteRef, UploadRequest
from server.platforms.errors import OutcomeUnknown, Rejected, RetryLater
from server.platforms.mastodon import MastodonAdapter
from tests.fakes.helpers import png
from tests.peers.fixtures import mastodon_mock_peer  # noqa: F401  (session fixture)
from tests.peers.mastodon import (
    LosingTransport,
    MastodonAccount,
    MastodonPeer,
    add_fault,
    client_for,
    new_account,
)

pytestmark = pytest.mark.slow
ANSWER = "About three to four hours, including anaesthesia."


@pytest.fixture
async def transport() -> AsyncIterator[LosingTransport]:
    losing = LosingTransport()
    yield losing
    await losing.aclose()


@pytest.fixture
async def http(transport: LosingTransport) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=transport, timeout=20) as client:
        yield client


def adapter_for(peer: MastodonPeer, account: MastodonAccount, http: httpx.AsyncClient) -> MastodonAdapter:
    return MastodonAdapter(peer.base_url, MemoryCredentialStore({"access_token": account.token}), http)


def replying_to(status_id: str):  # type: ignore[no-untyped-def]
    """A predicate for `LosingTransport.lose_next`: the status POST that replies to `status_id`."""
    def pick(request: httpx.Request) -> bool:
        if request.method != "POST" or not request.url.path.endswith("/api/v1/statuses"):
            return False
        return str(json.loads(request.content).get("in_reply_to_id")) == status_id
    return pick


async def test_same_words_to_three_askers_land_under_each_and_a_lost_answer_is_found_under_its_own(
        mastodon_mock_peer: MastodonPeer,  # noqa: F811
        http: httpx.AsyncClient, transport: LosingTransport) -> None:
    peer = mastodon_mock_peer
    hospital = new_account(peer, "hosp")
    adapter = adapter_for(peer, hospital, http)
    root = await adapter.publish(PublishRequest(text="Ask the team your questions", idempotency_key="root"))
    askers = {name: new_account(peer, name) for name in ("ann", "ben", "cat")}
    asked = {name: str(client_for(peer, acc).status_post(f"@{hospital.username} How long does it take?",
                                                         in_reply_to_id=root.remote_id)["id"])
             for name, acc in askers.items()}
    sent = datetime.now(UTC)
    refs: dict[str, RemoteRef] = {}
    for name, acc in askers.items():
        request = PublishRequest(text=f"@{acc.username} {ANSWER}", idempotency_key=f"a-{name}",
                                 reply_to=RemoteRef(asked[name]))
        if name == "ben":
            transport.lose_next = replying_to(asked["ben"])
            with pytest.raises(OutcomeUnknown):
                await adapter.publish(request)
            found = await adapter.find_post(request, sent_after=sent)
            assert found is not None
            refs[name] = found
        else:
            refs[name] = await adapter.publish(request)
    assert len(transport.lost) == 1

    official = client_for(peer, hospital)
    for name, acc in askers.items():
        under = [s for s in official.status_context(asked[name])["descendants"]
                 if str(s["account"]["id"]) == hospital.id]
        assert [str(s["id"]) for s in under] == [refs[name].remote_id]  # its own answer, once
        assert [m["username"] for m in under[0]["mentions"]] == [acc.username]
        mentions = [n for n in client_for(peer, acc).notifications(types=["mention"])
                    if str(n["status"]["id"]) == refs[name].remote_id]
        assert len(mentions) == 1  # the asker is notified
    assert len(official.account_statuses(hospital.id, limit=40)) == 4  # nothing posted twice
    # A fourth asker got nothing yet: the same words under the others are not taken for theirs.
    dan = new_account(peer, "dan")
    dan_asked = str(client_for(peer, dan).status_post("@x how long?", in_reply_to_id=root.remote_id)["id"])
    missing = PublishRequest(text=f"@{dan.username} {ANSWER}", idempotency_key="a-dan", reply_to=RemoteRef(dan_asked))
    assert await adapter.find_post(missing, sent_after=sent) is None


async def test_idempotency_key_returns_the_same_status(
        mastodon_mock_peer: MastodonPeer, http: httpx.AsyncClient) -> None:  # noqa: F811
    hospital = new_account(mastodon_mock_peer, "hosp")
    adapter = adapter_for(mastodon_mock_peer, hospital, http)
    request = PublishRequest(text="Starting now", idempotency_key="same-key")
    assert await adapter.publish(request) == await adapter.publish(request)
    assert len(client_for(mastodon_mock_peer, hospital).account_statuses(hospital.id)) == 1


async def test_replies_without_a_mention_and_mentions_in_other_threads_are_read(
        mastodon_mock_peer: MastodonPeer, http: httpx.AsyncClient) -> None:  # noqa: F811
    peer = mastodon_mock_peer
    hospital = new_account(peer, "hosp")
    adapter = adapter_for(peer, hospital, http)
    root = await adapter.publish(PublishRequest(text="Step 1 of the case", idempotency_key="s1"))
    step2 = await adapter.publish(PublishRequest(text="Step 2 of the case", idempotency_key="s2", reply_to=root))
    first = await adapter.fetch_incoming(None)
    quiet, private = new_account(peer, "quiet"), new_account(peer, "priv")
    quiet_id = str(client_for(peer, quiet).status_post("Is the patient awake?", in_reply_to_id=step2.remote_id)["id"])
    private_id = str(client_for(peer, private).status_post("Is it the same for my knee?", visibility="private",
                                                           in_reply_to_id=root.remote_id)["id"])
    stranger, fan = new_account(peer, "zed"), new_account(peer, "yan")
    elsewhere = str(client_for(peer, stranger).status_post("Watching surgery streams tonight")["id"])
    mention_id = str(client_for(peer, fan).status_post(f"@{hospital.username} is this your live case?",
                                                       in_reply_to_id=elsewhere)["id"])

    mentions = await adapter.fetch_incoming(first.cursor)
    assert [m.external_id for m in mentions.messages] == [mention_id]  # a mention anywhere notifies
    assert mentions.messages[0].author_handle == fan.username and mentions.messages[0].root_ref is None
    replies = await adapter.fetch_thread_replies([root, step2])
    assert [m.external_id for m in replies] == [quiet_id, private_id]  # no mention: only `context` has them
    by_id = {m.external_id: m for m in replies}
    assert by_id[private_id].visibility == "private" and by_id[quiet_id].visibility == "public"
    assert by_id[quiet_id].in_reply_to == step2.remote_id and by_id[quiet_id].text == "Is the patient awake?"
    assert all(m.root_ref is not None and m.root_ref.remote_id in (root.remote_id, step2.remote_id)
               for m in replies)


async def test_notifications_capped_at_40_a_page_are_all_read(
        mastodon_mock_peer: MastodonPeer, http: httpx.AsyncClient) -> None:  # noqa: F811
    """The docs allow 80 a page; the mock gives 40: a page of 40 is read on from, not taken as the last."""
    peer = mastodon_mock_peer
    hospital = new_account(peer, "hosp")
    adapter = adapter_for(peer, hospital, http)
    start = await adapter.fetch_incoming(None)
    crowd = client_for(peer, new_account(peer, "crowd"))
    posted = [str(crowd.status_post(f"@{hospital.username} question {n}")["id"]) for n in range(45)]
    page = await adapter.fetch_incoming(start.cursor)
    assert [m.external_id for m in page.messages] == posted


async def test_instance_limits_are_read_on_connect_and_media_answers_200(
        mastodon_mock_peer: MastodonPeer, http: httpx.AsyncClient) -> None:  # noqa: F811
    """The mock's instance: 10 MiB images, no WebM (Mastodon's defaults: 16 MiB, WebM accepted)."""
    hospital = new_account(mastodon_mock_peer, "hosp")
    adapter = adapter_for(mastodon_mock_peer, hospital, http)
    await adapter.authenticate()
    assert adapter.capabilities.media.image_max_bytes == 10 * 1024 * 1024
    assert "video/webm" not in adapter.capabilities.media.video_types
    with pytest.raises(Rejected, match="this Mastodon instance"):
        await adapter.upload_media(UploadRequest(data=b"\x1a\x45\xdf\xa3" * 64, mime_type="video/webm", alt_text="x"))
    uploaded = await adapter.upload_media(png("Surgeons at the table"))  # the mock answers 200 at once
    assert uploaded.extra["processing"] is False
    ref = await adapter.publish(PublishRequest(text="With a photo", idempotency_key="m1", media=[uploaded]))
    status = client_for(mastodon_mock_peer, hospital).status(ref.remote_id)
    assert [m["description"] for m in status["media_attachments"]] == ["Surgeons at the table"]


async def test_rate_limit_reset_in_epoch_seconds_is_honoured(
        mastodon_mock_peer: MastodonPeer, http: httpx.AsyncClient) -> None:  # noqa: F811
    hospital = new_account(mastodon_mock_peer, "hosp")
    adapter = adapter_for(mastodon_mock_peer, hospital, http)
    reset = int(time.time()) + 42
    add_fault(mastodon_mock_peer, {"match": {"methods": ["GET"], "path": "/api/v1/notifications"}, "count": 1,
                                   "effect": {"type": "ratelimit",
                                              "headers": {"X-RateLimit-Reset": str(reset), "Retry-After": "-"}}})
    with pytest.raises(RetryLater) as info:
        await adapter.fetch_incoming(None)
    assert info.value.retry_after is not None
    assert 35 <= info.value.retry_after <= 43  # from the epoch header, not a default
    assert timedelta(seconds=info.value.retry_after) < timedelta(minutes=1)
