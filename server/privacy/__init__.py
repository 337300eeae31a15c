"""Privacy screens: PHI detection in text and per-event denylists."""
