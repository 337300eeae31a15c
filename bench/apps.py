"""The two servers the ingest and form benches load, run as subprocesses pinned to CPU 0: a bare FastAPI app
taking the same JSON, and the real app on a fresh SQLite file with a batch-ingest route and a setup route."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, Field

from bench.common import free_port, wait_up
from server.platforms.base import IncomingMessage
from server.ratelimit import SlidingWindow


class Batch(BaseModel):
    """A page of messages, parsed into the adapters' own dataclass by both servers."""

    messages: list[IncomingMessage]


class FormBody(BaseModel):
    """The public form's body."""

    name: str = Field(default="", max_length=80)
    text: str = Field(min_length=1, max_length=1000)


def bare_app() -> FastAPI:
    """A bare FastAPI app taking the same JSON."""
    app = FastAPI()

    @app.post("/bench/ingest")
    async def bare_batch(body: Batch) -> dict[str, int]:
        return {"stored": len(body.messages)}

    @app.post("/api/public/events/{slug}/questions", status_code=202)
    async def bare_form(slug: str, body: FormBody) -> dict[str, str]:
        return {"status": "received"}

    return app


def livecue_app(db: Path) -> FastAPI:
    """The real app on a fresh SQLite file (FULL sync), with a batch-ingest route and a setup route."""
    from server.app import create_app
    from server.auth.deps import PUBLIC
    from server.config import Settings
    from server.db.session_scope import transaction
    from server.models import Event
    from server.questions.ingest import ingest

    settings = Settings(database_url=f"sqlite+aiosqlite:///{db}", data_dir=db.parent, run_workers=False,
                        sqlite_synchronous="FULL", _env_file=None)
    app = create_app(settings)

    bench: dict[str, int] = {}  # the event the bench made

    @app.post("/bench/setup", dependencies=[PUBLIC])
    async def setup() -> dict[str, Any]:
        state = app.state.livecue
        state.form_limiter = SlidingWindow(10**9, 60.0)
        async with transaction(state.sessionmaker) as session:
            event = Event(slug="bench", title="Bench", hashtag="#bench", timezone="UTC", status="live",
                          planned_start=datetime.now(UTC))
            session.add(event)
            await session.flush()
            bench["event_id"] = event.id
        return {"slug": "bench"}

    @app.post("/bench/ingest", dependencies=[PUBLIC])
    async def batch(body: Batch) -> dict[str, int]:
        state = app.state.livecue
        async with transaction(state.sessionmaker) as session:
            event = await session.get(Event, bench["event_id"])
            assert event is not None
            result = await ingest(session, event=event, messages=body.messages)
        return {"stored": len(result.stored)}

    return app


def pin(cpus: set[int]) -> None:
    """Run this process on these CPUs (when the machine has more than one)."""
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, cpus)


def serve(kind: str, port: int, db: str) -> None:
    """Run one server on CPU 0."""
    import uvicorn

    pin({0})
    app = bare_app() if kind == "bare" else livecue_app(Path(db))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


@contextlib.asynccontextmanager
async def bench_servers(script: str, tmp: Path, *, shared_db: bool = False
                        ) -> AsyncIterator[tuple[dict[str, int], dict[str, subprocess.Popen[bytes]]]]:
    """Start `script --serve bare|livecue` on free ports (each on its own SQLite file in `tmp`, or one shared),
    wait until both answer, create the bench event on the Livecue one; yields (ports, processes) by kind."""
    ports = {"bare": free_port(), "livecue": free_port()}
    procs = {kind: subprocess.Popen([sys.executable, script, "--serve", kind, "--port", str(port), "--db",
                                     str(tmp / ("http.db" if shared_db else f"{kind}.db"))])
             for kind, port in ports.items()}
    try:
        for port in ports.values():
            await wait_up(port)
        _, writer = await asyncio.open_connection("127.0.0.1", ports["livecue"])
        writer.write(b"POST /bench/setup HTTP/1.1\r\nHost: bench\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        writer.close()
        await asyncio.sleep(0.5)
        yield ports, procs
    finally:
        for proc in procs.values():
            proc.terminate()
            proc.wait(timeout=10)
