"""X (API v2) adapter: see `adapter.XAdapter`."""

from server.platforms.x.adapter import XAdapter, status_url
from server.platforms.x.capabilities import default_capabilities

__all__ = ["XAdapter", "default_capabilities", "status_url"]
