"""X (API v2) adapter: see `adapter.XAdapter`."""

from server.platforms.x.adapter import XAdapter, status_url
from server.platforms.x.capabilities import INLINE_CAPABILITIES, default_capabilities

__all__ = ["INLINE_CAPABILITIES", "XAdapter", "default_capabilities", "status_url"]
