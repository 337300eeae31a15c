"""Settings, read from the environment (prefix `LIVECUE_`) and an optional `.env` file."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob Livecue has; each is documented in the README with its default."""

    model_config = SettingsConfigDict(env_prefix="LIVECUE_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=Path("livecue-data"), description="Where the SQLite file and media live.")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default is a SQLite file `livecue.db` in data_dir."
    )
    sqlite_synchronous: Literal["FULL", "NORMAL"] = Field(
        default="FULL", description="SQLite durability: FULL survives power loss, NORMAL only process crash."
    )
    secret_key: SecretStr | None = Field(
        default=None, description="Key for encrypting stored platform credentials; generated into data_dir."
    )
    session_hours: float = Field(default=12.0, description="Lifetime of a login session.")
    cookie_secure: bool = Field(default=False, description="Mark session cookies Secure (set behind HTTPS).")
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    migrate_on_start: bool = Field(default=True, description="Apply database migrations at startup.")
    run_workers: bool = Field(
        default=True, description="Run the dispatcher, scheduler and feed in this process (tests drive them)."
    )
    delivery_lease_seconds: float = Field(
        default=120.0, description="How long a process holds a delivery while sending it."
    )
    secrets_file: Path | None = Field(
        default=None, description="YAML file of platform credentials per account reference."
    )
    poll_interval_seconds: float = Field(
        default=2.0, gt=0, description="Pause between two rounds of polling the platforms for audience messages."
    )
    poll_max_fetches: int = Field(
        default=25, ge=1,
        description="Fetches per account and round while the platform says more are waiting (then the next round "
                    "starts at once instead of after the pause).",
    )
    trusted_proxies: str = Field(
        default="127.0.0.1",
        description="Comma-separated addresses of reverse proxies whose X-Forwarded-For/-Proto are believed "
                    "(client addresses for rate limits and the audit trail); '*' trusts any.")
    public_form_per_minute: int = Field(
        default=10, ge=1, le=100_000, description="Questions one client address may send through the public form."
    )
    sandbox_replies_per_minute: int = Field(
        default=10, ge=1, le=100_000, description="Replies one client address may post on the sandbox."
    )
    min_approvals: int = Field(
        default=2, ge=1, le=5,
        description="The floor under every event's approval policy: approvals each item needs at least.")
    min_clinical_approvals: int = Field(
        default=1, ge=0, le=5,
        description="The floor under every event's approval policy: clinical approvals each item needs at least.")

    @model_validator(mode="after")
    def _clinical_floor_fits(self) -> Settings:
        if self.min_clinical_approvals > self.min_approvals:
            raise ValueError(f"min_clinical_approvals ({self.min_clinical_approvals}) cannot exceed "
                             f"min_approvals ({self.min_approvals})")
        return self

    def resolved_database_url(self) -> str:
        """The database URL in effect."""
        if self.database_url:
            return normalise_database_url(self.database_url)
        return f"sqlite+aiosqlite:///{(self.data_dir / 'livecue.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is SQLite."""
        return self.resolved_database_url().startswith("sqlite")


def normalise_database_url(url: str) -> str:
    """Pick the async driver for plain `postgresql://` and `sqlite://` URLs."""
    if url.startswith(("postgres://", "postgresql://")):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    if url.startswith("sqlite://"):
        return "sqlite+aiosqlite://" + url.split("://", 1)[1]
    return url
