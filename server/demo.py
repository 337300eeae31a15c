"""`livecue demo`: the sandbox platform, the demo event and demo users, on embedded defaults."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth import service as auth_service
from server.clock import session_now
from server.config import Settings
from server.consent import denylist as denylist_store
from server.datadir import private_dir
from server.db.engine import make_engine, make_sessionmaker
from server.db.migrate import upgrade
from server.db.session_scope import transaction
from server.events import service as event_service
from server.events.schemas import EventUpdate
from server.media.assets import media_store
from server.models import Event, Item, User
from server.schedules.importer import import_schedule
from server.timeline import approvals

DEMO_DENYLIST = ["Arthur Quennell-Demo", "MRN 0000-DEMO-01"]  # the fictional patient's identifiers
# Each demo account's user name is its part plus a random suffix and its password is random, both made once per
# data directory (kept in demo-logins.json, mode 0600, and printed at start): a demo reachable from a network
# must not be open to anyone who guesses "admin" (an outside review did).
DEMO_USERS = (
    ("admin", "Avery Admin", ["admin"]),
    ("comms", "Casey Comms (operator)", ["comms"]),
    ("reviewer", "Robin Reviewer (comms)", ["comms"]),
    ("clinician", "Dr. Dana Ortiz (clinical)", ["clinical"]),
)
LEFT_FOR_REVIEW = 3
DEMO_SLUG = "sunnybrook-bypass"
FIRST_START_MINUTES = 15.0  # the demo event is planned this long after the first launch (`--start-in` moves it)


def demo_schedule_path() -> Path:
    """The bundled demo schedule (repository checkout or current directory)."""
    for base in (Path(__file__).resolve().parents[1], Path.cwd()):
        candidate = base / "schedules" / "sunnybrook-bypass"
        if (candidate / "schedule.yaml").exists():
            return candidate
    raise FileNotFoundError("schedules/sunnybrook-bypass/schedule.yaml not found")


@dataclass(frozen=True)
class DemoLogin:
    """One demo account's user name and password."""

    username: str
    password: str


def new_login(part: str) -> DemoLogin:
    """A user name that cannot be guessed (32 random bits after the part) and a 128-bit random password."""
    return DemoLogin(username=f"{part}-{secrets.token_hex(4)}", password=secrets.token_urlsafe(16))


def demo_logins(data_dir: Path) -> dict[str, DemoLogin]:
    """The demo's logins by part (admin, comms, reviewer, clinician), made once per data directory."""
    path = data_dir / "demo-logins.json"
    if path.exists():
        stored = json.loads(path.read_text())
        # A data directory from before random user names ({part: password}) keeps its accounts.
        return {part: DemoLogin(**value) if isinstance(value, dict) else DemoLogin(part, str(value))
                for part, value in stored.items()}
    logins = {part: new_login(part) for part, _, _ in DEMO_USERS}
    private_dir(data_dir)  # 0700 when this makes it (server/datadir.py)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(json.dumps({part: asdict(login) for part, login in logins.items()}, indent=2))
    return logins


class DemoReady(NamedTuple):
    """What the banner shows: the logins, the demo event and its planned start."""

    logins: dict[str, DemoLogin]
    event_id: int
    planned_start: datetime
    timezone: str


async def plan_start(session: AsyncSession, event: Event, *, minutes: float, actor: User) -> None:
    """Plan the event `minutes` from now (to the next whole minute), so no item shows as overdue before anyone
    started it; journaled like any change of the planned start."""
    start = session_now(session) + timedelta(minutes=minutes)
    start = start.replace(second=0, microsecond=0) + (timedelta(minutes=1) if start.second or start.microsecond
                                                       else timedelta())
    await event_service.update_event(session, event=event, data=EventUpdate(planned_start=start), actor=actor)


async def prepare_demo(settings: Settings, start_in: float | None = None) -> DemoReady:
    """Migrate, create demo users, import the demo event (first launch: planned FIRST_START_MINUTES ahead) and
    pre-approve most of it; `start_in` (minutes) moves its planned start on any launch."""
    logins = demo_logins(settings.data_dir)
    engine = make_engine(settings)
    try:
        await upgrade(engine)
        sessionmaker = make_sessionmaker(engine, settings)
        async with transaction(sessionmaker) as session:
            users: dict[str, User] = {}
            for part, display, roles in DEMO_USERS:
                login = logins[part]
                user = await auth_service.get_user_by_username(session, login.username)
                if user is None:
                    user = await auth_service.create_user(session, username=login.username, display_name=display,
                                                          password=login.password, roles=roles)
                users[part] = user
            known = await event_service.get_event_by_slug(session, DEMO_SLUG)
            if known is None:  # the first launch; later ones keep what was done with the event (and its start)
                report = await import_schedule(session, path=demo_schedule_path(),
                                               store=media_store(settings.data_dir), actor=users["comms"])
                if report.created:
                    await _pre_approve(session, report.event_id, users)
                    event = await event_service.get_event(session, report.event_id)
                    # Going live needs the patient denylist; the demo's patient is fictional ("Patient A").
                    await denylist_store.replace(session, event=event, entries=DEMO_DENYLIST, actor=users["comms"])
                event_id = report.event_id
                start_in = FIRST_START_MINUTES if start_in is None else start_in
            else:
                event_id = known.id
            event = await event_service.get_event(session, event_id)
            if start_in is not None and event.status != "ended":  # an ended event keeps its dates (--reset)
                await plan_start(session, event, minutes=start_in, actor=users["comms"])
            planned, zone = event.planned_start, event.timezone
        return DemoReady(logins, event_id, planned, zone)
    finally:
        await engine.dispose()


async def _pre_approve(session: object, event_id: int, users: dict[str, User]) -> None:
    assert isinstance(session, AsyncSession)
    event = await event_service.get_event(session, event_id)
    items = list((await session.execute(select(Item).where(Item.event_id == event_id)
                                        .order_by(Item.kind, Item.position))).scalars())
    posts = [i for i in items if i.kind == "post"]
    waiting = {i.id for i in posts[-LEFT_FOR_REVIEW:]}
    for item in items:
        if item.id in waiting or item.status != "draft":
            continue
        for reviewer in ("reviewer", "clinician"):
            await approvals.approve(session, event=event, item=item, version=item.current_version,
                                    user=users[reviewer])

