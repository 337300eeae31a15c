"""The load fake's generated mentions, read through the real Mastodon adapter (in process, fixed clock, fast)."""

from __future__ import annotations

from server.platforms.base import MemoryCredentialStore
from server.platforms.mastodon import MastodonAdapter
from tests.fakes.helpers import FixedClock
from tests.fakes.mastodon_load import NOTE_BASE, STATUS_BASE, LoadMastodon, iso_ms, message_text


async def test_generated_mentions_arrive_in_order_once_each_and_conform_to_the_contract() -> None:
    clock = FixedClock(1_780_000_000.0)
    fake = LoadMastodon(clock=clock, check_every=1)  # check every page here
    async with fake.client() as client:
        adapter = MastodonAdapter(fake.base_url, MemoryCredentialStore({"access_token": "mastodon-token"}), client,
                                  incoming_pages=3)
        empty = await adapter.fetch_incoming(None)  # the account has no mentions yet: read all from now on
        assert (empty.messages, empty.cursor) == ([], "0")
        root = fake.inject_reply("1", "posted before the run")  # the fake's own notifications still work
        fake.start(rate=1000, seconds=1)
        assert fake.available() == 1  # notification 0 exists at the start instant
        clock.advance(0.0995)  # 99.5 ms: notifications 0..99
        assert fake.available() == 100
        seen: list[str] = []
        cursor: str | None = empty.cursor
        mores = []
        while True:
            page = await adapter.fetch_incoming(cursor)
            mores.append(getattr(page, "more", None))
            seen += [m.external_id for m in page.messages]
            if not page.messages:
                break
            cursor = page.cursor
            clock.advance(0.3)
        assert seen[0] == root
        generated = seen[1:]
        assert generated == [str(STATUS_BASE + i) for i in range(1000)]
        assert mores[:2] == [False, True]  # 1 + 100 fit in 2 pages; then 240 waiting fill 3 pages of 80
        first = (await adapter.fetch_incoming("0")).messages[1]
        assert first.text == f"@livecue {message_text(0)}"
        assert first.received_at.isoformat(timespec="milliseconds") == iso_ms(fake.start_ms or 0)[:-1] + "+00:00"
        assert cursor == str(NOTE_BASE + 999)
        assert fake.load_state()["served_max"] == 999
    assert fake.violations == []
    assert fake.sampler.pages_checked == fake.sampler.pages > 5
    assert len({message_text(i) for i in range(60_000)}) == 60_000  # unique texts at full size
