"""No anonymous request can stall the event: hostile bodies to every public route, while the event runs.

A real server (uvicorn on a loopback port) and a live event: a console listens on the feed and the operator cues
an item while the 10.7 MB body of 900,000 unknown keys, a 50 MB body (each also chunked, without a length) and a
slow drip go to every anonymous route at once. Every hostile request is refused (413, or 408 for the drip), the
cue posts and reaches the console. Timing and memory figures are in `bench/hostile_bench.py`, not asserted here.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from server.clock import FakeClock
from tests.feed.test_ws_feed import Feed, serve, token_of
from tests.livekit import prepare
from tests.security.hostile import KINDS, anonymous_routes, send

EXPECTED = {"many-keys": 413, "many-keys-chunked": 413, "50MB": 413, "50MB-chunked": 413, "slow-drip": 408}


@pytest.mark.parametrize("settings_overrides", [{"body_timeout_seconds": 1.0}])
async def test_hostile_bodies_are_refused_while_the_cue_posts(app: FastAPI, clock: FakeClock,
                                                              sessionmaker: Any) -> None:
    async with serve(app) as base, AsyncClient(base_url=f"http://{base}", trust_env=False) as http:
        kit = await prepare(http, app, clock, sessionmaker, offsets=[None], cues=["scrubbed in"])
        eid = kit.event["id"]
        assert (await kit.post(f"/api/events/{eid}/live/go")).status_code == 200
        console = await Feed.open(base, token=token_of(kit.comms), event_id=eid)
        await console.caught_up()
        routes = anonymous_routes(app, {"slug": kit.event["slug"], "sha256": "0" * 64, "path": "css/base.css"})
        assert len(routes) >= 12 and ("POST", f"/api/public/events/{kit.event['slug']}/questions") in routes

        async def operator() -> None:
            await asyncio.sleep(0.2)  # the attack is under way
            cued = await kit.post(f"/api/events/{eid}/live/cue-next")
            assert cued.status_code == 200, cued.text
            await kit.pump()

        outcomes, _ = await asyncio.gather(
            asyncio.gather(*(send(base, method, path, kind) for method, path in routes for kind in KINDS)),
            operator())

        wrong = [o for o in outcomes if o.status != EXPECTED[o.kind]]
        assert wrong == [], wrong
        assert Counter(o.kind for o in outcomes) == dict.fromkeys(KINDS, len(routes))
        assert all(o.sent < 8 * 1024 * 1024 for o in outcomes)  # nobody had to send the whole body to be refused
        assert "delivery.posted" in await console.kinds_until("delivery.posted")
        posts = await kit.sandbox_posts()
        assert [p.text.split(":")[0] for p in posts] == ["Update 1"]
        assert (await http.get("/healthz")).status_code == 200  # and the server still answers
        await console.close()
