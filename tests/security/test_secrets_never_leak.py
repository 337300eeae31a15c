"""Platform credentials, passwords and the patient denylist never appear in a response, a log line or the database.

One whole scenario runs with planted values: a secrets file for X (an expired OAuth 2.0 token, so the refresh
token and the confidential client secret are used and the rotated pair is stored), Mastodon and Bluesky (an
app password that buys a session), accounts created with planted passwords, failed logins with a planted
password, a denylist with a planted name and MRN, approvals, going live, posting to the sandbox and the
three fakes, audience messages from every channel, an answer, and logout everywhere. Every response body
and header, every log record (DEBUG, SQL and its parameters included), everything printed, every row of
every table (journal payloads on their own too) and the bytes of the data directory are searched.

Nobody writes a denylist entry in a caption: the flagged item spells the name as "Quarrington, Zebulon" and
the MRN as "778-812", which the denylist matches but which are not the entries themselves.
"""

from __future__ import annotations

import base64
import itertools
import json
import logging
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from cryptography.fernet import Fernet
from httpx import ASGITransport, AsyncClient
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth.schemas import LoginRequest, UserCreate
from server.clock import FakeClock
from server.config import Settings
from server.consent.schemas import DenylistUpdate
from server.db.base import Base
from server.models import Delivery, JournalEntry, Message, PlatformToken
from server.platforms.bluesky.session import Session
from server.platforms.credentials import CredentialsConfig, DbCredentialStore
from server.platforms.registry import AdapterRegistry
from server.ratelimit import SlidingWindow
from tests.factories import PASSWORD, create_user
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.x import FakeX
from tests.security.kit import CONSENT, full_app, upload_png
from tests.security.platforms import BSKY_HOST, BlueskyStub, HostRouter

RUN = secrets.token_hex(4)
X_CLIENT_ID = "livecue-x-client"
PLANTED = {
    "x access token": f"PLANTED-X-TOKEN-{RUN}",
    "x refresh token": f"PLANTED-X-REFRESH-{RUN}",
    "x client secret": f"PLANTED-X-CLIENT-SECRET-{RUN}",
    "mastodon token": f"PLANTED-MASTODON-TOKEN-{RUN}",
    "bluesky app password": f"PLANTED-BSKY-PASSWORD-{RUN}",
    "bluesky access jwt": f"PLANTED-BSKY-ACCESS-JWT-{RUN}",
    "bluesky refresh jwt": f"PLANTED-BSKY-REFRESH-JWT-{RUN}",
    "comms password": f"PLANTED-COMMS-PASSWORD-{RUN}",
    "clinical password": f"PLANTED-CLINICAL-PASSWORD-{RUN}",
    "wrong password": f"PLANTED-WRONG-PASSWORD-{RUN}",
    "factory password": PASSWORD,
}
DENYLIST = ["Zebulon Quarrington", "PLANTED-MRN-778812"]
# The normalised forms the denylist hashes (words joined, in any order): none may be stored or shown either.
DENYLIST_FORMS = sorted({"".join(words) for entry in DENYLIST
                         for words in itertools.permutations(re.findall(r"[a-z0-9]+", entry.lower()))})
ACCOUNT = "hospital"
PLATFORMS = ["sandbox", "x", "mastodon", "bluesky"]


@dataclass
class Haystack:
    """Everything the scenario showed to the outside world, by where it was seen."""

    places: dict[str, list[str]] = field(default_factory=dict)

    def add(self, place: str, value: str) -> None:
        """Record one text seen in `place`."""
        self.places.setdefault(place, []).append(value)

    def hits(self, needles: dict[str, str]) -> list[str]:
        """Every (place, needle) where a needle occurs, case-insensitively, with some context."""
        found = []
        for place, texts in self.places.items():
            for value in texts:
                lowered = value.lower()
                for name, needle in needles.items():
                    at = lowered.find(needle.lower())
                    if at >= 0:
                        found.append(f"{name} in {place}: ...{value[max(0, at - 120):at + len(needle) + 60]}...")
        return found


