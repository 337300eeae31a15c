"""The explicit registry of platform adapters: one builder per platform name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.platforms.base import Platform
from server.platforms.sandbox import FaultPlan, SandboxPlatform
from server.publishing.credentials import CredentialsConfig, DbCredentialStore

Builder = Callable[["AdapterRegistry", str, bool], Platform]


def _sandbox(registry: AdapterRegistry, account: str, rehearsal: bool) -> Platform:
    return SandboxPlatform(registry.sessionmaker, handle=account, faults=registry.sandbox_faults,
                           rehearsal=rehearsal)


def _remote(platform: str) -> Builder:
    def build(registry: AdapterRegistry, account: str, rehearsal: bool) -> Platform:
        if rehearsal:
            return _sandbox(registry, account, rehearsal)
        secrets = registry.credentials.for_account(platform, account)
        store = DbCredentialStore(registry.sessionmaker, registry.credentials, platform, account)
        base_url = secrets.get("base_url", "")
        if platform == "bluesky":
            from server.platforms.bluesky import BlueskyAdapter

            return BlueskyAdapter(base_url=base_url, credentials=store, client=registry.http)
        if platform == "mastodon":
            from server.platforms.mastodon import MastodonAdapter

            return MastodonAdapter(base_url=base_url, credentials=store, client=registry.http)
        from server.platforms.x import XAdapter

        return XAdapter(base_url=base_url or "https://api.x.com", credentials=store,
                        client=registry.http)

    return build


BUILDERS: dict[str, Builder] = {
    "sandbox": _sandbox,
    "bluesky": _remote("bluesky"),
    "mastodon": _remote("mastodon"),
    "x": _remote("x"),
}


@dataclass
class AdapterRegistry:
    """Builds (and caches) one adapter per platform account; rehearsals always go to the sandbox."""

    sessionmaker: async_sessionmaker[AsyncSession]
    credentials: CredentialsConfig
    http: httpx.AsyncClient = field(default_factory=lambda: httpx.AsyncClient(timeout=httpx.Timeout(30.0)))
    sandbox_faults: FaultPlan = field(default_factory=FaultPlan)
    overrides: dict[tuple[str, str], Platform] = field(default_factory=dict)
    _cache: dict[tuple[str, str, bool], Any] = field(default_factory=dict)

    def get(self, platform: str, account: str, *, rehearsal: bool = False) -> Platform:
        """The adapter for this account (tests may register overrides)."""
        if (platform, account) in self.overrides and not rehearsal:
            return self.overrides[(platform, account)]
        key = (platform, account, rehearsal)
        if key not in self._cache:
            self._cache[key] = BUILDERS[platform](self, account, rehearsal)
        adapter: Platform = self._cache[key]
        return adapter

    def is_configured(self, platform: str, account: str) -> bool:
        """Whether posting to this account can work (sandbox always can)."""
        if platform == "sandbox" or (platform, account) in self.overrides:
            return True
        return bool(self.credentials.for_account(platform, account))

    def reload(self, credentials: CredentialsConfig) -> None:
        """Use freshly read secrets (a reconnect): adapters are rebuilt so none keeps the old ones."""
        self.credentials = credentials
        self._cache.clear()

    async def aclose(self) -> None:
        """Close the shared HTTP client."""
        await self.http.aclose()
