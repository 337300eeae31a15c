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
    state = request.app.state.livecue
    services = state.services
    hub, poller = services.get("feed"), services.get("poller")
    workers = services.get("workers")
    return ProcessFigures(
        feed_clients=len(hub.subscribers) if hub is not None else 0,
        feed_drops=getattr(hub, "dropped", 0),
        poll_errors=poller.failures.total if poller is not None else 0,
        singletons={lock.name: lock.holding for lock in getattr(workers, "locks", [])},
    )


@router.get("/metrics", dependencies=[PUBLIC])
async def metrics(request: Request, session: DbSession) -> Response:
    """The Prometheus text exposition: outbox, delivery latency, ingest, queue, feed and poll figures."""
    _check_token(request)
    now = request.app.state.livecue.services["clock"].now()
    shared = await figures.read(session, now)
    return Response(render(shared, process_figures(request)), media_type=CONTENT_TYPE)