def _needles(extra: dict[str, str]) -> dict[str, str]:
    needles = dict(PLANTED) | extra
    for name, value in list(needles.items()):
        if len(value) >= 12:  # HTTP Basic and other base64 spellings of a secret
            needles[f"{name} (base64)"] = base64.b64encode(value.encode()).decode()[:-4]
    basic = base64.b64encode(f"{X_CLIENT_ID}:{PLANTED['x client secret']}".encode()).decode()
    needles["x client basic auth"] = basic
    needles |= {f"denylist entry {i}": e for i, e in enumerate(DENYLIST)}
    needles |= {f"denylist form {f}": f for f in DENYLIST_FORMS}
    return needles


def _secrets_file(path: Path) -> Path:
    path.write_text(yaml.safe_dump({"accounts": {
        f"x:{ACCOUNT}": {"base_url": "https://api.x.test", "access_token": PLANTED["x access token"],
                         "refresh_token": PLANTED["x refresh token"], "client_id": X_CLIENT_ID,
                         "client_secret": PLANTED["x client secret"], "expires_at": "1"},
        f"mastodon:{ACCOUNT}": {"base_url": "https://mastodon.test", "access_token": PLANTED["mastodon token"]},
        f"bluesky:{ACCOUNT}": {"base_url": f"https://{BSKY_HOST}", "identifier": "hospital.bsky.test",
                               "password": PLANTED["bluesky app password"]},
    }}))
    return path


class Scenario:
    """The app under test with its fakes, a recording client, and helpers for each step."""

    def __init__(self, client: AsyncClient, app: Any, clock: FakeClock, fake_x: FakeX, fake_m: FakeMastodon,
                 bsky: BlueskyStub, haystack: Haystack) -> None:
        self.client, self.app, self.clock = client, app, clock
        self.fake_x, self.fake_m, self.bsky, self.haystack = fake_x, fake_m, bsky, haystack

    @property
    def sessionmaker(self) -> async_sessionmaker[AsyncSession]:
        """The app's session factory."""
        maker: async_sessionmaker[AsyncSession] = self.app.state.livecue.sessionmaker
        return maker

    async def call(self, method: str, url: str, headers: dict[str, str] | None = None, *, expect: int,
                   **kwargs: Any) -> Any:
        """One request that must answer `expect`; returns the JSON body (None when empty)."""
        response = await self.client.request(method, url, headers=headers, **kwargs)
        assert response.status_code == expect, (method, url, response.status_code, response.text)
        return response.json() if response.content else None

    async def login(self, username: str, password: str) -> dict[str, str]:
        """Log in; bearer headers."""
        body = await self.call("POST", "/api/auth/login", json={"username": username, "password": password},
                               expect=200)
        self.client.cookies.clear()
        return {"Authorization": f"Bearer {body['token']}"}

    async def pump(self, rounds: int = 8) -> None:
        """Run the scheduler and the dispatcher, moving the clock past retry delays, until all is settled."""
        services = self.app.state.livecue
        for _ in range(rounds):
            await services.scheduler.tick()
            await services.dispatcher.run_once()
            async with self.sessionmaker() as session:
                waiting = (await session.execute(select(Delivery.id).where(
                    Delivery.status.in_(("pending", "unknown", "sending"))))).first()
            if waiting is None:
                return
            self.clock.advance(minutes=5)

    async def deliveries(self) -> list[Delivery]:
        """Every delivery."""
        async with self.sessionmaker() as session:
            return list((await session.execute(select(Delivery).order_by(Delivery.id))).scalars())


async def _record_response(haystack: Haystack, response: httpx.Response) -> None:
    await response.aread()
    request = response.request
    place = f"response to {request.method} {request.url.path}"
    haystack.add(place, response.text)
    haystack.add(f"{place} (headers)", json.dumps(dict(response.headers)))


