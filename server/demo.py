"""`livecue demo`: the sandbox platform, the demo event and demo users, on embedded defaults."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
from pathlib import Path

from sqlalchemy import select

from server.auth import service as auth_service
from server.config import Settings
from server.db.engine import make_engine, make_sessionmaker
from server.db.migrate import upgrade
from server.db.session_scope import transaction
from server.events import service as event_service
from server.media.assets import media_store
from server.models import Item, User
from server.schedules.importer import import_schedule
from server.timeline import approvals

DEMO_USERS = (
    ("admin", "Avery Admin", ["admin"]),
    ("comms", "Casey Comms (operator)", ["comms"]),
    ("reviewer", "Robin Reviewer (comms)", ["comms"]),
    ("clinician", "Dr. Dana Ortiz (clinical)", ["clinical"]),
)
LEFT_FOR_REVIEW = 3


def demo_schedule_path() -> Path:
    """The bundled demo schedule (repository checkout or current directory)."""
    for base in (Path(__file__).resolve().parents[1], Path.cwd()):
        candidate = base / "schedules" / "sunnybrook-bypass"
        if (candidate / "schedule.yaml").exists():
            return candidate
    raise FileNotFoundError("schedules/sunnybrook-bypass/schedule.yaml not found")


def _logins(data_dir: Path) -> dict[str, str]:
    path = data_dir / "demo-logins.json"
    if path.exists():
        return dict(json.loads(path.read_text()))
    logins = {name: secrets.token_urlsafe(9) for name, _, _ in DEMO_USERS}
    data_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(logins, indent=2))
    os.chmod(path, 0o600)
    return logins


async def prepare_demo(settings: Settings) -> tuple[dict[str, str], int]:
    """Migrate, create demo users, import the demo event and pre-approve most of it."""
    logins = _logins(settings.data_dir)
    engine = make_engine(settings)
    try:
        await upgrade(engine)
        sessionmaker = make_sessionmaker(engine, settings)
        async with transaction(sessionmaker) as session:
            users: dict[str, User] = {}
            for username, display, roles in DEMO_USERS:
                user = await auth_service.get_user_by_username(session, username)
                if user is None:
                    user = await auth_service.create_user(session, username=username, display_name=display,
                                                          password=logins[username], roles=roles)
                users[username] = user
            report = await import_schedule(session, path=demo_schedule_path(),
                                           store=media_store(settings.data_dir), actor=users["comms"])
            if report.created:
                await _pre_approve(session, report.event_id, users)
        return logins, report.event_id
    finally:
        await engine.dispose()


async def _pre_approve(session: object, event_id: int, users: dict[str, User]) -> None:
    from sqlalchemy.ext.asyncio import AsyncSession

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


def run_demo(*, host: str, port: int, data_dir: Path) -> int:
    """Prepare the demo and serve it until interrupted."""
    import uvicorn

    from server.app import create_app
    from server.logs import configure_logging

    settings = Settings(data_dir=data_dir)
    configure_logging(settings.log_level)
    logins, event_id = asyncio.run(prepare_demo(settings))
    base = f"http://{host}:{port}"
    print("\nLivecue demo is starting.\n")
    print(f"  Operator console : {base}/console")
    print(f"  Clinician tablet : {base}/tablet")
    print(f"  Sandbox feed     : {base}/sandbox")
    print(f"  API docs         : {base}/docs")
    print(f"  Demo event id    : {event_id}   data: {settings.data_dir.resolve()}\n")
    print("  Logins (also in demo-logins.json in the data directory):")
    for username, display, roles in DEMO_USERS:
        print(f"    {username:<10} {logins[username]:<14} {', '.join(roles):<9} {display}")
    print()
    uvicorn.run(create_app(settings), host=host, port=port, log_config=None, ws_per_message_deflate=False,
                proxy_headers=True, forwarded_allow_ips=settings.trusted_proxies)
    return 0
