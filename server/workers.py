"""Long-lived services built at startup (clock, registry, feed hub, ...) and the one loop every worker runs in.

The dispatcher, scheduler, poller and pre-uploader each give one round (`once`), a pause (`interval`) and an
event that cuts the pause short (`wake`); `run_forever` runs them all the same way and logs failed rounds
through their `LoopFailures` (four hand-written loops used to differ in when they cleared `wake`, whether a
busy round went again at once and how they stopped). `Workers` iterates its `loops`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from server.auth.throttle import LoginLimiter
from server.clock import Clock
from server.config import Settings
from server.db.engine import make_read_sessionmaker, make_sessionmaker
from server.db.notify import JournalNotifier
from server.db.singleton import SingletonLock, only_one
from server.feed.hub import FeedHub
from server.live.scheduler import Scheduler
from server.livepage.hub import LivePageHub
from server.loopfailures import LoopFailures
from server.media.assets import media_store
from server.metrics.sampler import ROUND_SECONDS, Sampler
from server.platforms.credentials import CredentialsConfig
from server.platforms.registry import AdapterRegistry
from server.platforms.sandbox.faults import FaultPlan
from server.publishing.dispatcher import Dispatcher
from server.publishing.preupload import PreUploader
from server.questions.intake import FormIntake
from server.questions.poller import Poller
from server.questions.senders import sender_key
from server.ratelimit import SlidingWindow
from server.secret_key import settings_key
from server.state import AppState

# Workers that must run in one replica at a time (server/db/singleton.py): their round (`once`) runs only where
# the PostgreSQL advisory lock of their name is held. The dispatcher and pre-uploader are multi-active (leases).
SINGLETONS = ("scheduler", "poller", "sampler")

Round = Callable[[], Awaitable[object]]


async def run_forever(once: Round, interval: float, wake: asyncio.Event, *, failures: LoopFailures) -> None:
    """Run `once` round after round until the task is cancelled.

    A round whose result is true (work still waiting) is followed by the next at once; otherwise the loop
    pauses `interval` seconds or until `wake` is set. `wake` is cleared before each round, so a poke that lands
    while a round runs (a commit after the round's query) is kept and starts the next one. A failed round never
    ends the loop: `failures` logs it without flooding (server/loopfailures.py) and the loop pauses as after an
    idle round. A round that reported failures of its own (the poller reports each event's) is no success.
    """
    while True:
        wake.clear()
        failed_before = failures.failing
        try:
            busy = await once()
        except Exception as exc:
            failures.failed(exc)
            busy = False
        else:
            if failures.failing == failed_before:
                failures.succeeded()
        if not busy:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=interval)


class Worker(Protocol):
    """A service the loop runs: `once()` is a round (true: more waits now), `interval` the pause in seconds."""

    interval: float
    wake: asyncio.Event
    failures: LoopFailures

    async def once(self) -> bool:
        """One round."""
        ...


@dataclass(frozen=True)
class Loop:
    """One background loop of this process: its name, its round, its pause, what wakes it and its failure log."""

    name: str
    once: Round
    interval: float
    wake: asyncio.Event
    failures: LoopFailures

    @classmethod
    def of(cls, name: str, worker: Worker) -> Loop:
        """The loop of a service that follows `Worker`."""
        return cls(name, worker.once, worker.interval, worker.wake, worker.failures)


@dataclass
class Workers:
    """Background loops of one process; those named in SINGLETONS run in one replica at a time."""

    state: AppState
    loops: list[Loop] = field(default_factory=list)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    locks: list[SingletonLock] = field(default_factory=list)

    async def start(self, run_loops: bool) -> None:
        """Start the feed hubs always, and every loop when asked (`run_workers`)."""
        state = self.state
        await state.feed.start()
        await state.journal_notifier.start()  # PostgreSQL: the feed wakes on other replicas' commits
        await state.live_page.start()
        if run_loops:
            # This process's rounds will send what a cue claims in its own transaction (Dispatcher.claim_ahead).
            state.dispatcher.claims_ahead = any(loop.name == "dispatcher" for loop in self.loops)
            url = self.state.settings.resolved_database_url()
            for loop in self.loops:
                once = loop.once
                if loop.name in SINGLETONS:
                    lock = SingletonLock(loop.name, url)
                    self.locks.append(lock)
                    once = only_one(once, lock)
                self.tasks.append(asyncio.create_task(
                    run_forever(once, loop.interval, loop.wake, failures=loop.failures), name=f"livecue-{loop.name}"))

    async def stop(self) -> None:
        """Stop loops (cancelled, mid-round if need be: every round is safe to cut short) and close clients."""
        state = self.state
        for task in self.tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for lock in self.locks:
            await lock.release()
        await state.journal_notifier.stop()
        await state.feed.stop()
        await state.live_page.stop()
        await state.registry.aclose()


def build_state(settings: Settings, engine: AsyncEngine, clock: Clock) -> AppState:
    """Build every long-lived service of the process (nothing connects yet; tests may replace adapters after)."""
    sessionmaker = make_sessionmaker(engine, settings, clock)
    credentials = CredentialsConfig.load(settings.secrets_file, settings_key(settings))
    registry = AdapterRegistry(sessionmaker=sessionmaker, credentials=credentials, sandbox_faults=FaultPlan.from_env())
    store = media_store(settings.data_dir)
    dispatcher = Dispatcher(sessionmaker, registry, store, clock=clock, lease_seconds=settings.delivery_lease_seconds)
    feed = FeedHub(make_read_sessionmaker(engine, settings, clock))
    live_page = LivePageHub(make_read_sessionmaker(engine, settings, clock),
                            max_clients=settings.live_sse_max_clients, queue_size=settings.live_sse_queue)

    def remote_commit(seq: int) -> None:  # another replica's journal commit wakes both journal readers
        feed.remote_commit(seq)
        live_page.remote_commit(seq)

    notifier = JournalNotifier(settings.resolved_database_url(), remote_commit)
    feed.announce = notifier.notify  # NOTIFY after this process's journal commits
    return AppState(
        settings=settings, engine=engine, sessionmaker=sessionmaker, clock=clock,
        registry=registry, media_store=store, dispatcher=dispatcher,
        scheduler=Scheduler(sessionmaker, clock, on_queued=dispatcher.wake.set),
        poller=Poller(sessionmaker, registry, interval=settings.poll_interval_seconds,
                      max_fetches=settings.poll_max_fetches),
        preuploader=PreUploader(sessionmaker, registry, store, clock),
        sampler=Sampler(sessionmaker, registry, clock, interval_seconds=settings.metrics_interval_seconds,
                        after_end=timedelta(hours=settings.metrics_after_end_hours)),
        feed=feed, journal_notifier=notifier,
        live_page=live_page,
        form_intake=FormIntake.for_settings(sessionmaker, settings),  # group commit of the public form
        form_sender_key=sender_key(settings),
        login_limiter=LoginLimiter(),
        form_limiter=SlidingWindow(settings.public_form_per_minute, 60.0),
        sandbox_reply_limiter=SlidingWindow(settings.sandbox_replies_per_minute, 60.0),
    )


def build_workers(state: AppState) -> Workers:
    """The loops of this process over `state`'s services (started by `Workers.start`)."""
    sampler = state.sampler
    workers = Workers(state, loops=[
        Loop.of("dispatcher", state.dispatcher), Loop.of("scheduler", state.scheduler),
        Loop.of("poller", state.poller), Loop.of("preuploader", state.preuploader),
        Loop("sampler", sampler.once, ROUND_SECONDS, sampler.wake, sampler.failures),
    ])
    state.workers = workers
    return workers
