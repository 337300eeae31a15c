"""Run one Livecue server process for process-level tests: `python -m tests.chaos.launcher --port N`.

Configuration comes from the environment like a real deployment (`LIVECUE_DATABASE_URL`, `LIVECUE_DATA_DIR`,
`LIVECUE_RUN_WORKERS`, ...), plus test hooks applied once the app has started:

- `LIVECUE_SANDBOX_LATENCY_MS`, `LIVECUE_SANDBOX_FAULT_EVERY`, `LIVECUE_SANDBOX_FAULT_KIND`: the sandbox's
  fault plan (`FaultPlan.from_env`);
- `LIVECUE_DELIVERY_LEASE_SECONDS`: the dispatcher's lease, so a killed sender's claim is retaken quickly;
- `LIVECUE_CHAOS_SEND_LOG`: a file where every sandbox publish request is appended (one JSON line:
  pid, idempotency key, time) before the sandbox handles it.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI

from server.app import create_app
from server.platforms import registry as registry_module
from server.platforms.base import PublishRequest, RemoteRef
from server.platforms.registry import AdapterRegistry
from server.platforms.sandbox import FaultPlan, SandboxPlatform


class RecordingSandbox(SandboxPlatform):
    """The sandbox, appending each publish request to a log file shared by every server process."""

    log_path = ""

    async def publish(self, request: PublishRequest) -> RemoteRef:
        """Record the request as it arrives, then publish."""
        line = json.dumps({"pid": os.getpid(), "key": request.idempotency_key, "t": time.time()}) + "\n"
        fd = os.open(self.log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)
        return await super().publish(request)


def _recording_builder(log_path: str) -> registry_module.Builder:
    def build(registry: AdapterRegistry, account: str) -> Any:
        adapter = RecordingSandbox(registry.sessionmaker, handle=account, faults=registry.sandbox_faults)
        adapter.log_path = log_path
        return adapter

    return build


def apply_test_hooks(app: FastAPI) -> None:
    """Configure the started app's sandbox faults, lease and send log from the environment."""
    services = app.state.livecue
    registry: AdapterRegistry = services.registry
    plan = FaultPlan.from_env()
    registry.sandbox_faults.latency_seconds = plan.latency_seconds
    registry.sandbox_faults.every_nth.update(plan.every_nth)
    lease = os.environ.get("LIVECUE_DELIVERY_LEASE_SECONDS")
    if lease:
        services.dispatcher.lease_seconds = float(lease)
    log_path = os.environ.get("LIVECUE_CHAOS_SEND_LOG")
    if log_path:
        registry_module.BUILDERS["sandbox"] = _recording_builder(log_path)


def build_app() -> FastAPI:
    """The real app, with the test hooks applied right after its own startup."""
    app = create_app()
    started = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[None]:
        async with started(application):
            apply_test_hooks(application)
            yield

    app.router.lifespan_context = lifespan
    return app


def main() -> None:
    """Serve on 127.0.0.1."""
    parser = argparse.ArgumentParser(description="Run a Livecue server for process-level tests.")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(build_app(), host="127.0.0.1", port=args.port, log_level="warning", lifespan="on")


if __name__ == "__main__":
    main()
