"""X (API v2) adapter: see `adapter.XAdapter`."""

from server.platforms.x.adapter import XAdapter, status_url

__all__ = ["XAdapter", "status_url"]
