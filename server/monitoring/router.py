"""GET /metrics: Prometheus scrapes, behind a bearer token (LIVECUE_METRICS_TOKEN).

No token configured: the route answers 404, as if it did not exist (metrics name events' load and queues; they
are not public). A wrong or missing token: 401. The token is compared in constant time and never logged.
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request, Response

from server.auth.deps import PUBLIC
from server.db.session import DbSession
from server.errors import NotAuthenticated, NotFound
from server.monitoring import figures
from server.monitoring.exposition import CONTENT_TYPE, ProcessFigures, render
from server.state import AppState, ClockDep

router = APIRouter(tags=["health"], include_in_schema=False)


def _check_token(request: Request) -> None:
    configured = request.app.state.livecue.settings.metrics_token
    if configured is None or not configured.get_secret_value():
        raise NotFound("not found")
    header = request.headers.get("authorization", "")
    given = header[7:].strip() if header.lower().startswith("bearer ") else ""
    if not hmac.compare_digest(given.encode(), configured.get_secret_value().encode()):
        raise NotAuthenticated("metrics need the bearer token of LIVECUE_METRICS_TOKEN")


def process_figures(request: Request) -> ProcessFigures:
    """This replica's own figures, from its running services."""
    state: AppState = request.app.state.livecue
    locks = state.workers.locks if state.workers is not None else []
    return ProcessFigures(
        feed_clients=len(state.feed.subscribers),
        feed_drops=state.feed.dropped,
        poll_errors=state.poller.failures.total,
        singletons={lock.name: lock.holding for lock in locks},
    )


@router.get("/metrics", dependencies=[PUBLIC])
async def metrics(request: Request, clock: ClockDep, session: DbSession) -> Response:
    """The Prometheus text exposition: outbox, delivery latency, ingest, queue, feed and poll figures."""
    _check_token(request)
    now = clock.now()
    shared = await figures.read(session, now)
    return Response(render(shared, process_figures(request)), media_type=CONTENT_TYPE)
