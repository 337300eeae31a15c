"""A live event driven over HTTP against real server processes, and the checks made afterwards on the sandbox
tables, the outbox and the journal: every item posted exactly once, each thread chained in order."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from server.auth import service as auth_service
from server.config import Settings
from server.db.engine import make_engine, make_sessionmaker
from server.db.session_scope import transaction
from server.models import Delivery, Item, JournalEntry, SandboxAccount, SandboxPost
from server.publishing.leases import LEASE_EXPIRED, SENDER_GONE

PASSWORD = "chaos-horse-battery-staple"
ROLES = {"author": "comms", "comms": "comms", "clinical": "clinical"}


@dataclass
class SeededEvent:
    """An event on one sandbox account, with its approved items in thread order."""

    id: int
    account: str
    item_ids: list[int]
    texts: list[str]


def create_users(database_url: str, data_dir: Path) -> dict[str, str]:
    """Create the author, a second comms user and a clinical reviewer; returns role -> username."""
    names = {role: f"chaos-{role}-{uuid.uuid4().hex[:6]}" for role in ROLES}

    async def _create() -> None:
        settings = Settings(database_url=database_url, data_dir=data_dir, _env_file=None)
        engine = make_engine(settings)
        try:
            async with transaction(make_sessionmaker(engine, settings)) as session:
                for role, name in names.items():
                    await auth_service.create_user(session, username=name, display_name=name, password=PASSWORD,
                                                   roles=[ROLES[role]])
        finally:
            await engine.dispose()

    asyncio.run(_create())
    return names


def login(http: httpx.Client, base_url: str, username: str) -> dict[str, str]:
    """Bearer headers for a user (sessions live in the database, so they survive restarts)."""
    response = http.post(f"{base_url}/api/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def _ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, f"{response.request.method} {response.request.url}: {response.text}"
    body: dict[str, Any] = response.json()
    return body


def seed_event(http: httpx.Client, base_url: str, headers: dict[str, dict[str, str]], *, account: str,
               items: int, tag: str, platform: str = "sandbox") -> SeededEvent:
    """Create an event on `platform:account`, its patient consent and `items` approved items; go live.

    `tag` (letters only: digits could read as dates or identifiers to the privacy screen) names the event.
    """
    assert tag.isalpha(), "use letters for the tag"
    author = headers["author"]
    event = _ok(http.post(f"{base_url}/api/events", headers=author, json={
        "slug": f"chaos-{tag.lower()}-{uuid.uuid4().hex[:6]}", "title": f"Chaos run {tag}", "hashtag": "#LiveOR",
        "timezone": "America/Toronto", "planned_start": "2026-12-01T12:30:00+00:00",
        "platforms": [{"platform": platform, "account": account}],
        "safety_delay_seconds": 0}), 201)  # the drill measures crash recovery, not the operator's safety delay
    _ok(http.post(f"{base_url}/api/events/{event['id']}/authorizations", headers=author, json={
        "key": "patient-consent", "person": "Patient A (form on file)", "role": "patient",
        "covers": ["photos", "story"], "signed_on": "2026-11-01"}), 201)
    _ok(http.put(f"{base_url}/api/events/{event['id']}/denylist", headers=author,  # go-live needs one
                 json={"entries": ["Quillon Vexbridge", "MRN 00-TEST-4242"]}))
    seeded = SeededEvent(id=event["id"], account=account, item_ids=[], texts=[])
    for n in range(items):
        text = f"Update {n} from room {tag}: the team is at step {n}. #LiveOR"
        item = _ok(http.post(f"{base_url}/api/events/{event['id']}/items", headers=author, json={
            "caption": text, "key": f"step-{n}", "offset": None, "cue": f"step {n}"}), 201)
        for role in ("comms", "clinical"):
            _ok(http.post(f"{base_url}/api/items/{item['id']}/approve", headers=headers[role],
                          json={"version": item["version"]}))
        seeded.item_ids.append(item["id"])
        seeded.texts.append(text)
    _ok(http.post(f"{base_url}/api/events/{event['id']}/live/go", headers=headers["comms"], json={}))
    return seeded


def cue(http: httpx.Client, base_url: str, headers: dict[str, str], item_id: int,
        wait_up: Callable[[], None], *, timeout: float = 60.0) -> int:
    """Post an item now, surviving a server that dies mid-request; returns how many tries it took.

    After a transport error the item's state decides: still `approved` means the cue was lost (cue again);
    `queued`/`posted` means it was committed before the crash. A 409 is the outgoing gate refusing for now (an
    earlier automatic step of the run of show is not out yet, say, because its scheduler round is still to
    come after an outage): the cue is tried again after a short pause, until `timeout` seconds have passed.
    """
    deadline, attempt, refusal = time.monotonic() + timeout, 0, ""
    while True:
        attempt += 1
        try:
            response = http.post(f"{base_url}/api/items/{item_id}/post-now", headers=headers, json={})
            if response.status_code == 200:
                return attempt
            if response.status_code in (502, 504):  # behind a proxy: the replica died mid-request
                wait_up()
            else:
                assert response.status_code == 409, response.text
                refusal = response.text
        except httpx.TransportError:
            wait_up()
        status = _item_status(http, base_url, headers, item_id, wait_up)
        if status in ("queued", "posted"):
            return attempt
        assert status == "approved", f"item {item_id} is {status}"
        if time.monotonic() > deadline:
            raise AssertionError(f"item {item_id} could not be cued in {timeout:.0f}s ({attempt} tries; "
                                 f"last refusal: {refusal[:300] or 'none'})")
        time.sleep(0.2 if refusal else 0.0)


def _item_status(http: httpx.Client, base_url: str, headers: dict[str, str], item_id: int,
                 wait_up: Callable[[], None]) -> str:
    for _ in range(20):
        try:
            return str(_ok(http.get(f"{base_url}/api/items/{item_id}", headers=headers))["status"])
        except httpx.TransportError:
            wait_up()
    raise AssertionError(f"item {item_id}: no answer")


@dataclass
class Findings:
    """What the checks found: counts and every problem, in words."""

    expected: int = 0
    posted: int = 0
    sandbox_posts: int = 0
    reconciled: int = 0
    lease_expired: int = 0
    sender_gone: int = 0
    problems: list[str] = field(default_factory=list)
    sends_by_pid: dict[int, int] = field(default_factory=dict)
    keys_sent_twice: int = 0


async def _open_count(database_url: str) -> tuple[int, int]:
    settings = Settings(database_url=database_url, _env_file=None)
    engine = make_engine(settings)
    try:
        async with make_sessionmaker(engine)() as session:
            statuses = list((await session.execute(select(Delivery.status))).scalars())
    finally:
        await engine.dispose()
    return sum(1 for s in statuses if s == "posted"), sum(1 for s in statuses if s in ("pending", "sending",
                                                                                          "unknown"))


def wait_until_settled(database_url: str, expected: int, timeout: float) -> bool:
    """Poll the outbox until `expected` deliveries are posted and none is open; False on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        posted, still_open = asyncio.run(_open_count(database_url))
        if posted >= expected and not still_open:
            return True
        time.sleep(0.25)
    return False


