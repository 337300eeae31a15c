"""Platform credentials: configured per account in a secrets file, rotated tokens encrypted in the database."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.db.session_scope import reading, transaction
from server.models import PlatformToken


@dataclass
class CredentialsConfig:
    """Secrets per `platform:account` from the secrets file, plus the cipher for stored tokens."""

    key: bytes
    accounts: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def load(cls, secrets_file: Path | None, key: bytes) -> CredentialsConfig:
        """Read the YAML secrets file (`accounts: {"bluesky:hospital": {...}}`)."""
        accounts: dict[str, dict[str, str]] = {}
        if secrets_file is not None and secrets_file.exists():
            data = yaml.safe_load(secrets_file.read_text()) or {}
            for name, values in (data.get("accounts") or {}).items():
                accounts[str(name)] = {str(k): str(v) for k, v in (values or {}).items()}
        return cls(key=key, accounts=accounts)

    def for_account(self, platform: str, account: str) -> dict[str, str]:
        """The configured secrets of one account (empty when not configured)."""
        return dict(self.accounts.get(f"{platform}:{account}", {}))

    def __repr__(self) -> str:
        return f"CredentialsConfig(accounts={sorted(self.accounts)})"

    def encrypt(self, values: dict[str, str]) -> bytes:
        """Encrypt a dict of secrets."""
        return Fernet(self.key).encrypt(json.dumps(values).encode())

    def decrypt(self, blob: bytes) -> dict[str, str]:
        """Decrypt stored secrets (empty if the key changed)."""
        try:
            return dict(json.loads(Fernet(self.key).decrypt(blob)))
        except (InvalidToken, ValueError):
            return {}


class DbCredentialStore:
    """A `CredentialStore`: configured secrets overlaid with rotated tokens kept encrypted in the database.

    `rotates=False` is for a platform whose tokens nothing rotates (Mastodon's access token is long-lived and
    only ever comes from the secrets file): the store reads the database once and keeps what it found, instead
    of a read before every request (~1.5 ms of a cue's path to the platform request, issue 19). `save` still
    writes through and updates what is kept. X and Bluesky rotate theirs, possibly from another replica, so
    their stores read before every request.
    """

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], config: CredentialsConfig, platform: str,
                 account: str, *, rotates: bool = True) -> None:
        self.sessionmaker = sessionmaker
        self.config = config
        self.platform = platform
        self.account = account
        self.rotates = rotates
        self._kept: dict[str, str] | None = None

    def __repr__(self) -> str:
        return f"DbCredentialStore({self.platform}:{self.account})"

    async def _row(self, session: AsyncSession) -> PlatformToken | None:
        query = select(PlatformToken).where(PlatformToken.platform == self.platform,
                                            PlatformToken.account == self.account)
        return (await session.execute(query)).scalar_one_or_none()

    async def load(self) -> dict[str, str]:
        """Configured secrets with stored (rotated) tokens on top."""
        if self._kept is not None:
            return dict(self._kept)
        values = self.config.for_account(self.platform, self.account)
        async with reading(self.sessionmaker) as session:  # before every request: waits for no writer
            row = await self._row(session)
        if row is not None:
            values.update(self.config.decrypt(row.ciphertext))
        if not self.rotates:
            self._kept = dict(values)
        return values

    async def save(self, updates: dict[str, str]) -> None:
        """Persist rotated tokens, committed before the caller uses them."""
        async with transaction(self.sessionmaker) as session:
            row = await self._row(session)
            current = self.config.decrypt(row.ciphertext) if row is not None else {}
            current.update(updates)
            if row is None:
                session.add(PlatformToken(platform=self.platform, account=self.account,
                                          ciphertext=self.config.encrypt(current)))
            else:
                row.ciphertext = self.config.encrypt(current)
        if self._kept is not None:  # committed: what is kept follows
            self._kept.update(updates)
