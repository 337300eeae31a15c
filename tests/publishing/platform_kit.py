"""Four platforms behind Livecue's registry, each with a uniform read-back and fault knobs for tests.

`wire_platforms` installs real adapters in `registry.overrides`: `XAdapter`/`MastodonAdapter` over the
fakes' in-process clients (sharing the test's `FakeClock`), `BlueskyAdapter` over a real local PDS, and
the built-in sandbox. Each `Harness` reads what its platform stored (`posts()`), counts publish
requests that reached it (`publish_calls()`), and injects faults by a common name (`inject(kind)`).
"""

from __future__ import annotations

import contextlib
import io
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
from fastapi import FastAPI
from PIL import Image
from sqlalchemy import select

from server.clock import FakeClock
from server.models import SandboxAccount, SandboxPost
from server.platforms.base import MemoryCredentialStore
from server.platforms.bluesky import BlueskyAdapter
from server.platforms.mastodon import MastodonAdapter
from server.platforms.registry import AdapterRegistry
from server.platforms.x import XAdapter
from server.textrules.warning import WARNING_PREFIX
from tests.factories import create_event, create_item, create_user, login, set_denylist
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.x import FakeX
from tests.livekit import LiveKit
from tests.peers.bluesky import PeerInfo, create_account
from tests.publishing.pds_faults import PdsFaultTransport, list_posts

ACCOUNT = "hospital"
ALL_PLATFORMS = ("x", "mastodon", "bluesky", "sandbox")
PUBLISH_PATH = {"x": "/2/tweets", "mastodon": "/api/v1/statuses"}


@dataclass
class PostView:
    """A post as its platform stored it: text, alt texts, warning marker, reply parent and root."""

    id: str
    text: str
    alts: list[str]
    parent: str | None
    root: str | None
    warning: str | None


class Harness(Protocol):
    """Uniform access to one platform in tests."""

    name: str

    async def posts(self) -> list[PostView]:
        """What the platform stored for our account."""
        ...

    def publish_calls(self) -> int:
        """How many publish requests reached the platform (faulted ones included)."""
        ...

    def inject(self, kind: str, count: int = 1) -> None:
        """Make the next `count` publish calls fail with `kind` (429, 500, 503, reset, timeout_after_store)."""
        ...

    def violations(self) -> list[str]:
        """Spec violations the platform recorded (fakes only)."""
        ...


def epoch(clock: FakeClock) -> float:
    """The fake clock as Unix seconds (what the fakes and HTTP adapters use)."""
    return clock.now().timestamp()


@dataclass
class XHarness:
    """FakeX behind an `XAdapter` with an OAuth 2.0 user token."""

    fake: FakeX
    secrets: MemoryCredentialStore
    name: str = "x"

    async def posts(self) -> list[PostView]:
        """The fake's tweets of our user, oldest first."""
        out = []
        for tweet in self.fake.timeline():
            media = [self.fake.media[m] for m in tweet.media_ids]
            sensitive = any(m.sensitive and m.sensitive.get("other") for m in media)
            out.append(PostView(tweet.id, tweet.raw, [m.alt_text or "" for m in media], tweet.in_reply_to,
                                tweet.conversation_id, "sensitive_media" if sensitive else None))
        return out

    def publish_calls(self) -> int:
        """POST /2/tweets requests received."""
        return len(self.fake.requests_to("POST", "/2/tweets"))

    def inject(self, kind: str, count: int = 1) -> None:
        """Fault the next POST /2/tweets."""
        self.fake.inject_fault("/2/tweets", kind, count=count, method="POST")

    def violations(self) -> list[str]:
        """FakeX's recorded spec violations."""
        return list(self.fake.violations)


@dataclass
class MastodonHarness:
    """FakeMastodon behind a `MastodonAdapter` with a bearer token."""

    fake: FakeMastodon
    secrets: MemoryCredentialStore
    name: str = "mastodon"

    async def posts(self) -> list[PostView]:
        """The fake's statuses of our account, oldest first (root found by walking up)."""
        statuses = self.fake.account_statuses()
        by_id = {s.id: s for s in self.fake.statuses.values()}
        out = []
        for status in statuses:
            root: str | None = None
            parent = status.in_reply_to_id
            while parent is not None and parent in by_id:
                root, parent = parent, by_id[parent].in_reply_to_id
            warning = f"sensitive:{status.spoiler_text}" if status.sensitive else None
            alts = [self.fake.media[m].description or "" for m in status.media_ids]
            out.append(PostView(status.id, status.text, alts, status.in_reply_to_id, root, warning))
        return out

    def publish_calls(self) -> int:
        """POST /api/v1/statuses requests received."""
        return len(self.fake.requests_to("POST", "/api/v1/statuses"))

    def inject(self, kind: str, count: int = 1) -> None:
        """Fault the next POST /api/v1/statuses."""
        self.fake.inject_fault("/api/v1/statuses", kind, count=count, method="POST")

    def violations(self) -> list[str]:
        """FakeMastodon's recorded spec violations."""
        return list(self.fake.violations)


