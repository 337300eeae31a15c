"""The console's live feed: journal entries to WebSocket subscribers (hub.py), and its route (router.py)."""