async def _run(scenario: Scenario) -> None:
    s = scenario
    admin = await s.login((await create_user(s.sessionmaker, "admin")).username, PASSWORD)
    for username, roles, password in (("casey", ["comms"], PLANTED["comms password"]),
                                      ("dana", ["clinical"], PLANTED["clinical password"]),
                                      ("alex", ["comms"], PLANTED["comms password"])):
        await s.call("POST", "/api/users", admin, expect=201, json={
            "username": username, "display_name": username.title(), "password": password, "roles": roles})
    author = await s.login("alex", PLANTED["comms password"])
    comms = await s.login("casey", PLANTED["comms password"])
    clinical = await s.login("dana", PLANTED["clinical password"])

    # Failed logins with a planted password: on a real account until it is throttled, and on an unknown one.
    for _ in range(4):
        await s.call("POST", "/api/auth/login", json={"username": "casey", "password": PLANTED["wrong password"]},
                     expect=401)
    await s.call("POST", "/api/auth/login", json={"username": "casey", "password": PLANTED["wrong password"]},
                 expect=429)
    await s.call("POST", "/api/auth/login", json={"username": "nobody", "password": PLANTED["wrong password"]},
                 expect=401)

    event = await s.call("POST", "/api/events", author, expect=201, json={
        "slug": f"leak-{RUN}", "title": "Live from the OR", "hashtag": "#LiveOR", "timezone": "America/Toronto",
        "planned_start": s.clock.now().isoformat(), "staff_names": ["Dr. Dana Ortiz"],
        "platforms": [{"platform": p, "account": ACCOUNT} for p in PLATFORMS]})
    eid = event["id"]
    await s.call("POST", f"/api/events/{eid}/authorizations", author, expect=201, json=CONSENT)
    photo = await upload_png(s.client, author)
    items = []
    for index, (caption, media) in enumerate([("The room is ready for the team. #LiveOR", [photo]),
                                              ("First incision, right on time. #LiveOR", []),
                                              ("The team is closing now. #LiveOR", [])]):
        items.append(await s.call("POST", f"/api/events/{eid}/items", author, expect=201, json={
            "caption": caption, "key": f"step-{index}", "cue": f"step {index}", "media": media}))
    flagged = await s.call("POST", f"/api/events/{eid}/items", author, expect=201, json={
        "caption": "Quarrington, Zebulon asked us to say hello; record 778-812. #LiveOR", "key": "flagged",
        "cue": "never"})
    redirect = await s.call("POST", f"/api/events/{eid}/items", author, expect=201, json={
        "caption": "For advice about your own care, please talk to your doctor.", "kind": "reply_redirect"})
    status = await s.call("PUT", f"/api/events/{eid}/denylist", comms, expect=200, json={"entries": DENYLIST})
    assert status["configured"] and status["entry_count"] == 2
    await s.call("GET", f"/api/events/{eid}/denylist", comms, expect=200)
    flagged = await s.call("GET", f"/api/items/{flagged['id']}", comms, expect=200)
    kinds = {f["kind"] for f in flagged["findings"]}
    assert "denylist" in kinds, flagged["findings"]  # the denylist really ran over the text

    for item in [*items, redirect]:
        for headers in (comms, clinical):
            await s.call("POST", f"/api/items/{item['id']}/approve", headers, expect=200,
                         json={"version": item["version"]})
    s.fake_x.inject_fault("/2/tweets", "500", method="POST")  # one failed attempt and its retry, logged
    await s.call("POST", f"/api/events/{eid}/live/go", comms, expect=200, json={})
    for item in items:
        await s.call("POST", f"/api/items/{item['id']}/post-now", comms, expect=200, json={})
        await s.pump()
    deliveries = await s.deliveries()
    assert {(d.platform, d.status) for d in deliveries} == {(p, "posted") for p in PLATFORMS}, \
        [(d.platform, d.status, d.last_error) for d in deliveries]
    assert s.fake_x.auth.refresh_calls >= 1 and s.bsky.logins == 1  # the refresh and the login really happened

    # Audience messages on every channel, then one answer out through X.
    first: dict[str, Delivery] = {}
    for delivery in deliveries:
        first.setdefault(delivery.platform, delivery)
    feed = await s.call("GET", "/api/sandbox/feed", expect=200)
    await s.call("POST", "/api/sandbox/replies", expect=201, json={
        "in_reply_to": feed["posts"][-1]["id"], "handle": "sam_v", "display_name": "Sam Viewer",
        "text": "How long does the operation take?"})
    assert first["x"].remote and first["mastodon"].remote
    s.fake_x.inject_mention("Is the patient awake during it?", in_reply_to=str(first["x"].remote["remote_id"]))
    s.fake_m.inject_reply(str(first["mastodon"].remote["remote_id"]), "Which anaesthetic do you use?")
    await s.call("POST", f"/api/public/events/{event['slug']}/questions", expect=202,
                 json={"name": "Robin", "text": "Will you post the recovery too?"})
    await s.app.state.livecue.poller.tick()
    async with s.sessionmaker() as session:
        messages = list((await session.execute(select(Message).order_by(Message.id))).scalars())
    assert {m.platform for m in messages} >= {"x", "mastodon", "sandbox", "form"}, [m.platform for m in messages]
    from_x = next(m for m in messages if m.platform == "x")
    await s.call("POST", f"/api/messages/{from_x.id}/template-reply", clinical, expect=200,
                 json={"template": "redirect"})
    await s.pump()

    # Read everything back, as each role.
    for headers in (admin, comms, clinical):
        for url in ("/api/auth/me", "/api/events", f"/api/events/{eid}", f"/api/events/{eid}/items",
                    f"/api/events/{eid}/journal?limit=1000", f"/api/events/{eid}/deliveries",
                    f"/api/events/{eid}/live", f"/api/events/{eid}/questions", f"/api/events/{eid}/policy",
                    f"/api/events/{eid}/authorizations", f"/api/items/{flagged['id']}/versions",
                    f"/api/events/{eid}/questions/summary"):
            await s.call("GET", url, headers, expect=200)
    await s.call("GET", "/api/users", admin, expect=200)
    await s.call("GET", f"/api/events/{eid}/denylist", comms, expect=200)
    await s.call("POST", "/api/auth/logout?everywhere=true", comms, expect=204)


