"""The sandbox social network's web side: its public timeline, audience replies, media, and drill faults."""