def read_send_log(path: Path) -> list[dict[str, Any]]:
    """Every sandbox publish request the server processes recorded."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def inspect(database_url: str, events: Sequence[SeededEvent], send_log: Path) -> Findings:
    """Check the sandbox, the outbox and the journal for missing, duplicated or misordered posts."""
    return asyncio.run(_inspect(database_url, events, send_log))


async def _inspect(database_url: str, events: Sequence[SeededEvent], send_log: Path) -> Findings:
    settings = Settings(database_url=database_url, _env_file=None)
    engine = make_engine(settings)
    found = Findings(expected=sum(len(e.item_ids) for e in events))
    try:
        async with make_sessionmaker(engine)() as session:
            journal = list((await session.execute(select(JournalEntry).where(
                JournalEntry.kind == "delivery.posted"))).scalars())
            posted_entries = Counter(j.subject_id for j in journal)
            unknowns = Counter((p or {}).get("error") for p in (await session.execute(select(
                JournalEntry.payload).where(JournalEntry.kind == "delivery.unknown"))).scalars())
            found.lease_expired, found.sender_gone = unknowns[LEASE_EXPIRED], unknowns[SENDER_GONE]
            found.reconciled = sum(1 for j in journal if (j.payload or {}).get("reconciled"))
            for event in events:
                deliveries = list((await session.execute(select(Delivery).where(Delivery.event_id == event.id)
                                                         .order_by(Delivery.thread_seq))).scalars())
                posts = list((await session.execute(
                    select(SandboxPost).join(SandboxAccount, SandboxAccount.id == SandboxPost.account_id)
                    .where(SandboxAccount.handle == event.account).order_by(SandboxPost.id))).scalars())
                items = {i.id: i for i in (await session.execute(select(Item).where(
                    Item.event_id == event.id))).scalars()}
                found.sandbox_posts += len(posts)
                found.posted += sum(1 for d in deliveries if d.status == "posted")
                found.problems += _check_event(event, deliveries, posts, items, posted_entries)
    finally:
        await engine.dispose()
    sends = read_send_log(send_log)
    found.sends_by_pid = dict(Counter(int(s["pid"]) for s in sends))
    found.keys_sent_twice = sum(1 for n in Counter(s["key"] for s in sends).values() if n > 1)
    return found


def _check_event(event: SeededEvent, deliveries: list[Delivery], posts: list[SandboxPost], items: dict[int, Item],
                 posted_entries: Counter[int | None]) -> list[str]:
    problems: list[str] = []
    tag = f"event {event.id}"
    per_item = Counter(d.item_id for d in deliveries)
    problems += [f"{tag}: item {i} has {n} deliveries" for i, n in per_item.items() if n != 1]
    problems += [f"{tag}: item {i} was never queued" for i in event.item_ids if i not in per_item]
    problems += [f"{tag}: delivery {d.id} is {d.status} ({d.last_error})" for d in deliveries if d.status != "posted"]
    problems += [f"{tag}: delivery {d.id} journaled as posted {posted_entries[d.id]} times"
                 for d in deliveries if d.status == "posted" and posted_entries[d.id] != 1]
    seqs = [d.thread_seq for d in deliveries]
    if seqs != list(range(1, len(deliveries) + 1)):
        problems.append(f"{tag}: thread_seq is not 1..{len(deliveries)}: {seqs}")
    problems += [f"{tag}: item {i} is {items[i].status}" for i in event.item_ids if items[i].status != "posted"]
    texts = Counter(p.text for p in posts)
    problems += [f"{tag}: '{t}' is on the sandbox {n} times" for t, n in texts.items() if n > 1]
    problems += [f"{tag}: '{t}' is missing from the sandbox" for t in event.texts if t not in texts]
    by_key = {p.idempotency_key: p for p in posts}
    chain: list[SandboxPost] = []
    for delivery in deliveries:
        post = by_key.get(delivery.idempotency_key)
        if post is None:
            problems.append(f"{tag}: no sandbox post for delivery {delivery.id}")
            continue
        if (delivery.remote or {}).get("remote_id") != str(post.id):
            problems.append(f"{tag}: delivery {delivery.id} records {delivery.remote}, the sandbox has {post.id}")
        chain.append(post)
    if chain:
        problems += [f"{tag}: the first post replies to {chain[0].reply_to_id}"] if chain[0].reply_to_id else []
        for previous, post in zip(chain, chain[1:], strict=False):
            if post.reply_to_id != previous.id or post.root_id != chain[0].id:
                problems.append(f"{tag}: post {post.id} replies to {post.reply_to_id} (root {post.root_id}), "
                                f"expected {previous.id} (root {chain[0].id})")
    return problems
