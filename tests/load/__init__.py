"""The load run: 1,000 audience messages per second through a Mastodon fake while the operator posts."""
