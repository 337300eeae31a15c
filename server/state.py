"""What the app builds at startup and shares with every request, as typed fields, and the dependencies that hand
the common ones to routes.

It used to be a `services: dict[str, Any]`: a misspelt key was a KeyError at request time and every reader cast
what it got. Now mypy checks each use. `server/workers.py: build_state` builds it in the lifespan; routes take
`ClockDep`, `RegistryDep`, `FeedDep`, `MediaStoreDep` or the whole `StateDep` instead of reaching into
`request.app.state`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.requests import HTTPConnection

from server.clock import Clock
from server.config import Settings
from server.feed.hub import FeedHub
from server.media.store import MediaStore
from server.platforms.registry import AdapterRegistry

if TYPE_CHECKING:  # types only: the state is built by server/workers.py, which imports these at run time
    from server.auth.throttle import LoginLimiter
    from server.db.notify import JournalNotifier
    from server.live.scheduler import Scheduler
    from server.livepage.hub import LivePageHub
    from server.metrics.sampler import Sampler
    from server.publishing.dispatcher import Dispatcher
    from server.publishing.preupload import PreUploader
    from server.questions.intake import FormIntake
    from server.questions.poller import Poller
    from server.ratelimit import SlidingWindow
    from server.workers import Workers


@dataclass
class AppState:
    """Engine, session factory and the long-lived services of one process, built in the lifespan."""

    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    clock: Clock  # the one its sessions carry (server/clock.py)
    registry: AdapterRegistry
    media_store: MediaStore
    dispatcher: Dispatcher
    scheduler: Scheduler
    poller: Poller
    preuploader: PreUploader
    sampler: Sampler
    feed: FeedHub
    journal_notifier: JournalNotifier
    live_page: LivePageHub
    form_intake: FormIntake
    form_sender_key: bytes  # keys the public form's sender hashes (server/questions/senders.py)
    login_limiter: LoginLimiter
    form_limiter: SlidingWindow
    sandbox_reply_limiter: SlidingWindow
    workers: Workers | None = None  # set once built: /metrics reports which singletons this replica holds


def app_state(connection: HTTPConnection) -> AppState:
    """The app's state, for an HTTP request or a WebSocket alike."""
    state: AppState = connection.app.state.livecue
    return state


def _clock(state: StateDep) -> Clock:
    return state.clock


def _registry(state: StateDep) -> AdapterRegistry:
    return state.registry


def _feed(state: StateDep) -> FeedHub:
    return state.feed


def _media_store(state: StateDep) -> MediaStore:
    return state.media_store


StateDep = Annotated[AppState, Depends(app_state)]
ClockDep = Annotated[Clock, Depends(_clock)]
RegistryDep = Annotated[AdapterRegistry, Depends(_registry)]
FeedDep = Annotated[FeedHub, Depends(_feed)]
MediaStoreDep = Annotated[MediaStore, Depends(_media_store)]
