"""Bluesky (AT Protocol) adapter: XRPC client, rich-text facets, record keys, the Platform class."""

from server.platforms.bluesky.adapter import CAPABILITIES, BlueskyAdapter
from server.platforms.bluesky.tid import tid_for_key

__all__ = ["CAPABILITIES", "BlueskyAdapter", "tid_for_key"]
