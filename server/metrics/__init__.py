"""Metrics sampled from the platforms (followers, engagement per post) while an event runs and after it."""
