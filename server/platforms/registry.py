"""The explicit registry of platform adapters: a plain `{name: builder}` dict, and the per-account cache."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.platforms.base import Platform
from server.platforms.credentials import CredentialsConfig, DbCredentialStore
from server.platforms.sandbox import FaultPlan, SandboxPlatform
from server.platforms.sent import SignallingTransport

Builder = Callable[["AdapterRegistry", str], Platform]


def _sandbox(registry: AdapterRegistry, account: str, rehearsal: bool = False) -> Platform:
    return SandboxPlatform(registry.sessionmaker, handle=account, faults=registry.sandbox_faults,
                           rehearsal=rehearsal)


def _store(registry: AdapterRegistry, platform: str, account: str,
           rotates: bool = True) -> tuple[dict[str, str], DbCredentialStore]:
    secrets = registry.credentials.for_account(platform, account)
    return secrets, DbCredentialStore(registry.sessionmaker, registry.credentials, platform, account, rotates=rotates)


# The adapters are imported when first built: a process posting only to the sandbox never loads the others.
def _bluesky(registry: AdapterRegistry, account: str) -> Platform:
    from server.platforms.bluesky import BlueskyAdapter

    secrets, store = _store(registry, "bluesky", account)
    return BlueskyAdapter(base_url=secrets.get("base_url", ""), credentials=store, client=registry.http)


def _mastodon(registry: AdapterRegistry, account: str) -> Platform:
    from server.platforms.mastodon import MastodonAdapter

    secrets, store = _store(registry, "mastodon", account, rotates=False)  # a long-lived token: read once
    return MastodonAdapter(base_url=secrets.get("base_url", ""), credentials=store, client=registry.http)


def _x(registry: AdapterRegistry, account: str) -> Platform:
    from server.platforms.x import XAdapter

    secrets, store = _store(registry, "x", account)
    return XAdapter(base_url=secrets.get("base_url") or "https://api.x.com", credentials=store, client=registry.http)


BUILDERS: dict[str, Builder] = {"sandbox": _sandbox, "bluesky": _bluesky, "mastodon": _mastodon, "x": _x}


@dataclass
class AdapterRegistry:
    """Builds (and caches) one adapter per platform account; rehearsals always go to the sandbox."""

    sessionmaker: async_sessionmaker[AsyncSession]
    credentials: CredentialsConfig
    http: httpx.AsyncClient = field(default_factory=lambda: httpx.AsyncClient(timeout=httpx.Timeout(30.0),
                                                                               transport=SignallingTransport()))
    sandbox_faults: FaultPlan = field(default_factory=FaultPlan)
    overrides: dict[tuple[str, str], Platform] = field(default_factory=dict)
    _cache: dict[tuple[str, str, bool], Any] = field(default_factory=dict)

    def get(self, platform: str, account: str, *, rehearsal: bool = False) -> Platform:
        """The adapter for this account (tests may register overrides)."""
        if (platform, account) in self.overrides and not rehearsal:
            return self.overrides[(platform, account)]
        key = (platform, account, rehearsal)
        if key not in self._cache:
            # A rehearsal posts to the sandbox whatever the platform (ten times faster, never in public).
            self._cache[key] = _sandbox(self, account, rehearsal) if rehearsal else BUILDERS[platform](self, account)
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