async def _database_rows(sessionmaker: async_sessionmaker[AsyncSession], haystack: Haystack) -> None:
    async with sessionmaker() as session:
        for table in Base.metadata.sorted_tables:
            rows = (await session.execute(text(f'SELECT * FROM "{table.name}"'))).all()
            for row in rows:
                haystack.add(f"table {table.name}", repr(tuple(row)))
        for payload in (await session.execute(select(JournalEntry.kind, JournalEntry.payload))).all():
            haystack.add(f"journal payload {payload[0]}", json.dumps(payload[1]))


def _files(root: Path) -> Iterable[tuple[Path, str]]:
    for path in sorted(root.rglob("*")):
        if path.is_file():
            yield path, path.read_bytes().decode("latin-1")


async def test_a_whole_scenario_leaks_no_secret_password_or_denylist_entry(
    settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str],
) -> None:
    for name in (None, "uvicorn", "uvicorn.error", "uvicorn.access", "livecue", "server", "httpx",
                 "sqlalchemy.engine", "aiosqlite"):
        caplog.set_level(logging.DEBUG, logger=name)
    secrets_file = _secrets_file(tmp_path / "secrets.yaml")  # the one place the secrets are meant to be
    settings = settings.model_copy(update={"secrets_file": secrets_file})
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0))
    fake_x = FakeX(client_id=X_CLIENT_ID, client_secret=PLANTED["x client secret"],
                   access_token=PLANTED["x access token"], refresh_token=PLANTED["x refresh token"])
    fake_m = FakeMastodon(tokens=(PLANTED["mastodon token"],))
    bsky = BlueskyStub(identifier="hospital.bsky.test", password=PLANTED["bluesky app password"],
                       access_jwt=PLANTED["bluesky access jwt"], refresh_jwt=PLANTED["bluesky refresh jwt"])
    haystack = Haystack()
    app = full_app(settings, clock=clock)
    async with app.router.lifespan_context(app):
        services = app.state.livecue
        services.form_limiter = SlidingWindow(1000, 60.0)
        registry: AdapterRegistry = services.registry
        await registry.http.aclose()
        registry.http = httpx.AsyncClient(transport=HostRouter({
            "api.x.test": fake_x.transport(), "mastodon.test": fake_m.transport(), BSKY_HOST: bsky.transport()}))

        async def keep(response: httpx.Response) -> None:
            await _record_response(haystack, response)

        transport = ASGITransport(app=app)
        async with AsyncClient(transport=transport, base_url="http://testserver",
                               event_hooks={"response": [keep]}) as client:
            await _run(Scenario(client, app, clock, fake_x, fake_m, bsky, haystack))

        async with app.state.livecue.sessionmaker() as session:
            stored = list((await session.execute(select(PlatformToken))).scalars())
        assert {(t.platform, t.account) for t in stored} == {("x", ACCOUNT), ("bluesky", ACCOUNT)}
        rotated = {k: v for t in stored for k, v in registry.credentials.decrypt(t.ciphertext).items()}
        assert rotated["access_jwt"] == PLANTED["bluesky access jwt"]
        assert rotated["access_token"] != PLANTED["x access token"]  # X rotated the pair; the new one is secret too
        await _database_rows(app.state.livecue.sessionmaker, haystack)
        _repr_checks(registry, haystack)
        await registry.http.aclose()

    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    for record in caplog.records:
        if record.name.startswith("tests."):
            continue  # the fakes' own bookkeeping, not Livecue's
        haystack.add(f"log {record.name}", formatter.format(record))
    captured = capfd.readouterr()
    haystack.add("stdout", captured.out)
    haystack.add("stderr", captured.err)
    for path, content in _files(tmp_path):  # the data directory and, on SQLite, the database and its journal
        if path != secrets_file:
            haystack.add(f"file {path.name}", content)

    # The search does reach every kind of place: user-written text, log lines, SQL, journal payloads.
    for place, needle in (("response", "Quarrington, Zebulon"), ("log", "access token refreshed"),
                          ("log sqlalchemy", "INSERT INTO"), ("journal payload denylist.replaced", "\"entries\": 2"),
                          ("table platform_token", "x")):
        assert any(needle.lower() in v.lower() for k, vs in haystack.places.items() if k.startswith(place)
                   for v in vs), f"nothing like {needle!r} was seen in {place}: the capture is broken"
    extra = {"rotated x access token": rotated["access_token"], "rotated x refresh token": rotated["refresh_token"]}
    assert len(haystack.places) > 40 and sum(len(v) for v in haystack.places.values()) > 500
    hits = haystack.hits(_needles(extra))
    assert hits == [], "\n".join(hits[:40])


