"""The `livecue` command: serve, demo, database, users, schedules, recaps, and offline screening tools."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Sequence
from pathlib import Path

from server.config import Settings
from server.recap.cli import FORMATS, run_recap


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="livecue", description="Live-post hospital events safely.")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the server (production entry point)")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)

    demo = sub.add_parser("demo", help="start a demo: sandbox platform, demo event and demo users")
    demo.add_argument("--host", default=None,
                      help="address to listen on (default LIVECUE_HOST, 127.0.0.1; 0.0.0.0 in a container)")
    demo.add_argument("--port", type=int, default=None, help="port (default LIVECUE_PORT, 8000)")
    demo.add_argument("--data-dir", type=Path, default=None,
                      help="where the demo keeps its data (default LIVECUE_DATA_DIR, ./livecue-data)")
    demo.add_argument("--reset", action="store_true",
                      help="remove the demo's data (database, media, key, logins) first and start afresh")
    demo.add_argument("--start-in", type=float, default=None, metavar="MINUTES",
                      help="plan the demo event MINUTES from now (first launch: 15)")

    db = sub.add_parser("db", help="database schema")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply migrations")
    db_sub.add_parser("current", help="print the schema revision")

    users = sub.add_parser("users", help="accounts")
    users_sub = users.add_subparsers(dest="users_command", required=True)
    add = users_sub.add_parser("add", help="add an account")
    add.add_argument("username")
    add.add_argument("--name", default=None, help="display name (default: the username)")
    add.add_argument("--role", action="append", required=True, choices=["admin", "comms", "clinical"],
                     help="a role; repeat for several")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    users_sub.add_parser("list", help="list accounts")

    schedule = sub.add_parser("schedule", help="event schedules (YAML)")
    sched_sub = schedule.add_subparsers(dest="schedule_command", required=True)
    check = sched_sub.add_parser("check", help="validate a schedule; prints FILE:LINE: field: message")
    check.add_argument("path", type=Path)
    sched_sub.add_parser("schema", help="print the JSON Schema of the schedule format")
    imp = sched_sub.add_parser("import", help="import a schedule into the database (idempotent)")
    imp.add_argument("path", type=Path)
    imp.add_argument("--as", dest="as_user", default=None, help="username recorded as the author")

    recap = sub.add_parser("recap", help="write an event's recap (figures, plots, thread, holds) to a file")
    recap.add_argument("event", metavar="EVENT", help="the event's id or slug")
    recap.add_argument("--format", choices=FORMATS, default="html",
                       help="html: one self-contained file (inline SVG and CSS); csv or json: the figures")
    recap.add_argument("--out", type=Path, default=None, metavar="PATH", help="file to write (default: stdout)")

    bench = sub.add_parser("bench", help="run every benchmark (from a source checkout) and print a table")
    bench.add_argument("--only", nargs="*", default=None)

    for name, text in (("screen", "screen text for patient identifiers (one per line)"),
                       ("triage", "label audience messages (one per line)")):
        tool = sub.add_parser(name, help=text, add_help=False)
        tool.add_argument("rest", nargs=argparse.REMAINDER)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `livecue` console script."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] == "screen":
        from server.privacy.screen_cli import run_screen

        return run_screen(args_list[1:], sys.stdin, sys.stdout)
    if args_list and args_list[0] == "triage":
        from server.triage.triage_cli import run_triage

        return run_triage(args_list[1:], sys.stdin, sys.stdout)
    args = _parser().parse_args(args_list)
    if args.command == "serve":
        return _serve(Settings(), args.host, args.port)
    if args.command == "demo":
        from server.demo_launch import run_demo

        return run_demo(host=args.host, port=args.port, data_dir=args.data_dir, reset_first=args.reset,
                        start_in=args.start_in)
    if args.command == "db":
        return asyncio.run(_db(args.db_command))
    if args.command == "users":
        return asyncio.run(_users(args))
    if args.command == "schedule":
        return _schedule(args)
    if args.command == "bench":
        return _bench(args.only)
    if args.command == "recap":
        return asyncio.run(run_recap(Settings(), args.event, args.format, args.out, sys.stdout))
    return 2


def _serve(settings: Settings, host: str | None, port: int | None) -> int:
    import uvicorn

    from server.app import create_app
    from server.feed.wsserver import FeedWebSocketProtocol
    from server.logs import configure_logging

    configure_logging(settings.log_level, settings.log_format)
    uvicorn.run(create_app(settings), host=host or settings.host, port=port or settings.port,
                log_config=None, ws=FeedWebSocketProtocol, ws_per_message_deflate=False,
                **settings.proxy_options())
    return 0


async def _db(command: str) -> int:
    from server.db.engine import make_engine
    from server.db.migrate import current_revision, upgrade

    engine = make_engine(Settings())
    try:
        if command == "upgrade":
            await upgrade(engine)
            print(f"schema at {await current_revision(engine)}")
        else:
            print(await current_revision(engine) or "empty")
    finally:
        await engine.dispose()
    return 0


async def _users(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from server.auth import service as auth_service
    from server.auth.schemas import UserCreate
    from server.db.session_scope import session_scope
    from server.errors import LivecueError

    settings = Settings()
    async with session_scope(settings) as session:
        if args.users_command == "list":
            from sqlalchemy import select

            from server.models import User

            for user in (await session.execute(select(User).order_by(User.username))).scalars():
                print(f"{user.username}\t{','.join(user.roles)}\t{user.display_name}")
            return 0
        if args.password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass(f"password for {args.username}: ")
        try:
            data = UserCreate(username=args.username, display_name=args.name or args.username,
                              password=password, roles=args.role)
            await auth_service.create_user(session, username=data.username, display_name=data.display_name,
                                           password=data.password, roles=data.roles)
        except ValidationError as exc:
            err = exc.errors()[0]
            print(f"livecue users add: {'.'.join(map(str, err['loc']))}: {err['msg']}", file=sys.stderr)
            return 1
        except LivecueError as exc:
            print(f"livecue users add: {exc.detail}", file=sys.stderr)
            return 1
    print(f"added {args.username} ({', '.join(sorted(set(args.role)))})")
    return 0


def _bench(only: list[str] | None) -> int:
    import subprocess

    runner = Path(__file__).resolve().parents[1] / "bench" / "run.py"
    if not runner.exists():
        print("livecue bench: bench/run.py not found (run from a source checkout)", file=sys.stderr)
        return 2
    return subprocess.call([sys.executable, str(runner), *(["--only", *only] if only else [])])


def _schedule(args: argparse.Namespace) -> int:
    if args.schedule_command == "check":
        from server.schedules.cli import run_check

        return run_check(args.path)
    if args.schedule_command == "schema":
        from server.schedules.cli import run_schema

        return run_schema(sys.stdout)
    from server.schedules.importer import run_import

    return asyncio.run(run_import(Settings(), args.path, as_user=args.as_user))
