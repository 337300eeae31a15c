"""The recap page in Chromium: the four plots visible (screenshot in test-artifacts/), thread and holds listed,
axe-core clean, and no request blocked by the strict CSP."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from server.config import Settings
from server.db.engine import make_engine, make_sessionmaker
from server.db.session_scope import transaction
from server.models import Delivery, EngagementSample, Event, FollowerSample
from tests.ui.conftest import screenshot
from tests.ui.harness import Api, LiveServer, expect
from tests.ui.questions_kit import audience_reply, live_event_with_post, wait_for

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
RUN_AXE = """async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations
  .map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }))"""


async def _seed_samples(settings: Settings, event_id: int) -> None:
    """An hour of follower and engagement samples, as the sampler would have stored them every ten minutes."""
    engine = make_engine(settings)
    try:
        async with transaction(make_sessionmaker(engine, settings)) as session:
            event = await session.get(Event, event_id)
            assert event is not None and event.live_since is not None
            delivery = (await session.execute(select(Delivery).where(
                Delivery.event_id == event_id, Delivery.status == "posted"))).scalars().first()
            assert delivery is not None
            for n in range(7):
                at = event.live_since + timedelta(minutes=10 * n)
                session.add(FollowerSample(event_id=event_id, platform="sandbox", account="ward", at=at,
                                           followers=15_000 + 180 * n * n))
                session.add(EngagementSample(event_id=event_id, delivery_id=delivery.id, platform="sandbox", at=at,
                                             likes=12 * n, reposts=3 * n, replies=n, quotes=0))
    finally:
        await engine.dispose()


def test_recap_page_shows_the_plots_and_passes_axe(open_page: Callable[..., Any], apis: dict[str, Api],
                                                   server: LiveServer) -> None:
    event, anchor = live_event_with_post(apis, "Recap drill", "Opening the valve now. #LiveOR")
    audience_reply(server.url, anchor["id"], "carla_q", "Carla", "How long does the repair take?")
    wait_for(lambda: len(apis["comms"].call("GET", f"/api/events/{event['id']}/questions")) == 1 or None)
    apis["comms"].call("POST", f"/api/events/{event['id']}/live/hold", json={})
    apis["comms"].call("POST", f"/api/events/{event['id']}/live/resume", json={"confirm": True})
    apis["comms"].call("POST", f"/api/events/{event['id']}/live/end", json={})
    with ThreadPoolExecutor(max_workers=1) as pool:  # Playwright's sync API keeps an event loop in this thread
        pool.submit(asyncio.run, _seed_samples(server.settings, event["id"])).result()

    page = open_page(f"/console/recap/{event['id']}", user="comms", height=900,
                     before=lambda context: context.add_init_script(path=str(AXE)))
    expect(page.locator("h1")).to_contain_text("Recap drill")
    charts = page.locator("figure svg[role=img]")
    expect(charts).to_have_count(4)
    for n in range(4):
        expect(charts.nth(n)).to_be_visible()
    expect(page.locator("svg polyline")).to_have_count(1)  # the followers line
    expect(page.locator("#h-thread + table")).to_contain_text("Opening the valve now.")
    expect(page.locator("#h-moments + table")).to_contain_text("hold")
    expect(page.locator("#h-moments + table")).to_contain_text("resume")
    page.wait_for_timeout(200)
    assert page.evaluate(RUN_AXE) == []
    assert page.errors == []
    screenshot(page, "recap-plots")
