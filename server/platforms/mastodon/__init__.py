"""Mastodon adapter (REST API, bearer token): see `adapter.MastodonAdapter`."""

from server.platforms.mastodon.adapter import MastodonAdapter

__all__ = ["MastodonAdapter"]