def _repr_checks(registry: AdapterRegistry, haystack: Haystack) -> None:
    """The credential objects the running app holds print no secret (a log line of one would leak it)."""
    haystack.add("repr CredentialsConfig", repr(registry.credentials))
    haystack.add("str CredentialsConfig", str(registry.credentials))
    haystack.add("repr AdapterRegistry", repr(registry))
    for platform in ("x", "mastodon", "bluesky"):
        store = DbCredentialStore(registry.sessionmaker, registry.credentials, platform, ACCOUNT)
        haystack.add(f"repr DbCredentialStore {platform}", repr(store))
        haystack.add(f"repr {platform} adapter", repr(registry.get(platform, ACCOUNT)))


def test_credential_objects_print_no_secret(tmp_path: Path) -> None:
    """repr() and str() of everything that holds platform credentials show no secret value."""
    config = CredentialsConfig.load(_secrets_file(tmp_path / "secrets.yaml"), Fernet.generate_key())
    assert config.for_account("x", ACCOUNT)["access_token"] == PLANTED["x access token"]  # really loaded
    sessionmaker: async_sessionmaker[AsyncSession] = async_sessionmaker()
    registry = AdapterRegistry(sessionmaker=sessionmaker, credentials=config)
    session = Session(access_jwt=PLANTED["bluesky access jwt"], refresh_jwt=PLANTED["bluesky refresh jwt"],
                      did="did:plc:livecuehospital", handle="hospital.bsky.test")
    bluesky = registry.get("bluesky", ACCOUNT)
    bluesky.sessions.session = session  # type: ignore[attr-defined]
    shown = {
        "CredentialsConfig": [repr(config), str(config)],
        "DbCredentialStore": [repr(DbCredentialStore(sessionmaker, config, p, ACCOUNT)) for p in PLATFORMS],
        "AdapterRegistry": [repr(registry)],
        "adapters": [repr(registry.get(p, ACCOUNT)) for p in PLATFORMS],
        "bluesky Session": [repr(session), str(session)],
    }
    hits = Haystack({f"repr {name}": values for name, values in shown.items()}).hits(_needles({}))
    assert hits == [], "\n".join(hits)


def test_request_models_do_not_print_passwords_or_denylist_entries() -> None:
    """Pydantic's repr shows every field: the ones carrying passwords and identifiers must be hidden."""
    shown = {
        "LoginRequest": repr(LoginRequest(username="casey", password=PLANTED["wrong password"])),
        "UserCreate": repr(UserCreate(username="casey", display_name="Casey", password=PLANTED["comms password"],
                                      roles=["comms"])),
        "DenylistUpdate": repr(DenylistUpdate(entries=DENYLIST)),
    }
    haystack = Haystack({f"repr {name}": [value] for name, value in shown.items()})
    hits = haystack.hits(_needles({}))
    assert hits == [], "\n".join(hits)
