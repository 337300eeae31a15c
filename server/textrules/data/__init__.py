"""Data files for text rules (twitter-text config and TLD list)."""
