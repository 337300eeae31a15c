"""Mastodon adapter (REST API, bearer token): see `adapter.MastodonAdapter`."""

from server.platforms.mastodon.adapter import MastodonAdapter
from server.platforms.mastodon.capabilities import default_capabilities

__all__ = ["MastodonAdapter", "default_capabilities"]
