"""The one place that builds the application."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from sqlalchemy import text

from server.auth.deps import PUBLIC
from server.auth.router import router as auth_router
from server.clock import Clock, SystemClock
from server.config import Settings
from server.consent.router import router as consent_router
from server.db.engine import make_engine
from server.db.migrate import upgrade
from server.db.session import DbSession
from server.errors import install_error_handlers
from server.events.router import router as events_router
from server.feed.router import router as ws_router
from server.inputs import refuse_nul
from server.limits import BodyLimits, Limits, has_session
from server.live.router import router as live_router
from server.livepage.edge import LivePageEdge
from server.livepage.router import router as livepage_router
from server.media.router import router as media_router
from server.monitoring.requestids import RequestIds
from server.monitoring.router import router as monitoring_router
from server.pages.assets import AssetEdge
from server.pages.router import router as pages_router
from server.pages.snapshot import router as snapshot_router
from server.publishing.router import router as publishing_router
from server.questions.public_form import PublicFormEdge
from server.questions.router import router as questions_router
from server.recap.router import router as recap_router
from server.sandbox.router import router as sandbox_router
from server.security import install_security_headers
from server.timeline.router import router as timeline_router
from server.triage.triage import warm_up as warm_up_triage
from server.workers import build_state, build_workers

log = logging.getLogger("livecue")


async def warm_up_then_freeze() -> None:
    """Triage's warm-up, then every object alive (modules, models, the triage model's tables) moved out of the
    garbage collector's reach (`gc.freeze`): a full collection no longer walks them. Measured on the cue path
    (issue 19, bench/cue_to_request.py): each full collection of a serving process stopped everything for
    100-900 ms on the bench's shared machine, and three of them fell on cues in a run of 100."""
    await warm_up_triage()
    gc.freeze()


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """Build the FastAPI app; the database is connected only when the app starts."""
    settings = settings or Settings()
    app_clock: Clock = clock or SystemClock()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings)
        if settings.migrate_on_start:
            await upgrade(engine)
        state = build_state(settings, engine, app_clock)
        workers = build_workers(state)
        app.state.livecue = state
        warm_up: asyncio.Task[None] | None = None
        try:
            await workers.start(settings.run_workers)
            if settings.run_workers:  # a serving process; with loops off (tests) triage compiles on first use
                warm_up = asyncio.create_task(warm_up_then_freeze())  # 2 s after start (see warm_up's docstring)
            yield
        finally:
            if warm_up is not None:
                warm_up.cancel()
            await state.form_intake.stop()  # commits the questions already waiting
            await workers.stop()
            await engine.dispose()

    app = FastAPI(title="Livecue", version="0.1.0", lifespan=lifespan, dependencies=[Depends(refuse_nul)],
                  docs_url=None, redoc_url=None,  # served from local files by server/pages/docs.py
                  description="Safe live posting of hospital events, with audience Q&A for clinicians.")
    install_error_handlers(app)
    app.add_middleware(PublicFormEdge)  # innermost: well-formed public form posts without routing (see the module)
    install_security_headers(app)
    app.add_middleware(BodyLimits, limits=Limits.from_settings(settings), signed_in=has_session)  # outermost
    app.add_middleware(AssetEdge)  # the pages' shells and files from memory, without routing (see the module)
    app.add_middleware(RequestIds)  # outside even the body limits: every answer and log line carries its id
    app.add_middleware(LivePageEdge)  # public pages' 304s and event streams, from memory, before everything else

    @app.get("/healthz", tags=["health"], dependencies=[PUBLIC])
    async def healthz(session: DbSession) -> dict[str, str]:
        """200 when the database answers."""
        await session.execute(text("SELECT 1"))
        return {"status": "ok"}

    app.include_router(auth_router)
    app.include_router(events_router)
    app.include_router(timeline_router)
    app.include_router(consent_router)
    app.include_router(media_router)
    app.include_router(publishing_router)
    app.include_router(live_router)
    app.include_router(ws_router)
    app.include_router(questions_router)
    app.include_router(sandbox_router)
    app.include_router(livepage_router)
    app.include_router(recap_router)
    app.include_router(snapshot_router)
    app.include_router(pages_router)
    app.include_router(monitoring_router)
    return app
