"""Mastodon adapter (REST API, bearer token): see `adapter.MastodonAdapter`."""

from server.platforms.mastodon.adapter import MastodonAdapter
from server.platforms.mastodon.capabilities import INLINE_CAPABILITIES, default_capabilities

__all__ = ["INLINE_CAPABILITIES", "MastodonAdapter", "default_capabilities"]
