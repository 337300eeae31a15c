"""What the app builds at startup and shares with every request."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from server.config import Settings


@dataclass
class AppState:
    """Engine, session factory and long-lived services, built in the lifespan."""

    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    services: dict[str, Any] = field(default_factory=dict)
