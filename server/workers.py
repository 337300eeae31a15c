"""Long-lived services built at startup: clock, registry, dispatcher, scheduler and the feed hub."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

from server.db.engine import make_read_sessionmaker
from server.db.singleton import SingletonLock, only_one
from server.live.feed import FeedHub
from server.live.scheduler import Scheduler
from server.media.assets import media_store
from server.platforms.sandbox.faults import FaultPlan
from server.publishing.credentials import CredentialsConfig
from server.publishing.dispatcher import Dispatcher
from server.publishing.preupload import PreUploader
from server.publishing.registry import AdapterRegistry
from server.questions.poller import Poller
from server.questions.ratelimit import WindowLimiter
from server.sandbox.ratelimit import ReplyLimiter
from server.secret_key import settings_key
from server.state import AppState

# Workers that must run in one replica at a time (server/db/singleton.py): their round (`tick`) runs only where
# the PostgreSQL advisory lock of their name is held. The dispatcher and pre-uploader are multi-active (leases).
SINGLETONS = ("scheduler", "poller")


@dataclass
class Workers:
    """Background loops of one process; those named in SINGLETONS run in one replica at a time."""

    state: AppState
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    locks: list[SingletonLock] = field(default_factory=list)

    async def start(self, run_loops: bool) -> None:
        """Start the feed hub always, and the dispatcher and scheduler loops when asked."""
        services = self.state.services
        await services["feed"].start()
        if run_loops:
            url = self.state.settings.resolved_database_url()
            for name in SINGLETONS:
                lock = SingletonLock(name, url)
                self.locks.append(lock)
                services[name].tick = only_one(services[name].tick, lock)
            self.tasks.append(asyncio.create_task(services["dispatcher"].run_forever()))
            self.tasks.append(asyncio.create_task(services["scheduler"].run_forever()))
            self.tasks.append(asyncio.create_task(services["poller"].run_forever()))
            self.tasks.append(asyncio.create_task(services["preuploader"].run_forever()))

    async def stop(self) -> None:
        """Stop loops and close clients."""
        services = self.state.services
        services["dispatcher"].stop()
        services["scheduler"].stop()
        services["poller"].stop()
        services["preuploader"].stop()
        for task in self.tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for lock in self.locks:
            await lock.release()
        await services["feed"].stop()
        await services["registry"].aclose()


def build_workers(state: AppState) -> Workers:
    """Build the services into `state.services` (tests may replace adapters after this)."""
    settings = state.settings
    services = state.services
    clock = services["clock"]  # set by create_app: the one its sessions carry
    credentials = CredentialsConfig.load(settings.secrets_file, settings_key(settings))
    registry = AdapterRegistry(sessionmaker=state.sessionmaker, credentials=credentials,
                               sandbox_faults=FaultPlan.from_env())
    store = media_store(settings.data_dir)
    dispatcher = Dispatcher(state.sessionmaker, registry, store, clock=clock,
                            lease_seconds=settings.delivery_lease_seconds)
    services.update(
        media_store=store, registry=registry, dispatcher=dispatcher,
        feed=FeedHub(make_read_sessionmaker(state.engine, settings, clock)),
        scheduler=Scheduler(state.sessionmaker, clock, on_queued=dispatcher.wake.set),
        poller=Poller(state.sessionmaker, registry, interval=settings.poll_interval_seconds,
                      max_fetches=settings.poll_max_fetches),
        preuploader=PreUploader(state.sessionmaker, registry, store, clock),
        form_limiter=WindowLimiter(limit=settings.public_form_per_minute, window=60.0),
        sandbox_reply_limiter=ReplyLimiter(limit=settings.sandbox_replies_per_minute),
    )
    workers = Workers(state)
    services["workers"] = workers  # /metrics reports which singletons this replica holds
    return workers
