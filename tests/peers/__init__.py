"""Real peers (local servers) that platform adapters are tested against."""
