"""Settings, read from the environment (prefix `LIVECUE_`) and an optional `.env` file."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

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
    log_format: Literal["text", "json"] = Field(
        default="text",
        description="`json`: one JSON object a line (time, level, logger, message, request_id, event_id) for a "
                    "log collector; `text`: one readable line.")
    metrics_token: SecretStr | None = Field(
        default=None,
        description="Bearer token Prometheus sends to GET /metrics; unset: /metrics answers 404.")
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
    metrics_interval_seconds: float = Field(
        default=300.0, ge=1.0, le=86_400.0,
        description="Pause between two readings of one platform account's followers and engagement (at least the "
                    "platform's own spacing).")
    metrics_after_end_hours: float = Field(
        default=24.0, ge=0.0, le=24.0 * 90,
        description="How long after an event's end its followers and engagement are still sampled for the recap.")
    poll_max_fetches: int = Field(
        default=25, ge=1,
        description="Fetches per account and round while the platform says more are waiting (then the next round "
                    "starts at once instead of after the pause).",
    )
    trusted_proxies: str = Field(
        default="",
        description="Comma-separated addresses of reverse proxies whose X-Forwarded-For/-Proto are believed "
                    "(client addresses for rate limits and the audit trail); none by default, '*' trusts any.")
    public_origin: str = Field(
        default="", max_length=2000,
        description="Comma-separated origins the pages are served from (e.g. https://livecue.example): the only "
                    "origins a cookie-authenticated WebSocket may come from; empty: the origin must match the "
                    "Host the browser connected to.")
    public_form_per_minute: int = Field(
        default=10, ge=1, le=100_000, description="Questions one client address may send through the public form."
    )
    preflight_required: bool = Field(
        default=True,
        description="Going live needs every pre-flight check to pass or be waived (server/live/preflight.py).")
    sandbox_replies_per_minute: int = Field(
        default=10, ge=1, le=100_000, description="Replies one client address may post on the sandbox."
    )
    live_sse_max_clients: int = Field(
        default=10_000, ge=1, le=1_000_000,
        description="Server-Sent Events streams of the public live pages one process serves at once (503 with "
                    "Retry-After beyond: no crowd can stall the server).")
    live_sse_queue: int = Field(
        default=64, ge=4, le=100_000,
        description="Frames waiting for one live-page reader; a reader further behind is dropped and resumes "
                    "with Last-Event-ID.")
    max_json_bytes: int = Field(
        default=256 * 1024, ge=1024, le=64 * 1024 * 1024,
        description="Largest request body on every route but the media upload (413 beyond, read no further).")
    max_media_bytes: int = Field(
        default=120 * 1024 * 1024, ge=1024, le=4 * 1024 * 1024 * 1024,
        description="Largest media upload (POST /api/media, only with a live session; 413 beyond).")
    body_timeout_seconds: float = Field(
        default=10.0, gt=0, le=3600, description="Time a request body may take to arrive (408 after it).")
    media_body_timeout_seconds: float = Field(
        default=300.0, gt=0, le=86_400, description="Time a media upload's body may take to arrive (408 after it).")
    max_json_keys: int = Field(
        default=20_000, ge=10, le=10_000_000, description="Object keys one JSON body may hold, all levels together.")
    max_json_depth: int = Field(
        default=32, ge=2, le=1000, description="How deeply a JSON body's arrays and objects may nest.")
    max_json_string: int = Field(
        default=20_000, ge=100, le=10_000_000, description="Longest string (or key) in a JSON body, in characters.")
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

    def proxy_options(self) -> dict[str, Any]:
        """uvicorn's proxy options: X-Forwarded-For/-Proto believed only from the named proxies (none by default)."""
        proxies = self.trusted_proxies.strip()
        return {"proxy_headers": bool(proxies), "forwarded_allow_ips": proxies or None}

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
