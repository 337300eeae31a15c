"""X capabilities: shared `CAPABILITIES["x"]` when server.textrules provides it, else inline defaults."""

from __future__ import annotations

from server.platforms.base import Capabilities
from server.textrules.capabilities import CAPABILITIES


def default_capabilities() -> Capabilities:
    """`CAPABILITIES["x"]` from server.textrules (the one place platform limits are written down)."""
    return CAPABILITIES["x"]