@dataclass
class BlueskyHarness:
    """A real local PDS behind a `BlueskyAdapter`; faults come from `PdsFaultTransport`."""

    peer: PeerInfo
    handle: str
    password: str
    did: str
    transport: PdsFaultTransport
    client: httpx.AsyncClient
    reader: httpx.AsyncClient
    name: str = "bluesky"

    async def posts(self) -> list[PostView]:
        """Posts read back from the PDS with listRecords, ordered by createdAt; the warning is the first line."""
        out = []
        records = await list_posts(self.reader, self.peer.pds_url, self.did)
        for record in sorted(records, key=lambda r: str(r["value"].get("createdAt"))):
            value = record["value"]
            reply = value.get("reply") or {}
            images = (value.get("embed") or {}).get("images") or []
            text, warning = split_warning(value["text"])
            out.append(PostView(record["uri"], text, [i.get("alt", "") for i in images],
                                (reply.get("parent") or {}).get("uri"), (reply.get("root") or {}).get("uri"),
                                warning))
        return out

    def publish_calls(self) -> int:
        """createRecord calls sent towards the PDS."""
        return self.transport.count("com.atproto.repo.createRecord")

    def inject(self, kind: str, count: int = 1) -> None:
        """Fault the next createRecord."""
        self.transport.inject("com.atproto.repo.createRecord", kind, count)

    def violations(self) -> list[str]:
        """The PDS validates for itself; nothing recorded here."""
        return []


def split_warning(text: str) -> tuple[str, str | None]:
    """A Bluesky post's text without its content-warning first line, and that warning (None without one)."""
    line, _, body = text.partition("\n\n")
    if line.startswith(WARNING_PREFIX) and body:
        return body, line.removeprefix(WARNING_PREFIX)
    return text, None


SANDBOX_FAULTS = {"429": "rate_limit", "500": "server_error", "503": "server_error", "reset": "reset_before_send",
                  "timeout_after_store": "timeout_after_store"}


@dataclass
class SandboxHarness:
    """The built-in sandbox; faults from the registry's `FaultPlan`."""

    app: FastAPI
    registry: AdapterRegistry
    handle: str = ACCOUNT
    name: str = "sandbox"
    rate_limit_seconds: float = 60.0

    async def posts(self) -> list[PostView]:
        """The sandbox posts of our account, oldest first."""
        async with self.app.state.livecue.sessionmaker() as session:
            rows = (await session.execute(
                select(SandboxPost).join(SandboxAccount, SandboxAccount.id == SandboxPost.account_id)
                .where(SandboxAccount.handle == self.handle).order_by(SandboxPost.id))).scalars()
            return [PostView(str(p.id), p.text, [str(m.get("alt", "")) for m in p.media or []],
                             str(p.reply_to_id) if p.reply_to_id else None,
                             str(p.root_id) if p.root_id else None, p.content_warning) for p in rows]

    def publish_calls(self) -> int:
        """Publish calls the fault plan saw."""
        return self.registry.sandbox_faults._calls.get("publish", 0)

    def inject(self, kind: str, count: int = 1) -> None:
        """Queue sandbox faults for the next publish calls."""
        self.registry.sandbox_faults.add("publish", SANDBOX_FAULTS[kind], count=count,  # type: ignore[arg-type]
                                         retry_after=self.rate_limit_seconds)

    def violations(self) -> list[str]:
        """Nothing to validate."""
        return []


@dataclass
class Wired:
    """The harnesses of one test, by platform name."""

    harnesses: dict[str, Harness] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Harness:
        return self.harnesses[name]


def registry_of(app: FastAPI) -> AdapterRegistry:
    """The app's adapter registry."""
    registry: AdapterRegistry = app.state.livecue.registry
    return registry


@contextlib.asynccontextmanager
async def wire_platforms(app: FastAPI, clock: FakeClock, names: Sequence[str], *, peer: PeerInfo | None = None,
                         x: FakeX | None = None, mastodon: FakeMastodon | None = None) -> AsyncIterator[Wired]:
    """Install adapters for `names` in the registry's overrides; close their clients afterwards."""
    registry = registry_of(app)
    wired = Wired()
    async with contextlib.AsyncExitStack() as stack:
        if "x" in names:
            fake_x = x or FakeX(clock=lambda: epoch(clock))
            client = await stack.enter_async_context(fake_x.client())
            store = MemoryCredentialStore({"access_token": "x-access-0", "refresh_token": "x-refresh-0",
                                           "client_id": "x-client"})
            registry.overrides[("x", ACCOUNT)] = XAdapter(fake_x.base_url, store, client,
                                                           clock=lambda: epoch(clock))
            wired.harnesses["x"] = XHarness(fake_x, store)
        if "mastodon" in names:
            fake_m = mastodon or FakeMastodon(clock=lambda: epoch(clock))
            client = await stack.enter_async_context(fake_m.client())
            store = MemoryCredentialStore({"access_token": "mastodon-token"})
            registry.overrides[("mastodon", ACCOUNT)] = MastodonAdapter(fake_m.base_url, store, client,
                                                                         clock=lambda: epoch(clock))
            wired.harnesses["mastodon"] = MastodonHarness(fake_m, store)
        if "bluesky" in names:
            assert peer is not None, "bluesky needs the local PDS"
            account = create_account(peer.pds_url, f"lc{uuid.uuid4().hex[:10]}.test")
            transport = PdsFaultTransport()
            client = await stack.enter_async_context(httpx.AsyncClient(transport=transport, timeout=20))
            reader = await stack.enter_async_context(httpx.AsyncClient(timeout=20))
            store = MemoryCredentialStore({"identifier": account.handle, "password": account.password})
            registry.overrides[("bluesky", ACCOUNT)] = BlueskyAdapter(peer.pds_url, store, client)
            wired.harnesses["bluesky"] = BlueskyHarness(peer, account.handle, account.password, account.did,
                                                        transport, client, reader)
        if "sandbox" in names:
            wired.harnesses["sandbox"] = SandboxHarness(app, registry)
        try:
            yield wired
        finally:
            for name in names:
                registry.overrides.pop((name, ACCOUNT), None)


