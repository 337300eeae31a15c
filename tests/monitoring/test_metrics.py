"""GET /metrics: Prometheus text behind a bearer token; figures from the database and this replica."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from httpx import AsyncClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.clock import FakeClock
from server.db.session_scope import transaction
from server.models import Delivery, Message
from tests.factories import create_event, create_user, login

TOKEN = "scrape-me-5d1f0c"
WITH_TOKEN = pytest.mark.parametrize("settings_overrides", [{"metrics_token": TOKEN}])


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


async def test_no_token_configured_is_404(client: AsyncClient) -> None:
    assert (await client.get("/metrics")).status_code == 404
    assert (await client.get("/metrics", headers={"Authorization": "Bearer anything"})).status_code == 404


@WITH_TOKEN
async def test_wrong_or_missing_token_is_401_and_never_logged(client: AsyncClient,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    assert (await client.get("/metrics")).status_code == 401
    wrong = await client.get("/metrics", headers={"Authorization": "Bearer not-it"})
    assert wrong.status_code == 401
    assert TOKEN not in wrong.text
    right = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert right.status_code == 200
    assert right.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert TOKEN not in caplog.text


@WITH_TOKEN
async def test_figures(client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession],
                       clock: FakeClock) -> None:
    headers = await login(client, await create_user(sessionmaker, "comms"))
    event = await create_event(client, headers)
    now = clock.now()
    async with transaction(sessionmaker) as session:
        def delivery(status: str, age: float, posted_after: float | None = None, platform: str = "sandbox") -> None:
            created = now - timedelta(seconds=age)
            session.add(Delivery(event_id=event["id"], platform=platform, account="hospital",
                                 idempotency_key=f"k{age}{status}{platform}", text="t", status=status,
                                 created_at=created,
                                 posted_at=created + timedelta(seconds=posted_after) if posted_after else None))

        delivery("pending", 30)
        delivery("pending", 5)
        delivery("posted", 60, posted_after=0.4)
        delivery("posted", 50, posted_after=3.0)
        delivery("posted", 40, posted_after=0.2, platform="mastodon")
        for n, label in enumerate(("question", "question", "emergency")):
            session.add(Message(event_id=event["id"], platform="sandbox", external_id=f"m{n}", author_handle="a",
                                author_name="A", text="how?", received_at=now - timedelta(seconds=3),
                                ingested_at=now - timedelta(seconds=1), label=label, status="queued"))
    response = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.text
    got = _samples(response.text)
    assert got[("livecue_outbox_depth", (("state", "pending"),))] == 2
    assert got[("livecue_outbox_depth", (("state", "posted"),))] == 3
    assert got[("livecue_outbox_oldest_age_seconds", (("state", "pending"),))] == pytest.approx(30, abs=1)
    assert got[("livecue_delivery_latency_seconds_count", (("platform", "sandbox"),))] == 2
    assert got[("livecue_delivery_latency_seconds_bucket", (("le", "0.5"), ("platform", "sandbox")))] == 1
    assert got[("livecue_delivery_latency_seconds_bucket", (("le", "+Inf"), ("platform", "sandbox")))] == 2
    assert got[("livecue_delivery_latency_seconds_count", (("platform", "mastodon"),))] == 1
    assert got[("livecue_question_queue", (("label", "question"),))] == 2
    assert got[("livecue_question_queue", (("label", "emergency"),))] == 1
    assert got[("livecue_ingest_lag_seconds", ())] == pytest.approx(2, abs=0.5)
    assert got[("livecue_ingest_rate_per_second", ())] == pytest.approx(3 / 60)
    assert got[("livecue_messages_ingested_total", ())] == 3
    assert ("livecue_poll_errors_total", ()) in got
    assert got[("livecue_feed_clients", ())] == 0
    assert ("livecue_feed_drops_total", ()) in got
