"""Request and response shapes for accounts and sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from server.auth.passwords import MIN_PASSWORD_LENGTH
from server.models.user import ROLES


class LoginRequest(BaseModel):
    """Credentials for a login."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024, repr=False)


class UserRead(BaseModel):
    """A user as the API shows it (never the password hash)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str
    roles: list[str]
    active: bool
    policy_ack_at: datetime | None = None


class LoginResponse(BaseModel):
    """A new session: the bearer token for API clients (pages use the cookie)."""

    token: str
    csrf_token: str
    expires_at: datetime
    user: UserRead


class UserCreate(BaseModel):
    """A new account."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=2, max_length=64, pattern=r"^[a-zA-Z0-9_.-]+$")
    display_name: str = Field(min_length=1, max_length=128)
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=1024, repr=False)
    roles: list[Annotated[str, Field(max_length=16)]] = Field(min_length=1, max_length=len(ROLES))

    @field_validator("roles")
    @classmethod
    def _known_roles(cls, roles: list[str]) -> list[str]:
        unknown = [r for r in roles if r not in ROLES]
        if unknown:
            raise ValueError(f"unknown role(s) {', '.join(unknown)}; roles are {', '.join(ROLES)}")
        return sorted(set(roles))