def png(index: int, size: tuple[int, int] = (96, 54)) -> bytes:
    """A small PNG with a colour of its own."""
    buffer = io.BytesIO()
    Image.new("RGB", size, ((index * 37) % 256, (80 + index * 11) % 256, 120)).save(buffer, "PNG")
    return buffer.getvalue()


async def upload_png(kit: LiveKit, index: int, alt: str) -> dict[str, Any]:
    """Upload a PNG through POST /api/media; returns the media reference for an item."""
    upload = await kit.client.post("/api/media", files={"file": (f"p{index}.png", png(index), "image/png")},
                                   headers=kit.author)
    assert upload.status_code == 201, upload.text
    media = upload.json()
    return {"sha256": media["sha256"], "alt_text": alt, "mime_type": media["mime_type"],
            "size_bytes": media["size_bytes"], "width": media["width"], "height": media["height"]}


async def prepare_event(client: httpx.AsyncClient, app: FastAPI, clock: FakeClock, sessionmaker: Any,
                        platforms: Sequence[str]) -> LiveKit:
    """An event on `platforms` (account `hospital`) with a patient consent on file, not yet live."""
    author = await login(client, await create_user(sessionmaker, "comms"))
    comms = await login(client, await create_user(sessionmaker, "comms"))
    clinical = await login(client, await create_user(sessionmaker, "clinical"))
    event = await create_event(client, author, planned_start=clock.now().isoformat(),
                               platforms=[{"platform": p, "account": ACCOUNT} for p in platforms])
    consent = await client.post(f"/api/events/{event['id']}/authorizations", headers=author, json={
        "key": "patient-consent", "person": "Patient A (form on file)", "role": "patient",
        "covers": ["photos", "story"], "signed_on": "2026-11-01"})
    assert consent.status_code == 201, consent.text
    await set_denylist(client, author, event["id"])
    return LiveKit(client=client, app=app, clock=clock, event=event, comms=comms, author=author, clinical=clinical)


async def add_items(kit: LiveKit, count: int, *, images: bool = True, warnings: Sequence[int] = (),
                    captions: Sequence[str] | None = None, start: int = 0) -> list[dict[str, Any]]:
    """Create and approve (comms + clinical) `count` items, optionally with an image each."""
    items = []
    for n in range(start, start + count):
        caption = captions[n - start] if captions else f"Step {n}: the team moves on. #LiveOR"
        media = [await upload_png(kit, n, f"Photo of step {n}")] if images else []
        item = await create_item(kit.client, kit.author, kit.event["id"], key=f"step-{n}", offset=None,
                                 cue=f"step {n}", caption=caption, media=media, content_warning=n in warnings)
        items.append(await kit.approve(item))
    kit.items += items
    return items


async def go_live(kit: LiveKit) -> None:
    """Start the event."""
    response = await kit.post(f"/api/events/{kit.event['id']}/live/go")
    assert response.status_code == 200, response.text


async def post_now(kit: LiveKit, item: dict[str, Any]) -> None:
    """Cue one item."""
    response = await kit.post(f"/api/items/{item['id']}/post-now")
    assert response.status_code == 200, response.text


def assert_thread(posts: Sequence[PostView], texts: Sequence[str], platform: str) -> list[PostView]:
    """Each text exactly once, replying in this order to the previous, all under the first; returns the chain."""
    seen = [p.text for p in posts]
    assert sorted(seen) == sorted(texts), f"{platform}: posts {seen} != expected {list(texts)}"
    by_text = {p.text: p for p in posts}
    chain = [by_text[t] for t in texts]
    assert chain[0].parent is None, f"{platform}: the first post is a reply"
    for previous, post in zip(chain, chain[1:], strict=False):
        assert post.parent == previous.id, f"{platform}: '{post.text}' replies to {post.parent}, not {previous.id}"
        assert post.root == chain[0].id, f"{platform}: '{post.text}' has root {post.root}, not {chain[0].id}"
    return chain
